"""Reader search on a real Elasticsearch or OpenSearch node (``engine_live``).

Run with a node: ``make search-engine``, then
``SEARCH_ENGINE_URL=http://127.0.0.1:9200 .venv/bin/pytest -m engine_live tests/search``.
Each test worker searches its own alias, ``test_live_<worker>_search_search_articles``; its
indexes are deleted by name after each test (never by wildcard: Elasticsearch 8 refuses that).
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage
from recommendations.engine import connect
from search.backends import get_backend, reset_backends
from search.interface import breaker
from search.query import SearchQuery
from tests import factories
from tests.recommendations.live import live_engine_url, live_prefix

pytestmark = [pytest.mark.engine_live, pytest.mark.django_db]


@pytest.fixture
def engine(settings, worker_id):
    """Search on the live node, under this worker's own alias; its indexes removed by name after."""
    url = live_engine_url()
    alias = live_prefix(worker_id, "search") + "_search_articles"
    settings.WELLNESS = {
        **settings.WELLNESS,
        "SEARCH_BACKEND": "engine",
        "SEARCH_ENGINE_URL": url,
        "SEARCH_ENGINE": "auto",
        "SEARCH_INDEX": alias,
        "SEARCH_ENGINE_TIMEOUT": 10,
    }
    reset_backends()
    client = connect(url, timeout=10)
    _drop(client, alias)
    yield get_backend("engine")
    _drop(client, alias)
    client.close()
    reset_backends()


def _drop(client, alias: str) -> None:
    for name in client.index_names(f"{alias}_*"):
        client.delete_index(name)


def rebuilt(engine):
    report = engine.rebuild(log=lambda *a: None)
    assert report["failed"] == []
    return report


def search(client, query: str) -> dict:
    response = client.get(f"/api/v1/search/?{query}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["backend"] == "engine", "the engine did not answer"
    return data


def slugs(data: dict) -> list[str]:
    return [hit["article"]["slug"] for hit in data["results"]]


def engine_ids(engine, words: str) -> set[int]:
    """What the index itself holds for ``words``, before the database's visibility check."""
    from search.queries import search_query

    response = engine.client.search(engine.index().alias, search_query(SearchQuery(words, limit=100)))
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


class TestIndex:
    def test_versioned_index_behind_the_alias_with_the_topic_synonyms(self, engine, magazine):
        first = rebuilt(engine)
        assert first["indexed"] == 5
        alias = engine.index().alias
        assert engine.client.alias_targets(alias) == [first["index"]]
        assert first["index"].startswith(alias + "_")
        settings = engine.client.call(_settings, engine.client, first["index"])
        rules = settings[first["index"]]["settings"]["index"]["analysis"]["filter"]["topic_synonyms"][
            "synonyms"
        ]
        assert rules == ["couples therapy, marriage counselling", "trust, infidelity, affair"]
        second = rebuilt(engine)
        assert engine.client.alias_targets(alias) == [second["index"]]
        assert first["index"] not in engine.client.index_names(f"{alias}_*")

    def test_rebuild_search_command(self, engine, magazine):
        out = io.StringIO()
        call_command("rebuild_search", stdout=out)
        assert f"5 articles in {engine.index().alias}_" in out.getvalue()
        assert "Search index rebuilt." in out.getvalue()


def _settings(client, index):
    if client.kind == "opensearch":
        return client.os.indices.get_settings(index=index)
    return client.es.indices.get_settings(index=index).body


class TestSearch:
    def test_a_title_match_ranks_above_a_body_match(self, client, engine, magazine):
        rebuilt(engine)
        found = slugs(search(client, "q=trust"))
        assert {"rebuilding-trust-after-a-breach", "arguing-well-as-a-couple", "trust-falls"} <= set(found)
        assert found.index("rebuilding-trust-after-a-breach") < found.index("arguing-well-as-a-couple")

    def test_faq_topics_and_authors(self, client, engine, magazine):
        rebuilt(engine)
        assert slugs(search(client, "q=cognitive")) == ["insomnia-basics"]
        assert slugs(search(client, "q=noor+estel")) == ["insomnia-basics"]
        assert "two-chairs-one-room" in slugs(search(client, "q=couples"))

    def test_snippets_are_marked_and_escaped(self, client, engine, magazine):
        rebuilt(engine)
        data = search(client, "q=trust")
        arguing = next(h for h in data["results"] if h["article"]["slug"] == "arguing-well-as-a-couple")
        assert "keeps <mark>trust</mark> intact" in arguing["snippet"]
        response = client.get("/api/v1/search/?q=falls")
        assert "<script" not in response.content.decode()
        falls = response.json()["results"][0]
        assert falls["title"] == "Trust <mark>falls</mark>"
        html = client.get("/search/?q=falls").content.decode()
        assert "<script" not in html and "Trust <mark>falls</mark>" in html

    def test_typos_are_forgiven(self, client, engine, magazine):
        rebuilt(engine)
        assert "insomnia-basics" in slugs(search(client, "q=theraphy"))  # "cognitive therapy" in its FAQ
        assert "rebuilding-trust-after-a-breach" in slugs(search(client, "q=rebuildng+trst"))
        database = get_backend("database").search(SearchQuery("theraphy"))
        assert database.total == 0  # the engine's doing, not the words'

    def test_a_topic_synonym_finds_the_topic_s_articles(self, client, engine, magazine):
        rebuilt(engine)
        assert set(slugs(search(client, "q=marriage+counselling"))) == {
            "two-chairs-one-room",
            "arguing-well-as-a-couple",
        }
        assert {"rebuilding-trust-after-a-breach", "trust-falls"} <= set(
            slugs(search(client, "q=infidelity"))
        )

    def test_facets_and_filters_agree_with_the_database(self, client, engine, magazine):
        rebuilt(engine)
        for query in ("q=trust", "q=trust&topic=trust", "q=therapy&section=sleep-health", "q=therapy"):
            on_engine = search(client, query)
            with override_settings(WELLNESS={**settings.WELLNESS, "SEARCH_BACKEND": "database"}):
                reset_backends()
                on_database = client.get(f"/api/v1/search/?{query}").json()
            reset_backends()
            assert on_database["backend"] == "database"
            assert on_engine["facets"] == on_database["facets"], query
            assert on_engine["count"] == on_database["count"], query

    def test_pages(self, client, engine, magazine):
        rebuilt(engine)
        first, second = search(client, "q=trust&limit=2"), search(client, "q=trust&limit=2&offset=2")
        assert first["count"] == 3 and len(first["results"]) == 2 and "offset=2" in first["next"]
        assert len(second["results"]) == 1 and not set(slugs(first)) & set(slugs(second))

    @pytest.mark.parametrize("text", ["title:(trust OR", '"trust', "trust*", "trust~2 AND", "(", "/"])
    def test_hostile_queries_never_fail(self, client, engine, magazine, text):
        rebuilt(engine)
        response = client.get("/api/v1/search/", {"q": text})
        assert response.status_code in (200, 400), response.content
        if response.status_code == 200:
            assert response.json()["backend"] == "engine"
        else:
            assert response.json()["errors"][0]["name"] == "q"


class TestFreshness:
    def test_unpublish_and_publish_reach_the_index(
        self, client, engine, magazine, django_capture_on_commit_callbacks
    ):
        rebuilt(engine)
        page = ArticlePage.objects.get(pk=magazine["pages"]["title_trust"].pk)
        with django_capture_on_commit_callbacks(execute=True):
            page.unpublish()
        engine.client.refresh(engine.index().alias)
        assert page.pk not in engine_ids(engine, "trust")
        assert "rebuilding-trust-after-a-breach" not in slugs(search(client, "q=trust"))
        with django_capture_on_commit_callbacks(execute=True):
            new = factories.article(magazine["sections"][0], "Trust and the teenage brain")
        engine.client.refresh(engine.index().alias)
        assert new.pk in engine_ids(engine, "teenage")
        assert slugs(search(client, "q=teenage")) == ["trust-and-the-teenage-brain"]

    def test_a_stale_index_never_shows_a_hidden_article(self, client, engine, magazine):
        rebuilt(engine)
        page = magazine["pages"]["title_trust"]
        PageViewRestriction.objects.create(page=page, restriction_type="login")  # no reindex
        assert page.pk in engine_ids(engine, "breach")
        data = search(client, "q=breach")
        assert data["results"] == []


def test_the_breaker_stays_closed_on_a_healthy_node(client, engine, magazine):
    rebuilt(engine)
    for _ in range(4):
        search(client, "q=trust")
    assert not breaker.is_open()
