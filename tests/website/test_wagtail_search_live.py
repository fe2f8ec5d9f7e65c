"""Wagtail's own search (admin and page search) on a real node, through ``website.search_backend``."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from recommendations.engine import connect
from tests import factories
from tests.recommendations.live import live_engine_kind, live_engine_url, live_prefix

pytestmark = [pytest.mark.engine_live, pytest.mark.django_db]


@pytest.fixture
def wagtail_on_engine(settings, worker_id):
    prefix = live_prefix(worker_id, "wagtail") + "_"
    client = connect(live_engine_url(), kind=live_engine_kind(), timeout=10)
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "website.search_backend",
            "ENGINE": live_engine_kind(),
            "URLS": [live_engine_url()],
            "INDEX_PREFIX": prefix,
            "TIMEOUT": 10,
        }
    }
    yield client, prefix
    for name in client.index_names(f"{prefix}*"):
        client.delete_index(name)
    client.close()


def test_wagtail_indexes_carry_the_prefix_and_find_articles(wagtail_on_engine):
    from wagtail.search.backends import get_search_backend

    from articles.models import ArticlePage

    client, prefix = wagtail_on_engine
    backend = get_search_backend()
    assert (
        type(backend).__module__
        == {
            "opensearch": "modelsearch.backends.opensearch3",
            "elasticsearch": "modelsearch.backends.elasticsearch8",
        }[client.kind]
    )
    factories.article(factories.section("Relationships"), "Rebuilding trust after an affair")
    factories.article(factories.section("Habits"), "Insomnia basics")
    call_command("update_index", stdout=None)
    # an atomic rebuild: the prefixed alias points at a prefixed, versioned index
    (target,) = client.alias_targets(f"{prefix}wagtailcore_page")
    assert target.startswith(f"{prefix}wagtailcore_page_")
    client.refresh(target)
    found = [page.title for page in backend.search("affair", ArticlePage.objects.live())]
    assert found == ["Rebuilding trust after an affair"]
