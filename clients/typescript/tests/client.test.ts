/** The client against a live server on the demo content, plus retry and drift checks. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { ApiError, createClient, knownBlocks, type ClearMindClient } from "../src/client.js";
import { repoRoot, startServer, type LiveServer } from "./server.js";

let server: LiveServer;
let api: ClearMindClient;

before(async () => {
  server = await startServer();
  api = createClient({ baseUrl: server.baseUrl });
});
after(() => server?.stop());

async function firstArticleSlug(): Promise<string> {
  const { data } = await api.get("/api/v1/articles/", { query: { limit: 1 } });
  const first = data.results[0];
  assert.ok(first, "the demo has articles");
  return first.slug;
}

describe("against the live API", () => {
  test("the index links the schema", async () => {
    const { data } = await api.get("/api/v1/");
    assert.equal(data.schema, `${server.baseUrl}/api/v1/schema/?format=json`);
    assert.ok(data.endpoints.some((e) => e.operation_id === "articles_bundle"));
  });

  test("a bundle, its known blocks and its JSON-LD", async () => {
    const slug = await firstArticleSlug();
    const { data, fresh, etag } = await api.get("/api/v1/articles/{slug}/", {
      path: { slug },
      query: { country: "DE", near: "52.52,13.4" },
    });
    assert.equal(fresh, true);
    assert.match(etag ?? "", /^W\/"[0-9a-f]{40}"$/);
    assert.equal(data.slug, slug);
    assert.deepEqual(data.reader_context.near, [52.52, 13.4]);
    const blocks = knownBlocks(data.body);
    assert.equal(blocks.length, data.body.length);
    const medical = data.jsonld[0];
    assert.equal(medical?.["@type"], "MedicalWebPage");
  });

  test("revalidation: the second request is a 304 that returns the remembered body", async () => {
    const slug = await firstArticleSlug();
    const first = await api.get("/api/v1/articles/{slug}/related/", { path: { slug } });
    const second = await api.get("/api/v1/articles/{slug}/related/", { path: { slug } });
    assert.equal(first.fresh, true);
    assert.equal(second.fresh, false);
    assert.deepEqual(second.data, first.data);
    for (const item of second.data.results) {
      assert.equal(item.card.slug, item.slug);
      assert.ok(["editorial_pick", "automatic"].includes(item.source));
    }
  });

  test("support suggestions are support cards", async () => {
    const slug = await firstArticleSlug();
    const { data } = await api.get("/api/v1/articles/{slug}/support/", {
      path: { slug },
      query: { country: "DE", count: 2 },
    });
    assert.equal(data.context.country, "DE");
    for (const card of data.results) {
      assert.equal(typeof card.listing.slug, "string");
      assert.ok(Array.isArray(card.reasons));
    }
  });

  test("listing filters", async () => {
    const { data } = await api.get("/api/v1/listings/", {
      query: { country: "DE", modality: "online", ordering: "name", limit: 5 },
    });
    for (const listing of data.results) {
      assert.equal(listing.country, "DE");
      assert.ok(listing.modalities.includes("online"));
    }
    const near = await api.get("/api/v1/listings/", { query: { near: "52.52,13.4", radius_km: 50 } });
    for (const listing of near.data.results) assert.ok((listing.distance_km ?? Infinity) <= 50);
  });

  test("article search and filters; a blank search is no search", async () => {
    const all = await api.get("/api/v1/articles/", { query: { limit: 100 } });
    const blank = await api.get("/api/v1/articles/", { query: { limit: 100, search: "" } });
    assert.equal(blank.data.count, all.data.count);
    const reviewed = await api.get("/api/v1/articles/", { query: { review_status: "reviewed" } });
    for (const card of reviewed.data.results) assert.equal(card.review_status, "reviewed");
  });

  test("a 400 names the parameter", async () => {
    await assert.rejects(
      api.get("/api/v1/articles/", { query: { limit: 1000 } }),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 400 &&
        error.problem.type.endsWith("invalid-parameters") &&
        error.invalidParameters.includes("limit"),
    );
  });

  test("a 404 and a 403 are problems too", async () => {
    await assert.rejects(
      api.get("/api/v1/articles/{slug}/", { path: { slug: "no-such-article" } }),
      (error: unknown) => error instanceof ApiError && error.status === 404 && error.problem.status === 404,
    );
    await assert.rejects(
      api.get("/api/v1/preview/", { query: { token: "eyJwayI6MX0:1vXyZq:forged-signature" } }),
      (error: unknown) => error instanceof ApiError && error.status === 403,
    );
  });
});

describe("retries", () => {
  test("a 429 is retried after Retry-After seconds, then answered", async () => {
    const waits: number[] = [];
    let calls = 0;
    const fakeFetch = async (): Promise<Response> => {
      calls++;
      if (calls === 1) {
        return new Response(
          JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "", instance: "", errors: [] }),
          { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "7" } },
        );
      }
      return new Response(JSON.stringify({ count: 0, limit: 20, offset: 0, next: null, previous: null, results: [] }), {
        status: 200,
        headers: { "Content-Type": "application/json", ETag: 'W/"0000000000000000000000000000000000000000"' },
      });
    };
    const client = createClient({
      baseUrl: "http://api.test",
      fetch: fakeFetch as typeof fetch,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const { data } = await client.get("/api/v1/topics/");
    assert.equal(data.count, 0);
    assert.deepEqual(waits, [7000]);
    assert.equal(calls, 2);
  });

  test("it gives up after maxRetries with the 429 as an ApiError", async () => {
    const fakeFetch = async (): Promise<Response> =>
      new Response(
        JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "x", instance: "", errors: [] }),
        { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "1" } },
      );
    const client = createClient({ baseUrl: "http://api.test", fetch: fakeFetch as typeof fetch, maxRetries: 1, sleep: async () => {} });
    await assert.rejects(client.get("/api/v1/topics/"), (e: unknown) => e instanceof ApiError && e.status === 429);
  });
});

describe("generated types", () => {
  test("schema.d.ts is what openapi-typescript makes of docs/openapi.json", () => {
    const generated = execFileSync(
      path.join(repoRoot, "node_modules", ".bin", "openapi-typescript"),
      [path.join(repoRoot, "docs", "openapi.json")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const committed = readFileSync(path.join(repoRoot, "clients", "typescript", "src", "schema.d.ts"), "utf8");
    assert.equal(generated, committed, "run `make schema` and commit clients/typescript/src/schema.d.ts");
  });

  test("no unknown in bodies; headers are typed, only openapi-typescript's catch-all is unknown", () => {
    const committed = readFileSync(path.join(repoRoot, "clients", "typescript", "src", "schema.d.ts"), "utf8");
    const unknowns = committed.split("\n").filter((line) => /\bunknown\b/.test(line) && !line.includes("@description"));
    assert.ok(unknowns.length > 0);
    for (const line of unknowns) assert.equal(line.trim(), "[name: string]: unknown;");
  });
});
