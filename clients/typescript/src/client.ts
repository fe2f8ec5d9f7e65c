/**
 * A thin typed client of the Clear Mind Journal content API (`/api/v1/`).
 *
 * Types come from `schema.d.ts`, generated from the committed schema (`docs/openapi.json`) by
 * openapi-typescript; requests go through openapi-fetch. On top of it this module adds what every
 * front end otherwise writes by hand:
 *
 * - ETag revalidation: each successful GET is remembered with its `ETag`; the next GET of the same
 *   URL sends `If-None-Match`, and a `304 Not Modified` returns the remembered body (`fresh: false`).
 * - Retry on 429 and 503, waiting the `Retry-After` seconds the server sends (bounded).
 * - Typed errors: any other non-2xx answer throws an `ApiError` holding the RFC 9457 problem.
 */

import createFetchClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type BodyBlock = Schemas["BodyBlock"];
export type UnknownBlock = Schemas["UnknownBlock"];

/** Paths that answer GET, and the query each takes. */
type GetPath = { [P in keyof paths]: paths[P]["get"] extends never ? never : P }[keyof paths];
type Operation<P extends GetPath> = paths[P]["get"];
type Query<P extends GetPath> = Operation<P> extends { parameters: { query?: infer Q } } ? Q : never;
type PathParams<P extends GetPath> = Operation<P> extends { parameters: { path: infer A } } ? A : never;
export type Body<P extends GetPath> = Operation<P> extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export type RequestOptions<P extends GetPath> = (PathParams<P> extends never
  ? { path?: never }
  : { path: PathParams<P> }) & { query?: Query<P>; headers?: Record<string, string> };

export interface Result<T> {
  data: T;
  /** False when the server answered 304 and `data` is the copy remembered from before. */
  fresh: boolean;
  etag: string | null;
}

/** A non-2xx answer other than a revalidation: `problem` is the server's problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(`${status} ${problem.title}: ${problem.detail}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** The query parameters the server refused, by name (400s). */
  get invalidParameters(): string[] {
    return this.problem.errors.map((e) => e.name);
  }
}

export interface ClientOptions {
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  /** Attempts after a 429 or 503 before giving up (default 2). */
  maxRetries?: number;
  /** Longest wait honoured for one `Retry-After`, in seconds (default 30). */
  maxRetryAfter?: number;
  /** How waiting is done (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "status" in value && "title" in value;
}

/** Known body block types of the schema this client was built with (later ones are skipped). */
export const KNOWN_BLOCK_TYPES = [
  "citation",
  "faq",
  "find_support",
  "heading",
  "image",
  "list",
  "paragraph",
  "quote",
  "safety_note",
  "self_check",
] as const satisfies readonly BodyBlock["type"][];

// Fails to compile when the schema gains a block type this list does not name (regenerated types).
type UnlistedBlockType = Exclude<BodyBlock["type"], (typeof KNOWN_BLOCK_TYPES)[number]>;
const everyBlockTypeListed: [UnlistedBlockType] extends [never] ? true : UnlistedBlockType = true;
void everyBlockTypeListed;

/** The blocks this client knows how to render; blocks of types added later are left out. */
export function knownBlocks(body: readonly (BodyBlock | UnknownBlock)[]): BodyBlock[] {
  const known: readonly string[] = KNOWN_BLOCK_TYPES;
  return body.filter((block): block is BodyBlock => known.includes(block.type));
}

export function createClient(options: ClientOptions) {
  const fetcher = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? wait;
  const maxRetries = options.maxRetries ?? 2;
  const maxRetryAfter = options.maxRetryAfter ?? 30;
  const remembered = new Map<string, { etag: string; data: unknown }>();
  const client = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: fetcher });

  async function get<P extends GetPath>(path: P, request?: RequestOptions<P>): Promise<Result<Body<P>>> {
    // One remembered response per path and parameters (key order as the caller wrote them).
    const cacheKey = JSON.stringify([path, request?.path ?? null, request?.query ?? null]);
    for (let attempt = 0; ; attempt++) {
      const known = remembered.get(cacheKey);
      const init = {
        params: { path: request?.path, query: request?.query },
        headers: { ...request?.headers, ...(known ? { "If-None-Match": known.etag } : {}) },
        // The client keeps its own validators; the HTTP cache must not answer for it.
        cache: "no-store" as RequestCache,
      };
      // openapi-fetch's overloads are per path; this wrapper's own signature is the typed one.
      const { response, data, error } = await (
        client.GET as (p: string, i: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>
      )(path, init);
      const etag = response.headers.get("ETag");
      if (response.status === 304) {
        if (!known) throw new Error(`304 for ${cacheKey} without a remembered body`);
        return { data: known.data as Body<P>, fresh: false, etag: known.etag };
      }
      if (response.ok) {
        if (etag) remembered.set(cacheKey, { etag, data });
        return { data: data as Body<P>, fresh: true, etag };
      }
      if ((response.status === 429 || response.status === 503) && attempt < maxRetries) {
        const seconds = Number(response.headers.get("Retry-After") ?? "1");
        await sleep(Math.min(Number.isFinite(seconds) ? seconds : 1, maxRetryAfter) * 1000);
        continue;
      }
      if (isProblem(error)) throw new ApiError(response.status, error);
      throw new ApiError(response.status, {
        type: "about:blank",
        title: response.statusText || "Error",
        status: response.status,
        detail: typeof error === "string" ? error : "The server answered without a problem document.",
        instance: "",
        errors: [],
      });
    }
  }

  return {
    get,
    /** Forgets every remembered response (e.g. after a webhook says content changed). */
    forget(): void {
      remembered.clear();
    },
  };
}

export type ClearMindClient = ReturnType<typeof createClient>;
