/** The Node verifier against a request signed by the server's own signer (tests/webhooks/test_signing.py). */

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { signWebhook, verifyWebhook, WebhookVerificationError, type WebhookEvent } from "../src/webhooks.js";

// The same vector is asserted in Python (tests/webhooks/test_signing.py::TestSharedVector).
const SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const ID = "msg_2f1c0a7e9b8d4e6fa1b2c3d4e5f60718";
const TIMESTAMP = 1796378400;
const BODY =
  '{"type":"article.updated","timestamp":"2026-12-04T10:00:00+00:00","data":{"id":42,"slug":"repair-after-a-rupture",' +
  '"url":"https://journal.example/trends/repair-after-a-rupture/",' +
  '"api_url":"https://journal.example/api/v1/articles/repair-after-a-rupture/"}}';
const SIGNATURE = "v1,Cc4zjvBRKYOju8wrnDH/4ahcJDkeIZM4PwfLygp2mWU=";
const HEADERS = { "webhook-id": ID, "webhook-timestamp": String(TIMESTAMP), "webhook-signature": SIGNATURE };

describe("verifyWebhook", () => {
  test("signs exactly as the server does", () => {
    assert.equal(signWebhook(SECRET, ID, TIMESTAMP, BODY), SIGNATURE);
  });

  test("accepts the server's request and returns the typed event", () => {
    const event: WebhookEvent = verifyWebhook(SECRET, new Headers(HEADERS), BODY, { now: TIMESTAMP + 5 });
    assert.equal(event.type, "article.updated");
    if (event.type === "article.updated") assert.equal(event.data.slug, "repair-after-a-rupture");
  });

  test("refuses a tampered body, another secret and a stale timestamp", () => {
    const refused = (fn: () => unknown) => assert.throws(fn, WebhookVerificationError);
    refused(() => verifyWebhook(SECRET, HEADERS, BODY.replace("42", "43"), { now: TIMESTAMP }));
    refused(() => verifyWebhook("whsec_" + Buffer.alloc(32, 7).toString("base64"), HEADERS, BODY, { now: TIMESTAMP }));
    refused(() => verifyWebhook(SECRET, HEADERS, BODY, { now: TIMESTAMP + 301 }));
    refused(() => verifyWebhook(SECRET, { "webhook-id": ID }, BODY, { now: TIMESTAMP }));
  });
});
