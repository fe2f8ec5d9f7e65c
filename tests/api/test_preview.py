"""Preview tokens: minted in the admin for one page and revision, refused when expired or tampered."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core import signing
from django.urls import reverse

from tests import factories
from website.api.articles.preview import ADMIN_URL_NAME, SALT, mint_preview_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(site_content):
    page = factories.article(site_content["section"], "Preview me")
    page.title = "Preview me (draft)"
    page.standfirst = "Unpublished words."
    revision = page.save_revision()
    return page, revision


def test_a_valid_token_returns_the_draft_revision_bundle(api, draft):
    page, revision = draft
    response = api("/api/v1/preview/", {"token": mint_preview_token(page.pk, revision.pk)})
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    bundle = response.json()
    assert bundle["title"] == "Preview me (draft)" and bundle["standfirst"] == "Unpublished words."
    assert bundle["is_preview"] is True
    assert api("/api/v1/articles/preview-me/").json()["title"] == "Preview me"


def test_an_older_revision_token_shows_that_revision(api, draft):
    page, revision = draft
    live_revision = page.live_revision
    bundle = api("/api/v1/preview/", {"token": mint_preview_token(page.pk, live_revision.pk)}).json()
    assert bundle["title"] == "Preview me"


def test_expired_token_is_refused(api, draft, settings):
    page, revision = draft
    token = mint_preview_token(page.pk, revision.pk)
    settings.WELLNESS = {**settings.WELLNESS, "PREVIEW_TOKEN_TTL": -1}
    response = api("/api/v1/preview/", {"token": token})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("mangle", ["tamper", "other_salt"])
def test_tampered_tokens_are_refused(api, draft, mangle):
    page, revision = draft
    token = mint_preview_token(page.pk, revision.pk)
    if mangle == "tamper":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    else:
        token = signing.dumps({"page": page.pk, "revision": revision.pk}, salt="something-else")
    response = api("/api/v1/preview/", {"token": token})
    assert response.status_code == 403 and response.json()["status"] == 403


def test_a_revision_of_another_page_is_refused(api, draft, site_content):
    page, _ = draft
    other_revision = site_content["other"].latest_revision
    response = api("/api/v1/preview/", {"token": mint_preview_token(page.pk, other_revision.pk)})
    assert response.status_code == 404
    response = api("/api/v1/preview/", {"token": mint_preview_token(10**9, other_revision.pk)})
    assert response.status_code == 404


def test_the_token_signs_page_and_revision_together(draft):
    page, revision = draft
    payload = signing.loads(mint_preview_token(page.pk, revision.pk), salt=SALT)
    assert payload == {"page": page.pk, "revision": revision.pk}


class TestAdminFlow:
    def test_editor_is_redirected_to_the_front_end_with_a_token(self, client, draft, settings):
        page, revision = draft
        settings.WELLNESS = {**settings.WELLNESS, "FRONTEND_PREVIEW_URL": "https://front.example/preview"}
        client.force_login(factories.user(superuser=True))
        response = client.get(reverse(ADMIN_URL_NAME, args=[page.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("https://front.example/preview?token=")
        token = unquote(response["Location"].split("token=")[1])
        assert signing.loads(token, salt=SALT) == {"page": page.pk, "revision": revision.pk}

    def test_default_target_is_the_api_preview_endpoint(self, client, draft, api):
        page, _ = draft
        client.force_login(factories.user(superuser=True))
        location = client.get(reverse(ADMIN_URL_NAME, args=[page.pk]))["Location"]
        assert location.startswith("http://testserver/api/v1/preview/?token=")
        assert client.get(location).json()["title"] == "Preview me (draft)"

    def test_users_who_cannot_edit_get_no_token(self, client, draft):
        page, _ = draft
        client.force_login(factories.user(is_staff=False))
        response = client.get(reverse(ADMIN_URL_NAME, args=[page.pk]))
        assert response.status_code in (302, 403) and "token=" not in response.get("Location", "")

    def test_the_page_editor_offers_the_button(self, client, draft):
        page, _ = draft
        client.force_login(factories.user(superuser=True))
        html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
        assert reverse(ADMIN_URL_NAME, args=[page.pk]) in html and "Preview on front end" in html
