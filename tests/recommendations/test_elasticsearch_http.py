"""The Elasticsearch backend over HTTP, against a local stand-in server (no real cluster here).

Covers: rebuild (versioned index, bulk, one atomic ``_aliases`` request, old index deleted),
single-document writes from tasks, reads, 429 retries and reporting, errors, timeouts, a closed
port and a server that never answers (the reader still gets suggestions from the database), and
the circuit breaker.
"""

import pytest
from django.core.management import call_command

from recommendations.backends import get_backend, reset_backends
from recommendations.breaker import breaker
from recommendations.interface import ReaderContext, find_support, related_articles

from .es_standin import SilentServer, StandInElasticsearch, closed_port_url

pytestmark = pytest.mark.django_db


def use_es(settings, url, **extra):
    settings.WELLNESS = {
        **settings.WELLNESS,
        "RECOMMENDATIONS_BACKEND": "elasticsearch",
        "RECOMMENDATIONS_ES_URL": url,
        # The stand-in speaks Elasticsearch 8's HTTP dialect; auto-detection is tested on its own.
        "RECOMMENDATIONS_ENGINE": "elasticsearch",
        "RECOMMENDATIONS_ES_INDEX_PREFIX": "t_reco",
        "RECOMMENDATIONS_ES_TIMEOUT": 0.5,
        "RECOMMENDATIONS_ES_BULK_BACKOFF": 0.01,
        "RECOMMENDATIONS_BREAKER_FAILURES": 3,
        # Find support asks the engine only beyond the in-process listing directory: as on a
        # directory too large for memory, so that these tests exercise the engine's own path.
        "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS": 0,
        # Related articles likewise: the engine's own query, not the neighbour table.
        "RECOMMENDATIONS_RELATED_FROM_ENGINE": True,
        **extra,
    }
    reset_backends()


@pytest.fixture
def es(settings):
    server = StandInElasticsearch().start()
    use_es(settings, server.url)
    yield server
    server.stop()


class TestRebuild:
    def test_versioned_index_bulk_then_one_alias_swap_then_old_index_removed(self, es, catalogue):
        backend = get_backend("elasticsearch")
        backend.rebuild(log=lambda *a: None)
        first = es.resolve("t_reco_articles")
        assert len(first) == 1 and first[0].startswith("t_reco_articles_")
        assert len(es.indices[first[0]]) == 4  # four live articles
        assert len(es.indices[es.resolve("t_reco_listings")[0]]) == 10

        es.requests.clear()
        backend.rebuild(log=lambda *a: None)
        second = es.resolve("t_reco_articles")
        assert second != first
        alias_requests = [body for method, path, body in es.requests if path == "/_aliases"]
        assert len(alias_requests) == 2  # one per kind
        actions = alias_requests[0]["actions"]
        assert actions == [
            {"add": {"index": second[0], "alias": "t_reco_articles"}},
            {"remove": {"index": first[0], "alias": "t_reco_articles"}},
        ]
        paths = [p for m, p, _ in es.requests]
        assert paths.index(f"/{second[0]}") < paths.index("/_bulk") < paths.index("/_aliases")
        assert ("DELETE", f"/{first[0]}") in [(m, p) for m, p, _ in es.requests]
        assert first[0] not in es.indices

    def test_429_documents_are_retried(self, es, catalogue):
        flagship = str(catalogue["flagship"].pk)
        es.reject_429[f"t_reco_articles/{flagship}"] = 2
        report = get_backend("elasticsearch").rebuild(log=lambda *a: None)
        assert report["failed"] == []
        assert flagship in es.indices[es.resolve("t_reco_articles")[0]]
        bulks = [body for m, p, body in es.requests if p == "/_bulk"]
        assert len(bulks) == 1 + 3  # articles: first attempt and two retries; listings once
        assert [line["index"]["_id"] for line in bulks[2][::2]] == [
            flagship
        ]  # only the refused one is resent

    def test_documents_still_refused_are_reported_and_the_command_fails(self, es, catalogue):
        flagship = catalogue["flagship"].pk
        es.reject_429[f"t_reco_articles/{flagship}"] = 99
        report = get_backend("elasticsearch").rebuild(log=lambda *a: None)
        assert [pk for pk, _ in report["failed"]] == [f"articles/{flagship}"]
        assert "429" in report["failed"][0][1]
        assert len(es.indices[es.resolve("t_reco_articles")[0]]) == 3  # the rest went live
        with pytest.raises(Exception, match="could not be indexed"):
            call_command(
                "rebuild_recommendations",
                "--backend",
                "elasticsearch",
                stdout=open("/dev/null", "w"),
                stderr=open("/dev/null", "w"),
            )


class TestReadsAndWrites:
    def test_reads_come_from_elasticsearch(self, es, catalogue):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        related = related_articles(catalogue["flagship"])
        assert catalogue["flagship"].pk not in [r.article.pk for r in related]
        assert {"jealousy-and-trust", "arguing-well-as-a-couple"} <= {r.article.slug for r in related}
        assert any(p.endswith("t_reco_articles/_search") for p in es.paths("POST"))
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", modality="in_person")
        )
        assert result.backend == "elasticsearch"
        assert {s.listing.slug for s in result.suggestions} == {"berlin-couples", "hamburg-couples"}

    def test_find_support_reads_the_listing_directory_when_it_fits(self, settings, es, catalogue):
        use_es(settings, es.url, RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS=20000)
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        es.requests.clear()
        es.search_status = 500  # the engine is not asked, so its failures do not matter here
        result = find_support(
            catalogue["flagship"], context=ReaderContext(country="DE", modality="in_person")
        )
        assert result.backend == "elasticsearch"
        assert {s.listing.slug for s in result.suggestions} == {"berlin-couples", "hamburg-couples"}
        assert not [path for _, path, _ in es.requests if "_search" in path]

    def test_related_reads_the_neighbour_table_when_the_article_is_indexed(self, settings, es, catalogue):
        use_es(settings, es.url, RECOMMENDATIONS_RELATED_FROM_ENGINE=False)
        get_backend("database").rebuild(log=lambda *a: None)
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        expected = [
            (r.article.pk, r.reasons) for r in get_backend("database").related_articles(catalogue["flagship"])
        ]
        es.requests.clear()
        es.search_status = 500  # the engine is not asked, so its failures do not matter here
        related = related_articles(catalogue["flagship"])
        assert [(r.article.pk, r.reasons) for r in related] == expected
        assert {"jealousy-and-trust", "arguing-well-as-a-couple"} <= {r.article.slug for r in related}
        assert not [path for _, path, _ in es.requests if "_search" in path]

    def test_related_asks_the_engine_for_an_article_the_table_does_not_hold(self, settings, es, catalogue):
        use_es(settings, es.url, RECOMMENDATIONS_RELATED_FROM_ENGINE=False)
        get_backend("database").rebuild(log=lambda *a: None)
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        get_backend("database").store.remove_article(catalogue["flagship"].pk)  # as if not indexed yet
        es.requests.clear()
        related = related_articles(catalogue["flagship"])
        assert {"jealousy-and-trust", "arguing-well-as-a-couple"} <= {r.article.slug for r in related}
        assert any(path.endswith("t_reco_articles/_search") for _, path, _ in es.requests)

    def test_engine_text_scores_are_scaled_by_the_articles_own_score(self, es, catalogue):
        # The stand-in scores a hit 1 + the topics it shares with the query; the article itself
        # comes back (``include``) sharing both of its topics: 3, the most any hit can reach.
        backend = get_backend("elasticsearch")
        backend.rebuild(log=lambda *a: None)
        flagship = catalogue["flagship"]
        facts = backend.article_facts(flagship)
        found = dict(backend.related_candidates(flagship, facts, {flagship.pk}, size=10))
        assert flagship.pk not in found
        assert found[catalogue["jealousy"].pk]["text_score"] == 1.0  # both topics, as the article
        assert found[catalogue["arguing"].pk]["text_score"] == round(2 / 3, 6)  # one of the two

    def test_stale_index_never_shows_an_unpublished_article(self, es, catalogue):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        catalogue["jealousy"].unpublish()  # no commit hook in this test: the index keeps the document
        assert "jealousy-and-trust" not in {r.article.slug for r in related_articles(catalogue["flagship"])}

    def test_tasks_write_single_documents(self, es, catalogue, django_capture_on_commit_callbacks):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        index = es.resolve("t_reco_articles")[0]
        with django_capture_on_commit_callbacks(execute=True):
            catalogue["jealousy"].unpublish()
        assert str(catalogue["jealousy"].pk) not in es.indices[index]
        listing = catalogue["listings"]["hamburg"]
        with django_capture_on_commit_callbacks(execute=True):
            listing.city = "Altona"
            listing.save()
        assert ("PUT", f"/t_reco_listings/_doc/{listing.pk}") in [(m, p) for m, p, _ in es.requests]

    def test_check_reports_drift_and_fix_repairs_it(self, es, catalogue):
        backend = get_backend("elasticsearch")
        backend.rebuild(log=lambda *a: None)
        index = es.resolve("t_reco_articles")[0]
        del es.indices[index][str(catalogue["flagship"].pk)]
        es.indices[index]["999999"] = {"fingerprint": "x"}
        es.indices[index][str(catalogue["arguing"].pk)]["fingerprint"] = "old"
        drift = backend.check(log=lambda *a: None)
        assert drift["articles missing"] == [catalogue["flagship"].pk]
        assert drift["articles extra"] == [999999]
        assert drift["articles stale"] == [catalogue["arguing"].pk]
        backend.check(fix=True, log=lambda *a: None)
        assert not any(backend.check(log=lambda *a: None).values())


class TestFailures:
    def assert_database_answers(self, catalogue):
        related = related_articles(catalogue["flagship"])
        assert related and related[0].article.slug == "jealousy-and-trust"
        result = find_support(catalogue["flagship"], context=ReaderContext(country="DE"))
        assert result.backend == "database" and result.suggestions

    def test_server_error_falls_back_to_database(self, es, catalogue):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        es.search_status = 500
        self.assert_database_answers(catalogue)

    def test_closed_port_falls_back(self, settings, catalogue):
        use_es(settings, closed_port_url())
        self.assert_database_answers(catalogue)

    def test_server_that_never_answers_falls_back_after_the_timeout(self, settings, catalogue):
        server = SilentServer()
        try:
            use_es(settings, server.url, RECOMMENDATIONS_ES_TIMEOUT=0.3)
            self.assert_database_answers(catalogue)
        finally:
            server.stop()

    def test_slow_server_times_out(self, es, catalogue):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        es.delay = 1.0
        self.assert_database_answers(catalogue)

    def test_breaker_opens_after_repeated_failures_and_skips_the_cluster(self, es, catalogue):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        es.search_status = 503
        for _ in range(3):
            related_articles(catalogue["flagship"])
        assert breaker.is_open()
        searches = len([p for p in es.paths() if p.endswith("_search")])
        self.assert_database_answers(catalogue)
        assert len([p for p in es.paths() if p.endswith("_search")]) == searches

    def test_breaker_closes_after_the_cooldown(self, es, catalogue, settings):
        get_backend("elasticsearch").rebuild(log=lambda *a: None)
        settings.WELLNESS = {**settings.WELLNESS, "RECOMMENDATIONS_BREAKER_COOLDOWN": 0}
        es.search_status = 503
        for _ in range(3):
            related_articles(catalogue["flagship"])
        es.search_status = None
        assert (
            find_support(catalogue["flagship"], context=ReaderContext(country="DE")).backend
            == "elasticsearch"
        )

    def test_publishing_with_an_unreachable_cluster_still_publishes(
        self, settings, catalogue, django_capture_on_commit_callbacks
    ):
        from tests import factories

        use_es(settings, closed_port_url())
        with django_capture_on_commit_callbacks(execute=True):
            page = factories.article(
                catalogue["sections"]["relationships"],
                "Published anyway",
                topics=[catalogue["topics"]["trust"]],
            )
        page.refresh_from_db()
        assert page.live
        from recommendations.models import ArticleProfile

        assert ArticleProfile.objects.filter(pk=page.pk).exists()  # the database side was still indexed


class TestTimeouts:
    @pytest.mark.parametrize("kind", ["elasticsearch", "opensearch"])
    def test_rebuild_steps_get_the_longer_write_timeout_and_reads_the_short_one(self, kind):
        from recommendations.engine import EngineError, connect

        server = StandInElasticsearch().start()
        try:
            client = connect(server.url, kind=kind, timeout=0.3, write_timeout=5)
            server.delay = 1.0  # longer than a read may wait, shorter than a rebuild step may
            client.create_index("t_slow_1", settings={}, mappings={})
            client.update_aliases([{"add": {"index": "t_slow_1", "alias": "t_slow"}}])
            with pytest.raises(EngineError) as timed_out:
                client.search("t_slow", {"query": {"match_all": {}}})
            assert timed_out.value.status is None
            server.delay = 0
            assert client.alias_targets("t_slow") == ["t_slow_1"]
        finally:
            server.stop()
