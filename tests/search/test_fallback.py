"""When the engine cannot answer, the database does: no 500, and the breaker stops the waiting."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from search.backends import reset_backends
from search.interface import breaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine_down(settings):
    # Nothing listens on port 9 (discard) of this machine: connections are refused at once.
    settings.WELLNESS = {
        **settings.WELLNESS,
        "SEARCH_BACKEND": "engine",
        "SEARCH_ENGINE_URL": "http://127.0.0.1:9",
        "SEARCH_ENGINE": "opensearch",
        "SEARCH_ENGINE_TIMEOUT": 1,
        "API_RESPONSE_CACHE_TIMEOUT": 0,
    }
    reset_backends()


def test_the_database_answers_when_the_engine_is_down(client, magazine, engine_down):
    for _ in range(3):
        response = client.get("/api/v1/search/?q=trust")
        assert response.status_code == 200
        data = response.json()
        assert data["backend"] == "database" and data["count"] == 3
    assert breaker.is_open()  # after RECOMMENDATIONS_BREAKER_FAILURES (3) failures in a row
    html = client.get("/search/?q=trust")
    assert html.status_code == 200 and "3 articles match" in html.content.decode()


def test_while_the_breaker_is_open_the_engine_is_not_asked(client, magazine, engine_down, monkeypatch):
    from search.backends.engine import EngineSearch

    breaker.record_failure()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.is_open()

    def fail(self, query):
        raise AssertionError("the engine was asked while the breaker is open")

    monkeypatch.setattr(EngineSearch, "search", fail)
    assert client.get("/api/v1/search/?q=trust").json()["backend"] == "database"


def test_the_etag_changes_when_the_fallback_answers(client, magazine, engine_down):
    before = client.get("/api/v1/search/?q=trust")["ETag"]
    for _ in range(3):
        breaker.record_failure()
    assert client.get("/api/v1/search/?q=trust")["ETag"] != before


def test_topics_saved_together_enqueue_one_rebuild(
    settings, db, monkeypatch, django_capture_on_commit_callbacks
):
    from search import tasks
    from tests import factories

    settings.WELLNESS = {**settings.WELLNESS, "SEARCH_BACKEND": "engine"}
    enqueued = []
    monkeypatch.setattr(tasks, "rebuild_index", SimpleNamespace(enqueue=lambda *a: enqueued.append(a)))
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("Grief", "Loneliness", "Burnout"):
            factories.topic(name, synonyms="x")
    assert enqueued == [()]
