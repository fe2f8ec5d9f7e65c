"""HTTP behaviour of /api/v1/: validators and 304s, Cache-Control, CORS, throttling, error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage
from experts.models import Listing
from tests import factories
from website.freshness import content_changed

pytestmark = pytest.mark.django_db

HOSTILE = [
    "limit=-1",
    "limit=abc",
    "limit=1000000",
    "offset=-5",
    "offset=99999999999999999999",
    "topic=%00",
    "ordering=password",
    "ordering=-",
    "search=%27%22%3Cscript%3E",
    "section=" + "a" * 5000,
    "published_after=not-a-date",
    "topic=a&topic=b&topic=c",
    "search=" + "%F0%9F%98%80" * 50,
    "near=999,999",
    "country=ZZ",
    "search=%00",
    "near=1e400,0",
    "radius_km=-1",
    "near=0,0&radius_km=nan",
    "%00=1",
    "limit=%EF%BC%91",
    "published_before=0000-00-00",
    "language=%F0%9F%98%80",
]


@pytest.fixture
def article_with_listing(site_content):
    body = [
        ("paragraph", "<p>Words.</p>"),
        (
            "find_support",
            {
                "title": "Find support",
                "mode": "manual",
                "listings": [site_content["listing"]],
                "listing_type": None,
                "count": 2,
                "include_products": False,
            },
        ),
    ]
    page = factories.article(site_content["section"], "Cached", body=body)
    return page


class TestValidators:
    def test_etag_and_last_modified_then_304(self, api, article_with_listing):
        first = api("/api/v1/articles/cached/")
        assert first.status_code == 200 and first["ETag"].startswith('W/"') and first["Last-Modified"]
        assert first["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
        assert "Accept-Language" in first["Vary"]
        again = api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
        assert api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=f'"x", {first["ETag"]}').status_code == 304
        assert api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH='"other"').status_code == 200
        assert (
            api("/api/v1/articles/cached/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
        )

    def test_first_request_generating_renditions_keeps_its_etag(self, api, site_content):
        factories.article(
            site_content["section"], "Pictured", hero_image=factories.image("Hero", size=(300, 200))
        )
        first = api("/api/v1/articles/pictured/")
        assert first.json()["images"]["hero"] is not None
        assert api("/api/v1/articles/pictured/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    def test_304_is_cheap(self, api, article_with_listing, settings):
        etag = api("/api/v1/articles/cached/")["ETag"]
        settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}
        with CaptureQueriesContext(connection) as full:
            api("/api/v1/articles/cached/")
        with CaptureQueriesContext(connection) as cheap:
            assert api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert len(cheap) == 1 and len(cheap) < len(full) // 3

    def test_variants_have_different_tags(self, api, article_with_listing):
        plain = api("/api/v1/articles/cached/")["ETag"]
        assert api("/api/v1/articles/cached/?country=FR")["ETag"] != plain
        assert api("/api/v1/articles/cached/", HTTP_CF_IPCOUNTRY="FR")["ETag"] != plain

    def test_etag_changes_with_a_new_published_revision(self, api, article_with_listing):
        etag = api("/api/v1/articles/cached/")["ETag"]
        page = article_with_listing
        page.standfirst = "A new standfirst."
        page.save_revision().publish()
        response = api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response.json()["standfirst"] == "A new standfirst."

    def test_etag_changes_with_a_new_review(self, api, article_with_listing, site_content):
        etag = api("/api/v1/articles/cached/")["ETag"]
        factories.expert_review(article_with_listing, site_content["reviewer"])
        response = api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response.json()["review"]["status"] == "reviewed"

    def test_etag_changes_when_a_listing_shown_is_edited(
        self, api, article_with_listing, site_content, settings
    ):
        etag = api("/api/v1/articles/cached/")["ETag"]
        listing = Listing.objects.get(pk=site_content["listing"].pk)
        listing.summary = "New summary"
        listing.save()
        response = api("/api/v1/articles/cached/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        cards = [b for b in response.json()["body"] if b["type"] == "find_support"][0]["value"]["cards"]
        assert cards[0]["listing"]["summary"] == "New summary"

    def test_list_etag_changes_on_unpublish(self, api, article_with_listing):
        etag = api("/api/v1/articles/")["ETag"]
        assert api("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag).status_code == 304
        article_with_listing.unpublish()
        assert api("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag).status_code == 200

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/sections/",
            "/api/v1/topics/",
            "/api/v1/experts/",
            "/api/v1/listings/",
            "/api/v1/listings/lena-hart/",
            "/api/v1/experts/ana-ruiz/",
        ],
    )
    def test_every_get_endpoint_sends_validators(self, api, article_with_listing, path):
        response = api(path)
        assert response.status_code == 200 and response["ETag"]
        assert api(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    def test_cache_control_is_configurable(self, api, article_with_listing, settings):
        settings.WELLNESS = {**settings.WELLNESS, "API_CACHE_CONTROL": "public, max-age=5"}
        assert api("/api/v1/articles/cached/")["Cache-Control"] == "public, max-age=5"


class TestResponseCache:
    """Rendered bodies are stored under their ETag; every change that shows renews the tag at once."""

    URL = "/api/v1/articles/cached/"

    def changed(self, api, before, url=URL):
        response = api(url)
        assert response.status_code == 200 and response["ETag"] != before["ETag"]
        assert response.content != before.content
        return response.json()

    def test_a_hit_serves_the_stored_bytes_for_one_query(self, api, article_with_listing):
        first = api(self.URL)
        with CaptureQueriesContext(connection) as queries:
            again = api(self.URL)
        assert again.content == first.content and again["ETag"] == first["ETag"]
        assert (
            again["Content-Type"] == "application/json" and again["Cache-Control"] == first["Cache-Control"]
        )
        assert len(queries) == 1

    def test_a_hit_is_served_from_process_memory_before_the_shared_cache(
        self, api, article_with_listing, monkeypatch
    ):
        from django.core.cache import cache

        first = api(self.URL)

        def no_shared_cache(*args, **kwargs):
            raise AssertionError("the shared cache was asked")

        monkeypatch.setattr(cache, "get", no_shared_cache)
        assert api(self.URL).content == first.content
        content_changed()  # a change: the local entry is never addressed again
        monkeypatch.undo()
        assert api(self.URL)["ETag"] != first["ETag"]

    def test_process_memory_keeps_bodies_within_its_budget(self, settings):
        from website.api.caching import LocalBodies

        settings.WELLNESS = {**settings.WELLNESS, "API_LOCAL_RESPONSE_CACHE_BYTES": 1000}
        bodies = LocalBodies()
        for i in range(10):
            bodies.put(f"k{i}", bytes(200))
        assert bodies.size <= 1000 and bodies.get("k0") is None and bodies.get("k9") == bytes(200)
        bodies.put("big", bytes(600))  # more than a quarter of the budget: never kept locally
        assert bodies.get("big") is None

    def test_process_memory_drops_every_body_of_an_older_generation(self):
        from website.api.caching import LocalBodies

        bodies = LocalBodies()
        bodies.for_token("first").put("k", b"old body")
        assert bodies.for_token("first").get("k") == b"old body"
        assert bodies.for_token("second").get("k") is None and bodies.size == 0

    def test_lists_are_served_from_the_cache_too(self, api, article_with_listing):
        first = api("/api/v1/articles/")
        with CaptureQueriesContext(connection) as queries:
            assert api("/api/v1/articles/").content == first.content
        assert len(queries) == 1

    def test_publishing_a_new_revision_changes_the_cached_bundle(self, api, article_with_listing):
        before = api(self.URL)
        article_with_listing.standfirst = "Rewritten."
        article_with_listing.save_revision().publish()
        assert self.changed(api, before)["standfirst"] == "Rewritten."

    def test_unpublishing_the_article_answers_404(self, api, article_with_listing):
        assert api(self.URL).status_code == 200
        article_with_listing.unpublish()
        assert api(self.URL).status_code == 404

    def test_unpublishing_a_picked_article_removes_its_card(self, api, site_content):
        factories.article(site_content["section"], "With pick", picks=(site_content["other"],))
        before = api("/api/v1/articles/with-pick/")
        assert [c["slug"] for c in before.json()["editorial_picks"]] == ["other-article"]
        site_content["other"].unpublish()
        assert self.changed(api, before, "/api/v1/articles/with-pick/")["editorial_picks"] == []

    def test_cards_rendered_for_an_earlier_generation_are_never_reused(self, api, site_content, settings):
        settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}
        factories.article(site_content["section"], "With pick", picks=(site_content["other"],))
        factories.article(site_content["section"], "Also picks", picks=(site_content["other"],))
        assert api("/api/v1/articles/with-pick/").json()["editorial_picks"][0]["title"] == "Other article"
        other = site_content["other"]
        other.title = "Other article, revised"
        other.save_revision().publish()
        # Another article's bundle embeds the same card: it shows the new title, not the memo's.
        picks = api("/api/v1/articles/also-picks/").json()["editorial_picks"]
        assert [p["title"] for p in picks] == ["Other article, revised"]
        related = api("/api/v1/articles/with-pick/related/").json()["results"]
        assert related[0]["card"]["title"] == "Other article, revised"

    def test_a_new_review_changes_the_cached_bundle(self, api, article_with_listing, site_content):
        before = api(self.URL)
        assert before.json()["review"]["reviewer"] is None
        factories.expert_review(article_with_listing, site_content["reviewer"], summary="Sound advice.")
        review = self.changed(api, before)["review"]
        assert review["summary"] == "Sound advice." and review["reviewer"]["name"] == "Ana Ruiz"

    def test_an_edited_listing_changes_the_cached_bundle(self, api, article_with_listing, site_content):
        before = api(self.URL)
        listing = Listing.objects.get(pk=site_content["listing"].pk)
        listing.summary = "Now also online."
        listing.save()
        cards = [b for b in self.changed(api, before)["body"] if b["type"] == "find_support"][0]["value"]
        assert cards["cards"][0]["listing"]["summary"] == "Now also online."

    def test_the_generation_is_read_from_the_database_not_the_cache(
        self, api, article_with_listing, site_content
    ):
        """Another worker (its own local-memory cache) renews the token only in the database."""
        before = api(self.URL)
        Listing.objects.filter(pk=site_content["listing"].pk).update(summary="Changed elsewhere.")
        content_changed()  # what a signal-less writer must do (website.freshness)
        cards = [b for b in self.changed(api, before)["body"] if b["type"] == "find_support"][0]["value"]
        assert cards["cards"][0]["listing"]["summary"] == "Changed elsewhere."

    def test_an_article_reaching_its_expiry_leaves_the_cached_list(self, api, site_content, monkeypatch):
        factories.article(site_content["section"], "Expiring", expire_at=timezone.now() + timedelta(hours=1))
        before = api("/api/v1/articles/")
        assert "expiring" in [c["slug"] for c in before.json()["results"]]
        later = timezone.now() + timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "expiring" not in [
            c["slug"] for c in self.changed(api, before, "/api/v1/articles/")["results"]
        ]

    def test_a_view_restriction_hides_the_cached_bundle(self, api, article_with_listing, site_content):
        assert api(self.URL).status_code == 200
        PageViewRestriction.objects.create(page=site_content["section"], restriction_type="login")
        assert api(self.URL).status_code == 404

    def test_an_article_past_its_expiry_answers_404(self, api, article_with_listing, monkeypatch):
        ArticlePage.objects.filter(pk=article_with_listing.pk).update(
            expire_at=timezone.now() + timedelta(hours=1)
        )
        content_changed()
        assert api(self.URL).status_code == 200
        later = timezone.now() + timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert api(self.URL).status_code == 404

    def test_switched_off_every_request_builds(self, api, article_with_listing, settings):
        settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}
        api(self.URL)
        with CaptureQueriesContext(connection) as queries:
            api(self.URL)
        assert len(queries) > 10


class TestConditionalRequests:
    """Django's conditional GET inside DRF's cycle: a 304 or a cache hit never builds the body."""

    URL = "/api/v1/articles/cached/"

    @pytest.fixture
    def builds(self, monkeypatch):
        """The paths of the responses whose body was built, in order."""
        from website.api.articles.views import ArticleDetailView, ArticleListView

        built = []
        for view in (ArticleDetailView, ArticleListView):

            def counting(self, query, _original=view.get_data, **kwargs):
                built.append(self.request.path)
                return _original(self, query, **kwargs)

            monkeypatch.setattr(view, "get_data", counting)
        return built

    def test_304_and_hit_never_build_the_body(self, api, article_with_listing, builds):
        first = api(self.URL)
        listed = api("/api/v1/articles/")
        assert builds == [self.URL, "/api/v1/articles/"]
        assert api(self.URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert api(self.URL).content == first.content
        assert api("/api/v1/articles/").content == listed.content
        assert builds == [self.URL, "/api/v1/articles/"]
        api(self.URL + "?country=FR")  # another variant: a body to build
        assert builds == [self.URL, "/api/v1/articles/", self.URL]

    def test_a_304_has_no_body_and_no_media_type(self, api, article_with_listing):
        first = api(self.URL)
        not_modified = api(self.URL, HTTP_IF_NONE_MATCH=f'"other", {first["ETag"]}')
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert "Content-Type" not in not_modified

    def test_if_modified_since_alone_gets_a_304(self, api, article_with_listing):
        first = api(self.URL)
        assert api(self.URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        both = api(self.URL, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert both.status_code == 200

    def test_a_failed_if_match_is_a_412_problem(self, api, article_with_listing):
        # Our tags are weak, and If-Match compares strongly (RFC 9110 13.1.1): only "*" passes.
        assert api(self.URL, HTTP_IF_MATCH="*").status_code == 200
        failed = api(self.URL, HTTP_IF_MATCH='"something-else"')
        assert failed.status_code == 412 and failed["Content-Type"] == "application/problem+json"
        assert failed.json()["status"] == 412 and "If-Match" in failed.json()["detail"]

    def test_headers_match_the_drf_response(self, api, article_with_listing, settings):
        settings.CORS_ALLOWED_ORIGINS = ["https://front.example"]
        built = api(self.URL, HTTP_ORIGIN="https://front.example")
        hit = api(self.URL, HTTP_ORIGIN="https://front.example")
        not_modified = api(self.URL, HTTP_ORIGIN="https://front.example", HTTP_IF_NONE_MATCH=built["ETag"])
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow", "Content-Type"):
            assert hit[name] == built[name], name
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow"):
            assert not_modified[name] == built[name], name
        assert not_modified["Access-Control-Allow-Origin"] == "https://front.example"

    def test_errors_still_come_from_drf(self, api, article_with_listing):
        for url, status in ((self.URL + "?limit=3", 400), ("/api/v1/articles/nope/", 404)):
            response = api(url, HTTP_IF_NONE_MATCH="*")
            assert response.status_code == status
            assert response["Content-Type"] == "application/problem+json"

    def test_a_request_counts_once_against_the_rate(self, api, article_with_listing, settings):
        settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": "3/min"}
        built = api(self.URL)  # 1
        assert api(self.URL + "?country=FR").status_code == 200  # 2
        assert api(self.URL, HTTP_IF_NONE_MATCH=built["ETag"]).status_code == 304  # 3
        throttled = api(self.URL, HTTP_IF_NONE_MATCH=built["ETag"])
        assert throttled.status_code == 429 and throttled["Content-Type"] == "application/problem+json"
        assert api(self.URL).status_code == 429


class TestCors:
    def test_configured_origin_is_allowed(self, api, article_with_listing, settings):
        settings.CORS_ALLOWED_ORIGINS = ["https://front.example"]
        response = api("/api/v1/articles/", HTTP_ORIGIN="https://front.example")
        assert response["Access-Control-Allow-Origin"] == "https://front.example"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Origin" not in api(
            "/api/v1/articles/", HTTP_ORIGIN="https://evil.example"
        )

    def test_preflight(self, client, db, settings):
        settings.CORS_ALLOWED_ORIGINS = ["https://front.example"]
        response = client.options(
            "/api/v1/articles/", HTTP_ORIGIN="https://front.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
        )
        assert response.status_code == 200 and "GET" in response["Access-Control-Allow-Methods"]


class TestErrors:
    def test_throttled_anonymous_clients_get_a_429_problem(self, api, db, settings):
        settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": "2/min"}
        assert api("/api/v1/topics/").status_code == 200
        assert api("/api/v1/topics/").status_code == 200
        response = api("/api/v1/topics/")
        assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
        assert int(response["Retry-After"]) > 0
        problem = response.json()
        assert (
            problem["status"] == 429 and problem["title"] == "Too Many Requests" and problem["errors"] == []
        )

    @pytest.mark.parametrize(
        "path", ["/api/v1/nope/", "/api/v1/articles/a/b/c/", "/api/v1/articles", "/api/v1//"]
    )
    def test_unknown_paths_are_problem_404s(self, api, db, path):
        response = api(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert set(response.json()) == {"type", "title", "status", "detail", "instance", "errors"}

    def test_writes_are_405(self, client, db):
        response = client.post("/api/v1/articles/", data={}, content_type="application/json")
        assert response.status_code == 405 and response["Content-Type"] == "application/problem+json"
        assert response["Allow"] == "GET, HEAD, OPTIONS" or "GET" in response["Allow"]
        assert client.delete("/api/v1/listings/x/").status_code == 405

    @pytest.mark.parametrize("query", HOSTILE)
    def test_hostile_query_strings_never_give_a_server_error(self, api, db, query):
        for path in ("/api/v1/articles/", "/api/v1/listings/", "/api/v1/experts/", "/api/v1/articles/x/"):
            response = api(f"{path}?{query}")
            assert response.status_code < 500, (path, query)
            assert response["Content-Type"] in ("application/json", "application/problem+json")
