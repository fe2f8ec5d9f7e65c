"""``GET /api/v1/search/`` on the database implementation: ranking, snippets, facets, filters,
pagination, caching headers, 400s for hostile queries, and a constant number of queries."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db


def search(client, query: str, status: int = 200) -> dict:
    response = client.get(f"/api/v1/search/?{query}")
    assert response.status_code == status, response.content
    return response.json()


def slugs(data: dict) -> list[str]:
    return [hit["article"]["slug"] for hit in data["results"]]


def hit(data: dict, slug: str) -> dict:
    return next(h for h in data["results"] if h["article"]["slug"] == slug)


class TestMatching:
    def test_a_title_match_ranks_above_a_body_match(self, client, magazine):
        found = slugs(search(client, "q=trust"))
        assert set(found) == {"rebuilding-trust-after-a-breach", "arguing-well-as-a-couple", "trust-falls"}
        assert found.index("rebuilding-trust-after-a-breach") < found.index("arguing-well-as-a-couple")
        assert found.index("trust-falls") < found.index("arguing-well-as-a-couple")

    def test_faq_topics_and_authors_are_searched(self, client, magazine):
        assert slugs(search(client, "q=cognitive")) == ["insomnia-basics"]  # only in an FAQ answer
        assert slugs(search(client, "q=noor+estel")) == ["insomnia-basics"]  # its author
        assert "two-chairs-one-room" in slugs(search(client, "q=couples"))  # its topic's name only

    def test_every_word_must_match(self, client, magazine):
        assert slugs(search(client, "q=trust+dishes")) == ["arguing-well-as-a-couple"]

    def test_no_match_is_an_empty_page(self, client, magazine):
        data = search(client, "q=zebra")
        assert data["count"] == 0 and data["results"] == [] and data["next"] is None
        assert data["facets"] == {"sections": [], "topics": []}


class TestSnippets:
    def test_the_match_is_marked_in_title_and_snippet(self, client, magazine):
        data = search(client, "q=trust")
        assert (
            hit(data, "rebuilding-trust-after-a-breach")["title"]
            == "Rebuilding <mark>trust</mark> after a breach"
        )
        body = hit(data, "arguing-well-as-a-couple")
        assert body["title"] == "Arguing well as a couple"
        assert body["snippet"] == (
            "A good argument keeps <mark>trust</mark> intact while you disagree about the dishes."
        )
        faq = hit(search(client, "q=cognitive"), "insomnia-basics")
        assert "<mark>cognitive</mark> therapy works" in faq["snippet"]

    def test_markup_in_titles_and_text_never_reaches_the_json(self, client, magazine):
        response = client.get("/api/v1/search/?q=falls")
        assert "<script" not in response.content.decode()
        result = hit(response.json(), "trust-falls")
        assert result["title"] == "Trust <mark>falls</mark>"
        claim = hit(search(client, "q=claim"), "trust-falls")
        assert claim["snippet"] == "A bold <mark>claim</mark> &amp; a small one."

    def test_a_long_body_gives_a_passage_around_the_match(self, client, magazine):
        words = " ".join(f"word{i}" for i in range(80))
        factories.article(
            magazine["sections"][1], "Long read", body=[("paragraph", f"<p>{words} melatonin {words}</p>")]
        )
        snippet = hit(search(client, "q=melatonin"), "long-read")["snippet"]
        assert snippet.startswith("… ") and snippet.endswith(" …") and "<mark>melatonin</mark>" in snippet
        assert len(snippet) < 260


class TestFacetsAndFilters:
    def test_facet_counts(self, client, magazine):
        facets = search(client, "q=trust")["facets"]
        assert facets["sections"] == [
            {"slug": "relationships", "title": "Relationships", "count": 3, "selected": False}
        ]
        assert facets["topics"] == [
            {"slug": "trust", "title": "Trust", "count": 2, "selected": False},
            {"slug": "couples-therapy", "title": "Couples therapy", "count": 1, "selected": False},
        ]

    def test_a_topic_filter_narrows_and_the_topic_facet_still_counts_the_others(self, client, magazine):
        data = search(client, "q=trust&topic=trust")
        assert data["count"] == 2
        assert set(slugs(data)) == {"rebuilding-trust-after-a-breach", "trust-falls"}
        assert data["facets"]["sections"][0]["count"] == 2
        topics = {t["slug"]: (t["count"], t["selected"]) for t in data["facets"]["topics"]}
        assert topics == {"trust": (2, True), "couples-therapy": (1, False)}

    def test_a_section_filter_narrows(self, client, magazine):
        everywhere = search(client, "q=therapy")
        assert {s["slug"]: s["count"] for s in everywhere["facets"]["sections"]} == {
            "relationships": 2,
            "sleep-health": 1,
        }
        data = search(client, "q=therapy&section=sleep-health")
        assert slugs(data) == ["insomnia-basics"] and data["count"] == 1
        sections = {s["slug"]: (s["count"], s["selected"]) for s in data["facets"]["sections"]}
        assert sections == {"relationships": (2, False), "sleep-health": (1, True)}
        assert search(client, "q=therapy&section=sleep-health&topic=trust")["count"] == 0


class TestPagination:
    def test_pages_of_results(self, client, magazine):
        first = search(client, "q=trust&limit=2")
        assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
        assert "offset=2" in first["next"] and "q=trust" in first["next"]
        second = search(client, "q=trust&limit=2&offset=2")
        assert len(second["results"]) == 1 and second["next"] is None
        assert set(slugs(first)) | set(slugs(second)) == set(slugs(search(client, "q=trust")))
        assert search(client, "q=trust&offset=50")["results"] == []


class TestBadInput:
    @pytest.mark.parametrize(
        "query, reason",
        [
            ("", "required"),
            ("q=", "must not be empty"),
            ("q=%20%20", "must not be empty"),
            ("q=***", "at least one letter or digit"),
            ("q=*", "at least one letter or digit"),
            ("q=%22%28%29%3A%7E", "at least one letter or digit"),
            ("q=" + "a" * 201, "at most 200 characters"),
            ("q=trust%00", "control characters"),
            ("q=a&q=b", "give this parameter once"),
        ],
    )
    def test_a_query_that_cannot_be_searched_is_a_400_naming_q(self, client, magazine, query, reason):
        response = client.get(f"/api/v1/search/?{query}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        errors = response.json()["errors"]
        assert errors[0]["name"] == "q" and reason in errors[0]["reason"]

    def test_past_the_word_limit_the_first_words_are_searched_not_refused(self, client, magazine):
        # The schema can bound the length but not the number of words: any length it allows is
        # answered (schemathesis checks that no schema-valid request gets a 400).
        words = ["trust"] + [f"w{i}" for i in range(40)]
        data = search(client, "q=" + "+".join(words))
        assert data["query"].split() == words[:32]

    def test_other_bad_parameters_are_named(self, client, magazine):
        errors = search(client, "q=trust&section=a+b&limit=0&colour=red", 400)["errors"]
        assert {e["name"] for e in errors} == {"section", "limit", "colour"}

    @pytest.mark.parametrize(
        "text", ["title:(trust OR", '"trust', "trust*", "trust~2", "+trust -(", "trust AND NOT", "trust NEAR"]
    )
    def test_query_syntax_is_only_words(self, client, magazine, text):
        data = search(client, "q=" + text.replace("+", "%2B").replace(" ", "+").replace('"', "%22"))
        # The punctuation separates words; "trust" still has to match (with every other word).
        assert data["query"] == text
        assert all("trust" in json.dumps(h).lower() for h in data["results"])


class TestHttp:
    def test_etag_cache_control_and_304(self, client, magazine):
        response = client.get("/api/v1/search/?q=trust")
        assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
        again = client.get("/api/v1/search/?q=trust", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        other = client.get("/api/v1/search/?q=repair")
        assert other["ETag"] != response["ETag"]

    def test_a_publish_changes_the_answer(self, client, magazine):
        etag = client.get("/api/v1/search/?q=trust")["ETag"]
        factories.article(magazine["sections"][0], "Trust at work")
        response = client.get("/api/v1/search/?q=trust", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and "trust-at-work" in slugs(response.json())

    def test_the_schema_documents_the_endpoint(self, client, magazine):
        schema = client.get("/api/v1/schema/?format=json").json()
        operation = schema["paths"]["/api/v1/search/"]["get"]
        assert {p["name"] for p in operation["parameters"]} == {"q", "section", "topic", "limit", "offset"}
        assert "400" in operation["responses"]
        assert "facets" in schema["components"]["schemas"]["SearchResults"]["properties"]


# The search (one query), visible rows of the matches, visible sections, the matches' topics, the
# page's text and its authors, and the content generation (7). Cards are the memoised ones.
SEARCH_QUERIES = 7


def count_queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_search_costs_the_same_for_1_and_40_matches(client, settings, db):
    settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}
    section = factories.section("Counted")
    factories.article(section, "Lone quokka", topics=["Quokkas"])
    assert count_queries(client, "/api/v1/search/?q=quokka") == SEARCH_QUERIES
    for i in range(40):
        factories.article(
            section, f"Many wombats {i}", topics=["Wombats", f"Topic {i % 4}"], authors=(factories.person(),)
        )
    url = "/api/v1/search/?q=wombats&limit=40"
    assert count_queries(client, url) == SEARCH_QUERIES
    assert client.get(url).json()["count"] == 40
