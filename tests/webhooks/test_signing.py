"""The Standard Webhooks signer and verifier (webhooks.signing)."""

import base64
import hashlib
import hmac

import pytest

from webhooks.signing import WebhookVerificationError, generate_secret, sign, signed_headers, verify

BODY = b'{"type":"article.published","data":{"id":7}}'


class TestSecret:
    def test_secret_is_whsec_and_32_bytes_of_base64(self):
        secret = generate_secret()
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
        assert generate_secret() != secret

    def test_a_secret_without_the_prefix_is_refused(self):
        with pytest.raises(ValueError, match="whsec_"):
            sign("c2VjcmV0", "msg_1", 1, BODY)


class TestSign:
    def test_signature_is_hmac_sha256_of_id_timestamp_and_body(self):
        key = b"k" * 32
        secret = "whsec_" + base64.b64encode(key).decode()
        expected = hmac.new(key, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()
        assert sign(secret, "msg_1", 1700000000, BODY) == "v1," + base64.b64encode(expected).decode()

    def test_headers_carry_id_timestamp_and_signature(self):
        secret = generate_secret()
        headers = signed_headers(secret, "msg_2", BODY, timestamp=1700000000)
        assert headers == {
            "webhook-id": "msg_2",
            "webhook-timestamp": "1700000000",
            "webhook-signature": sign(secret, "msg_2", 1700000000, BODY),
        }


class TestVerify:
    def setup_method(self):
        self.secret = generate_secret()
        self.headers = signed_headers(self.secret, "msg_3", BODY, timestamp=1700000000)

    def test_genuine_request_passes(self):
        verify(self.secret, self.headers, BODY, now=1700000010)

    def test_header_names_are_case_insensitive(self):
        verify(self.secret, {k.title(): v for k, v in self.headers.items()}, BODY, now=1700000010)

    def test_tampered_body_fails(self):
        with pytest.raises(WebhookVerificationError, match="No signature matches"):
            verify(self.secret, self.headers, BODY.replace(b"7", b"8"), now=1700000010)

    def test_other_secret_fails(self):
        with pytest.raises(WebhookVerificationError, match="No signature matches"):
            verify(generate_secret(), self.headers, BODY, now=1700000010)

    def test_changed_id_fails(self):
        with pytest.raises(WebhookVerificationError):
            verify(self.secret, {**self.headers, "webhook-id": "msg_4"}, BODY, now=1700000010)

    def test_stale_timestamp_fails(self):
        with pytest.raises(WebhookVerificationError, match="too far"):
            verify(self.secret, self.headers, BODY, now=1700000000 + 301)

    def test_one_matching_signature_among_several_is_enough(self):
        other = sign(generate_secret(), "msg_3", 1700000000, BODY)
        headers = {**self.headers, "webhook-signature": f"{other} {self.headers['webhook-signature']}"}
        verify(self.secret, headers, BODY, now=1700000000)

    def test_missing_headers_fail(self):
        with pytest.raises(WebhookVerificationError, match="Missing"):
            verify(self.secret, {"webhook-id": "msg_3"}, BODY, now=1700000000)


class TestSharedVector:
    """The vector the TypeScript verifier is tested with (clients/typescript/tests/webhooks.test.ts)."""

    SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    BODY = (
        b'{"type":"article.updated","timestamp":"2026-12-04T10:00:00+00:00","data":{"id":42,'
        b'"slug":"repair-after-a-rupture","url":"https://journal.example/trends/repair-after-a-rupture/",'
        b'"api_url":"https://journal.example/api/v1/articles/repair-after-a-rupture/"}}'
    )

    def test_signature(self):
        signature = sign(self.SECRET, "msg_2f1c0a7e9b8d4e6fa1b2c3d4e5f60718", 1796378400, self.BODY)
        assert signature == "v1,Cc4zjvBRKYOju8wrnDH/4ahcJDkeIZM4PwfLygp2mWU="
