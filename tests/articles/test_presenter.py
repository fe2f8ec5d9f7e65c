"""The article presenter (``articles.presenter``): one batch load for the HTML page and the API bundle.

Query counts are asserted as constants at two sizes (more blocks, more authors, more picks); the
engine is stubbed so that its own cost does not count. Counts are taken on the second request of a
URL (the first makes the image renditions) with the response cache off.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations import interface
from recommendations.interface import RelatedArticle, SupportResult, SupportSuggestion
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WELLNESS = {
        **getattr(settings, "WELLNESS", {}),
        "ANON_RATE": None,
        "API_RESPONSE_CACHE_TIMEOUT": 0,
    }
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # makes renditions, warms Wagtail's site cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def stub_engine(monkeypatch):
    state = {"listing": None, "related": []}

    def find_support(article, **kwargs):
        listing = state["listing"]
        return SupportResult([SupportSuggestion(listing, ["Near you"])] if listing else [])

    def related_articles(article, *, limit=6, generation=None):
        return [RelatedArticle(p, "automatic", ["Same topic"]) for p in state["related"]][:limit]

    monkeypatch.setattr(interface, "find_support", find_support)
    monkeypatch.setattr(interface, "related_articles", related_articles)
    return state


class TestByline:
    def test_author_photos_cost_the_same_for_one_and_five_authors(self, client, stub_engine):
        section = factories.section("Bylines")
        reviewer = factories.person("Photo Reviewer", board=True, reviewer=True, photo=factories.image("R"))
        people = [factories.person(f"Photo Writer {i}", photo=factories.image(f"W{i}")) for i in range(5)]
        one = factories.expert_review(factories.article(section, "One author", authors=people[:1]), reviewer)
        five = factories.expert_review(factories.article(section, "Five authors", authors=people), reviewer)
        counts = [queries(client, one.url), queries(client, five.url)]
        print("byline", counts)
        assert counts[0] == counts[1]
