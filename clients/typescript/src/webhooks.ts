/**
 * Verifying the journal's webhooks in Node (Standard Webhooks signatures).
 *
 * Each request carries `webhook-id`, `webhook-timestamp` and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64 part of the
 * endpoint's `whsec_` secret). `verifyWebhook` checks them over the raw body, exactly as received,
 * and returns the parsed event, typed from the schema's `webhooks` section.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import type { webhooks } from "./schema.js";

export type WebhookEventType = keyof webhooks;
export type WebhookEvent = {
  [K in WebhookEventType]: webhooks[K]["post"]["requestBody"]["content"]["application/json"];
}[WebhookEventType];

export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

export interface VerifyOptions {
  /** Seconds the timestamp may differ from now (default 300). */
  toleranceSeconds?: number;
  /** Now, in seconds since the epoch (for tests). */
  now?: number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function headerValue(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  }
  return null;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith("whsec_")) throw new Error("A webhook secret starts with 'whsec_'.");
  return Buffer.from(secret.slice("whsec_".length), "base64");
}

/** The `webhook-signature` value for one request (what the journal sends). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const hmac = createHmac("sha256", secretKey(secret));
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest("base64")}`;
}

/** Throws `WebhookVerificationError` unless the request is genuine and fresh; returns the event. */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): WebhookEvent {
  const id = headerValue(headers, "webhook-id");
  const stamp = headerValue(headers, "webhook-timestamp");
  const signatures = headerValue(headers, "webhook-signature");
  if (!id || !stamp || !signatures) {
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature.");
  }
  const timestamp = Number(stamp);
  const now = options.now ?? Date.now() / 1000;
  if (!/^[0-9]+$/.test(stamp) || Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError("webhook-timestamp is missing or too far from now.");
  }
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body));
  const matches = signatures.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError("No signature matches.");
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  return JSON.parse(text) as WebhookEvent;
}
