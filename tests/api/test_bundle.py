"""GET /api/v1/articles/{slug}/: the bundle's contents, sanitising, reader context and query count."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.cards import card_store
from articles.readmodel import read_model
from recommendations import interface
from tests import factories
from tests.api.conftest import rich_body
from website.freshness import clear_process_memos
from website.public_url import public_root

pytestmark = pytest.mark.django_db

BUNDLE_FIELDS = {
    "id",
    "slug",
    "url_path",
    "title",
    "standfirst",
    "section",
    "topics",
    "authors",
    "review",
    "reading_time",
    "is_sensitive",
    "first_published_at",
    "last_published_at",
    "images",
    "body",
    "faq",
    "citations",
    "editorial_picks",
    "related",
    "reader_context",
    "seo",
    "jsonld",
    "is_preview",
}
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def stub_engine(monkeypatch):
    """Recommendation engine stand-in with a fixed cost (no queries) and recorded calls."""
    calls = {"support": [], "related": []}
    state = {"listing": None, "related": []}

    def find_support(
        article,
        *,
        context=None,
        listing_type=None,
        count=2,
        include_products=False,
        exclude_listings=(),
        generation=None,
    ):
        calls["support"].append(context)
        suggestions = [interface.SupportSuggestion(state["listing"], ["Works online in your language"])]
        return interface.SupportResult(
            suggestions if state["listing"] else [], "everywhere", "Widened to all"
        )

    def related_articles(article, *, limit=6, generation=None):
        calls["related"].append(article.pk)
        return [interface.RelatedArticle(page, "automatic", ["Same topic"]) for page in state["related"]]

    monkeypatch.setattr(interface, "find_support", find_support)
    monkeypatch.setattr(interface, "related_articles", related_articles)
    return {"calls": calls, "state": state}


def make_article(content, n: int, *, slug: str, automatic: int = 1, pick_count: int = 1, listings: int = 1):
    section = content["section"]
    picks = [
        factories.expert_review(
            factories.article(section, f"{slug} pick {i}", topics=["Trust"]), content["reviewer"]
        )
        for i in range(pick_count)
    ]
    more_listings = [factories.listing(f"{slug} listing {i}") for i in range(listings)]
    images = [factories.image(f"{slug} image {i}", size=(400, 300)) for i in range(max(1, n // 2))]
    authors = [factories.person(f"{slug} author {i}") for i in range(max(1, n // 2))]
    page = factories.article(
        section,
        slug.replace("-", " ").title(),
        slug=slug,
        topics=["Trust", "Sleep"],
        authors=tuple(authors),
        picks=tuple(picks),
        hero_image=images[0],
        body=rich_body(
            n, listings=more_listings, images=images, link_to=content["other"], automatic=automatic
        ),
    )
    return factories.expert_review(page, content["reviewer"])


class TestBundleContents:
    def test_everything_the_page_needs(self, api, site_content, stub_engine):
        stub_engine["state"]["listing"] = site_content["listing"]
        page = make_article(site_content, 2, slug="main-article")
        response = api("/api/v1/articles/main-article/")
        assert response.status_code == 200
        bundle = response.json()
        assert set(bundle) == BUNDLE_FIELDS
        assert bundle["url_path"] == "/trends-signals/main-article/" and bundle["is_preview"] is False
        assert [t["slug"] for t in bundle["topics"]] == ["sleep", "trust"] or len(bundle["topics"]) == 2
        assert [a["name"] for a in bundle["authors"]] == ["main-article author 0"]
        review = bundle["review"]
        assert review["status"] == "reviewed" and review["reviewer"]["display_name"] == "Dr. Ana Ruiz"
        assert review["reviewer"]["board_badge"] is True and review["summary"] and review["next_review_due"]
        types = [b["type"] for b in bundle["body"]]
        assert types.count("heading") == 2 and types.count("citation") == 2 and "safety_note" in types
        assert {"faq", "find_support", "image", "quote", "paragraph"} <= set(types)
        assert [c["number"] for c in bundle["citations"]] == [1, 2]
        assert bundle["citations"][0]["link"] == "https://doi.org/10.1000/0"
        assert [q["question"] for q in bundle["faq"]] == ["Q0?", "Q1?"]
        heading = next(b for b in bundle["body"] if b["type"] == "heading")
        assert heading["value"] == {"text": "Part 0", "level": "h2", "anchor": "part-0"}
        manual, automatic = [b["value"] for b in bundle["body"] if b["type"] == "find_support"]
        assert (
            manual["mode"] == "manual" and manual["cards"][0]["listing"]["name"] == "main-article listing 0"
        )
        assert manual["cards"][0]["reasons"] == ["Chosen by our editors"]
        assert automatic["mode"] == "automatic" and automatic["cards"][0]["listing"]["slug"] == "lena-hart"
        assert automatic["cards"][0]["reasons"] == ["Works online in your language"]
        assert automatic["widened_to"] == "everywhere" and automatic["notice"] == "Widened to all"
        image_block = next(b for b in bundle["body"] if b["type"] == "image")
        assert (
            image_block["value"]["image"]["alt"] == "An image"
            and image_block["value"]["caption"] == "Caption"
        )
        assert bundle["images"]["hero"]["url"].startswith("http://testserver/media/")
        assert (bundle["images"]["social"]["width"], bundle["images"]["social"]["height"]) == (
            400,
            210,
        ) or bundle["images"]["social"]["width"] <= 1200
        assert [p["slug"] for p in bundle["editorial_picks"]] == ["main-article-pick-0"]
        assert bundle["seo"]["canonical_url"] == "http://testserver/trends-signals/main-article/"
        assert [d["@type"] for d in bundle["jsonld"]] == ["MedicalWebPage", "FAQPage"]
        assert page.pk == bundle["id"]

    def test_the_builder_emits_exactly_what_the_schema_serializer_would(self, api, site_content, stub_engine):
        """The bundle view skips the serializer pass: that is only right while it would change nothing."""
        from rest_framework.renderers import JSONRenderer

        from recommendations.interface import ReaderContext
        from website.api.articles.serializers import ArticleBundleSerializer
        from website.api.bundle import build_bundle

        stub_engine["state"]["listing"] = site_content["listing"]
        stub_engine["state"]["related"] = [site_content["other"]]
        page = make_article(site_content, 3, slug="main-article")
        factories.expert_review(page, site_content["reviewer"], summary="Checked.")
        page.refresh_from_db()
        data = build_bundle(page, base_url="http://testserver", reader_context=ReaderContext(country="DE"))
        assert data["related"] and data["editorial_picks"] and data["review"]["reviewer"]
        served = api("/api/v1/articles/main-article/?country=DE").content
        assert served == JSONRenderer().render(ArticleBundleSerializer(data).data)

    def test_internal_links_become_front_end_paths_and_drafts_lose_their_href(
        self, api, site_content, stub_engine
    ):
        draft = factories.article(site_content["section"], "Secret draft", publish=False)
        body = [
            (
                "paragraph",
                f'<p><a linktype="page" id="{site_content["other"].pk}">live</a> and '
                f'<a linktype="page" id="{draft.pk}">draft</a></p>',
            )
        ]
        factories.article(site_content["section"], "Links", body=body)
        paragraph = api("/api/v1/articles/links/").json()["body"][0]["value"]
        assert (
            '<a href="/trends-signals/other-article/" rel="noopener noreferrer">live</a>' in paragraph["html"]
        )
        assert "secret-draft" not in paragraph["html"] and paragraph["html"].count("href") == 1
        assert paragraph["text"] == "live and draft"

    def test_related_slot_is_filled_from_the_engine_without_duplicating_picks(
        self, api, site_content, stub_engine
    ):
        extra = factories.article(site_content["section"], "Related one")
        draft = factories.article(site_content["section"], "Related draft", publish=False)
        stub_engine["state"]["related"] = [site_content["other"], draft, extra]
        factories.article(site_content["section"], "Host", picks=(site_content["other"],))
        bundle = api("/api/v1/articles/host/").json()
        assert [p["slug"] for p in bundle["editorial_picks"]] == ["other-article"]
        assert [(r["article"]["slug"], r["source"], r["reasons"]) for r in bundle["related"]] == [
            ("related-one", "automatic", ["Same topic"])
        ]

    def test_unknown_slug_is_a_json_404(self, api, db):
        for path in (
            "/api/v1/articles/no-such-article/",
            "/api/v1/articles/bad%00slug/",
            "/api/v1/articles/" + "a" * 300 + "/",
        ):
            response = api(path)
            assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == 404


class TestReaderContext:
    def test_query_parameters_win(self, api, site_content, stub_engine):
        make_article(site_content, 1, slug="ctx")
        bundle = api(
            "/api/v1/articles/ctx/?country=fr&language=EN&modality=online&near=48.85,2.35",
            HTTP_CF_IPCOUNTRY="DE",
        ).json()
        assert bundle["reader_context"] == {
            "country": "FR",
            "language": "en",
            "modality": "online",
            "near": [48.85, 2.35],
        }
        context = stub_engine["calls"]["support"][-1]
        assert (context.country, context.language, context.modality, context.near) == (
            "FR",
            "en",
            "online",
            (48.85, 2.35),
        )

    def test_headers_are_the_fallback(self, api, site_content, stub_engine):
        make_article(site_content, 1, slug="ctx")
        bundle = api("/api/v1/articles/ctx/", HTTP_CF_IPCOUNTRY="DE").json()
        assert bundle["reader_context"]["country"] == "DE"
        bundle = api("/api/v1/articles/ctx/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.8").json()
        assert bundle["reader_context"]["country"] == "BR" and bundle["reader_context"]["language"] == "pt"

    @pytest.mark.parametrize(
        "query, name",
        [
            ("country=ZZ", "country"),
            ("country=DEU", "country"),
            ("language=xx", "language"),
            ("modality=teleport", "modality"),
            ("near=999,999", "near"),
            ("near=52.5", "near"),
            ("near=nan,1", "near"),
            ("related=1", "related"),
        ],
    )
    def test_bad_values_are_a_400(self, api, site_content, query, name):
        make_article(site_content, 1, slug="ctx", automatic=0, listings=0)
        problem = api(f"/api/v1/articles/ctx/?{query}").json()
        assert problem["status"] == 400 and [e["name"] for e in problem["errors"]] == [name]


class TestSanitising:
    def test_editor_markup_cannot_inject_script(self, api, site_content, stub_engine):
        hostile_listing = factories.listing("Hostile", summary=f"Hi {XSS}", city=XSS)
        body = [
            ("paragraph", f'<p>Hello {XSS}<a href="javascript:alert(3)">x</a></p>'),
            ("quote", {"text": XSS, "speaker": XSS, "credential": ""}),
            ("heading", {"text": f"Head {XSS}", "level": "h2", "anchor": ""}),
            ("faq", {"title": XSS, "items": [{"question": XSS, "answer": f"<p>{XSS}</p>"}]}),
            (
                "find_support",
                {
                    "title": XSS,
                    "mode": "manual",
                    "listings": [hostile_listing],
                    "listing_type": None,
                    "count": 2,
                    "include_products": False,
                },
            ),
        ]
        reviewer = factories.person("Hostile reviewer", reviewer=True, headline=XSS)
        page = factories.article(site_content["section"], "Hostile", body=body, standfirst=f"Stand {XSS}")
        factories.expert_review(page, reviewer, summary=f"Summary {XSS}")
        response = api("/api/v1/articles/hostile/")
        text = json.dumps(response.json()).lower()
        for needle in ("<script", "onerror", "javascript:", "<img"):
            assert needle not in text, needle
        bundle = response.json()
        assert bundle["body"][0]["value"]["html"].startswith("<p>Hello ")
        assert bundle["standfirst"] == "Stand"  # the script element goes, with its content


class TestNoPrivateFields:
    PRIVATE = (
        "private.example",
        "secret note",
        "LIC-PRIVATE",
        "internal_notes",
        "contact_email",
        "licence_number",
        "reviewed_by_user",
        "password",
        '"user"',
        "username",
    )

    def test_no_response_carries_private_data(self, api, site_content, stub_engine):
        stub_engine["state"]["listing"] = site_content["listing"]
        make_article(site_content, 1, slug="main-article")
        paths = [
            "/api/v1/articles/",
            "/api/v1/articles/main-article/",
            "/api/v1/experts/",
            f"/api/v1/experts/{site_content['reviewer'].slug}/",
            "/api/v1/listings/",
            f"/api/v1/listings/{site_content['listing'].slug}/",
        ]
        for path in paths:
            response = api(path)
            assert response.status_code == 200, path
            text = response.content.decode()
            for needle in self.PRIVATE:
                assert needle not in text, (path, needle)


# Queries of a full bundle (response cache off), whatever the article's size. Once this process has
# served the content generation: validator row 1, page and its relations 4, review, people,
# credentials and topics 4, listings 4, images 2, links 1 (the engine is stubbed: its own cost is its
# own) = 16. Embedded article cards cost none: rendered ones are kept on the generation's read model
# (``articles.cards.card_store``) and the others are rendered from its rows. The first bundle of a
# generation in a process also reads the next expiry for the ETag and builds the read model (the
# page tree with its sections, hidden and restricted paths and next expiry; pages; authors with
# their bylines; topics; reviewers who are nobody's author; picks): 23, for a small and a large
# article alike.
BUNDLE_QUERIES = 23
BUNDLE_QUERIES_CARDS_KNOWN = 16


@pytest.fixture
def no_response_cache(settings):
    """Every request builds its response: what the counts below measure."""
    settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}


@pytest.mark.usefixtures("no_response_cache")
class TestSuggestionMemo:
    def test_related_is_asked_once_per_article_and_generation(self, api, site_content, stub_engine):
        from website.freshness import content_changed

        page = make_article(site_content, 1, slug="main-article")
        calls = stub_engine["calls"]["related"]
        calls.clear()
        for country in ("DE", "FR", "IT"):  # three reader contexts: three bundles built
            assert api(f"/api/v1/articles/main-article/?country={country}").status_code == 200
        assert calls == [page.pk]
        content_changed()
        api("/api/v1/articles/main-article/?country=DE")
        assert calls == [page.pk, page.pk]


@pytest.mark.usefixtures("no_response_cache")
class TestQueryCount:
    def test_bundle_costs_a_constant_number_of_queries(
        self, api, site_content, stub_engine, django_assert_num_queries
    ):
        stub_engine["state"]["listing"] = site_content["listing"]
        small = make_article(site_content, 1, slug="small", automatic=1, pick_count=1, listings=1)
        large = make_article(site_content, 12, slug="large", automatic=3, pick_count=8, listings=10)
        stub_engine["state"]["related"] = [small]
        for page in (small, large):
            api(f"/api/v1/articles/{page.slug}/")  # renditions are generated on first use
        with django_assert_num_queries(BUNDLE_QUERIES_CARDS_KNOWN):
            small_bundle = api("/api/v1/articles/small/").json()
        with django_assert_num_queries(BUNDLE_QUERIES_CARDS_KNOWN):
            large_bundle = api("/api/v1/articles/large/").json()
        assert len(large_bundle["body"]) > 5 * len(small_bundle["body"])
        assert len(large_bundle["editorial_picks"]) == 8 and len(large_bundle["citations"]) == 12
        for slug, built in (("small", small_bundle), ("large", large_bundle)):
            card_store(read_model(), public_root()).clear()  # cards not rendered yet: the snapshot's rows
            with django_assert_num_queries(BUNDLE_QUERIES_CARDS_KNOWN):
                assert api(f"/api/v1/articles/{slug}/").json() == built
            clear_process_memos()  # the first request of a generation in this process
            with django_assert_num_queries(BUNDLE_QUERIES):
                assert api(f"/api/v1/articles/{slug}/").json() == built

    def test_with_the_real_engine_the_count_does_not_grow_with_the_body(self, api, site_content):
        small = make_article(site_content, 1, slug="small", automatic=1, pick_count=1, listings=1)
        large = make_article(site_content, 12, slug="large", automatic=1, pick_count=8, listings=10)
        counts = []
        for page in (small, large):
            api(f"/api/v1/articles/{page.slug}/")
            with CaptureQueriesContext(connection) as queries:
                assert api(f"/api/v1/articles/{page.slug}/").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]


@pytest.mark.usefixtures("no_response_cache")
def test_a_renamed_or_unpublished_section_shows_at_once(api, site_content):
    """The bundle's section is remembered per content generation: publishing renews it."""
    section, other = site_content["section"], site_content["other"]
    url = f"/api/v1/articles/{other.slug}/"
    assert api(url).json()["section"]["title"] == "Trends & Signals"
    section.title = "Signals"
    section.save_revision().publish()
    assert api(url).json()["section"]["title"] == "Signals"
    section.unpublish()
    # Readers cannot see what is inside an unpublished section (issue 12, finding 7).
    assert api(url).status_code == 404
