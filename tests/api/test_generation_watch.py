"""PostgreSQL's LISTEN/NOTIFY keeps each process's content generation current (generation_watch).

These tests commit for real (a notification is only delivered at commit), so they run outside the
per-test transaction. They need PostgreSQL: `.ci/run` runs the suite a second time against it.
"""

import time

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from website.freshness import clear_process_memos, content_changed, content_generation
from website.freshness.generation import read_generation
from website.freshness.watch import CHANNEL, enabled, watcher

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's; the PostgreSQL pass runs these"
)


def eventually(condition, seconds: float = 10.0):
    """Waits for the listener thread (an event, not a speed target: the bound only ends a hang)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture
def listener(settings):
    settings.WELLNESS = {**settings.WELLNESS, "API_GENERATION_LISTENER": True}
    content_changed()  # the row exists, committed
    clear_process_memos()
    eventually(watcher.known)
    yield watcher
    watcher.stop()
    clear_process_memos()


def test_off_unless_asked_and_never_on_sqlite(settings):
    settings.WELLNESS = {**settings.WELLNESS, "API_GENERATION_LISTENER": False}
    assert not enabled() and watcher.known() is None
    settings.WELLNESS = {**settings.WELLNESS, "API_GENERATION_LISTENER": True}
    assert enabled() is (connection.vendor == "postgresql")


@on_postgresql
def test_holds_the_committed_token(listener):
    assert listener.known() == read_generation()


@on_postgresql
def test_a_commit_by_another_process_reaches_it(listener):
    params = {
        k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")
    }
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("UPDATE wellness_api_contentgeneration SET token = 'from-elsewhere' WHERE id = 1")
        other.execute(f"NOTIFY {CHANNEL}")
    assert eventually(lambda: (listener.known() or ("",))[0] == "from-elsewhere")


@on_postgresql
def test_this_process_sees_its_own_commit_at_once(listener):
    before = listener.known()[0]
    content_changed()
    assert listener.known()[0] == read_generation()[0] != before


@on_postgresql
def test_a_rolled_back_change_is_never_announced(listener):
    from django.db import transaction

    before = listener.known()[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        content_changed()
        raise RuntimeError("rolled back")
    content_changed()  # a later commit: its notification comes after any earlier one
    after = read_generation()[0]
    assert eventually(lambda: (listener.known() or ("",))[0] == after) and after != before


@on_postgresql
def test_304_and_cache_hit_without_a_query_and_a_publish_shows_at_once(listener, client):
    section = factories.section("Signals")
    article = factories.article(section, "Listening for changes", topics=["Trust"])
    clear_process_memos()
    url = f"/api/v1/articles/{article.slug}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    client.get(url, HTTP_IF_NONE_MATCH=etag)  # the validator row is now remembered
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(url).content == first.content
    assert len(queries) == 0
    article.title = "Listening for changes, revised"
    article.save_revision().publish()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again.json()["title"] == "Listening for changes, revised"
    assert again.headers["ETag"] != etag


@on_postgresql
def test_while_the_listener_is_down_the_database_is_read(listener):
    old = listener._conn
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%%' "
            "OR (application_name = '' AND pid <> pg_backend_pid() AND datname = current_database())"
        )
    eventually(lambda: listener.known() is None)  # it waits a second before reconnecting
    with CaptureQueriesContext(connection) as queries:
        assert content_generation() == read_generation()
    assert len(queries) == 2
    eventually(lambda: listener._conn is not old and listener._conn is not None and listener.known())
    content_changed()
    assert listener.known() == read_generation()
