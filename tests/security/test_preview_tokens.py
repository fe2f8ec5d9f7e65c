"""Signed preview tokens open exactly one revision of one article, for a limited time, and nothing else.

Covers what the API tests do not: expiry, tampering, other salts and keys, tokens naming another
page's revision, pinned revisions, deleted pages, and who may mint a token in the admin.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.urls import reverse

from tests import factories
from website.api.articles.preview import ADMIN_URL_NAME, SALT, mint_preview_token

pytestmark = pytest.mark.django_db

PREVIEW = "/api/v1/preview/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None, "PREVIEW_TOKEN_TTL": 900}


@pytest.fixture
def drafts():
    """Two articles, each live with a newer draft revision."""
    pages = []
    for name in ("Alpha", "Beta"):
        page = factories.article(title=f"{name} live")
        page.title = f"{name} draft"
        page.save_revision()
        page.refresh_from_db()
        pages.append(page)
    return pages


def preview(client, token):
    return client.get(PREVIEW, {"token": token})


def test_a_valid_token_shows_its_draft_and_is_never_cached(client, drafts):
    alpha = drafts[0]
    response = preview(client, mint_preview_token(alpha.pk, alpha.latest_revision_id))
    assert response.status_code == 200
    assert response.json()["title"] == "Alpha draft"
    assert response["Cache-Control"] == "private, no-store"


def test_an_expired_token_is_refused(client, drafts, monkeypatch):
    alpha = drafts[0]
    token = mint_preview_token(alpha.pk, alpha.latest_revision_id)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 901)
    response = preview(client, token)
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_a_token_just_inside_its_lifetime_still_works(client, drafts, monkeypatch):
    alpha = drafts[0]
    token = mint_preview_token(alpha.pk, alpha.latest_revision_id)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 890)
    assert preview(client, token).status_code == 200


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_tampered_tokens_are_refused(client, drafts):
    alpha, beta = drafts
    token = mint_preview_token(alpha.pk, alpha.latest_revision_id)
    payload, timestamp, signature = token.rsplit(":", 2)
    forged_payload = signing.b64_encode(
        signing.JSONSerializer().dumps({"page": beta.pk, "revision": beta.latest_revision_id})
    ).decode()
    tampered = [
        _flip(token, 0),
        _flip(token, len(token) - 1),
        f"{forged_payload}:{timestamp}:{signature}",
        f"{payload}:{_flip(timestamp, 0)}:{signature}",
        token + "x",
    ]
    for bad in tampered:
        response = preview(client, bad)
        assert response.status_code == 403, bad
        assert response.json()["title"] == "Invalid preview token"
        assert "draft" not in response.content.decode()


def test_tokens_signed_for_another_purpose_or_key_are_refused(client, drafts, settings):
    alpha = drafts[0]
    value = {"page": alpha.pk, "revision": alpha.latest_revision_id}
    assert preview(client, signing.dumps(value)).status_code == 403  # no salt
    assert preview(client, signing.dumps(value, salt="another.feature")).status_code == 403
    other_key = signing.dumps(value, key="a-different-secret-key-" + "x" * 40, salt=SALT)
    assert preview(client, other_key).status_code == 403


def test_a_signed_value_of_the_wrong_shape_is_refused(client, drafts):
    alpha = drafts[0]
    for value in (
        {"page": str(alpha.pk), "revision": alpha.latest_revision_id},
        [alpha.pk],
        {"page": alpha.pk},
    ):
        assert preview(client, signing.dumps(value, salt=SALT)).status_code == 403, value


def test_a_token_pairing_a_page_with_another_pages_revision_shows_nothing(client, drafts):
    alpha, beta = drafts
    for page, revision in ((alpha.pk, beta.latest_revision_id), (beta.pk, alpha.latest_revision_id)):
        response = preview(client, mint_preview_token(page, revision))
        assert response.status_code == 404
        assert "draft" not in response.content.decode() and "live" not in response.json()["detail"]


def test_a_token_shows_its_own_revision_not_a_newer_one(client, drafts):
    alpha = drafts[0]
    first = alpha.latest_revision_id
    alpha.title = "Alpha second draft"
    alpha.save_revision()
    assert preview(client, mint_preview_token(alpha.pk, first)).json()["title"] == "Alpha draft"


def test_tokens_for_missing_pages_revisions_or_non_articles_are_404(client, drafts):
    alpha = drafts[0]
    section = alpha.get_parent().specific
    assert preview(client, mint_preview_token(section.pk, section.latest_revision_id)).status_code == 404
    assert preview(client, mint_preview_token(alpha.pk, 10**9)).status_code == 404
    token = mint_preview_token(alpha.pk, alpha.latest_revision_id)
    alpha.delete()
    assert preview(client, token).status_code == 404


class TestMintingInTheAdmin:
    def url(self, page):
        return reverse(ADMIN_URL_NAME, args=(page.pk,))

    def test_editors_get_a_working_token_for_the_latest_revision(self, client, drafts):
        from articles.roles import EDITORS, setup_roles

        setup_roles()
        alpha = drafts[0]
        client.force_login(factories.user("ed", groups=(EDITORS,)))
        response = client.get(self.url(alpha))
        assert response.status_code == 302
        token = parse_qs(urlparse(response.url).query)["token"][0]
        assert preview(client, token).json()["title"] == "Alpha draft"

    def test_people_who_cannot_edit_the_page_get_no_token(self, client, drafts):
        from articles.roles import REVIEWERS, setup_roles

        setup_roles()
        alpha = drafts[0]
        response = client.get(self.url(alpha))
        assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))
        client.force_login(factories.user("rev", groups=(REVIEWERS,)))
        response = client.get(self.url(alpha))
        assert "token=" not in response.get("Location", "")
        assert response.status_code in (302, 403)


# Issue 12, finding 10: future-dated tokens and malformed values.


def _minted_at(monkeypatch, moment: float, page) -> str:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: moment)
    token = mint_preview_token(page.pk, page.latest_revision_id)
    monkeypatch.setattr(time, "time", real)
    return token


def test_a_token_dated_in_the_future_is_refused(client, drafts, monkeypatch):
    alpha = drafts[0]
    token = _minted_at(monkeypatch, time.time() + 3600, alpha)
    response = preview(client, token)
    assert response.status_code == 403
    assert "future" in response.json()["detail"] and "draft" not in response.content.decode()


def test_a_small_clock_skew_is_allowed(client, drafts, monkeypatch):
    alpha = drafts[0]
    token = _minted_at(monkeypatch, time.time() + 10, alpha)
    assert preview(client, token).status_code == 200


@pytest.mark.parametrize(
    "bad",
    ["not-a-token", "abc", "a:b:", ":b:c", "a b:c:d", "x" * 1001, "Zm9v:1a2b:" + "s" * 1000],
)
def test_malformed_or_overlong_tokens_are_a_400_naming_the_parameter(client, drafts, bad):
    response = preview(client, bad)
    assert response.status_code == 400
    problem = response.json()
    assert [e["name"] for e in problem["errors"]] == ["token"]
