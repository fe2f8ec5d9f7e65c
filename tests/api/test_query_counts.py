"""Database queries per response, at two data sizes, as constants; Wagtail API v2 measured alongside.

Counts are taken on the second request for the same URL (the first one generates image
renditions). The figures are recorded in docs/api.md.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.api import APIField

from articles.models import ArticleAuthor, ArticlePage, EditorialPick
from tests import factories

pytestmark = pytest.mark.django_db

# The article list: its section, the count and the page's ids, plus the generation token (4). Its
# cards are the same cards as everywhere (``articles.cards.ArticleCards``), kept on the generation's
# read model; the first request of a generation in a process also reads the next expiry for the
# ETag (1), builds the read model (the page tree, pages, authors with their bylines, topics, the
# bylines of reviewers who are nobody's author, picks: 6) and loads the hero images and renditions
# (2).
ARTICLE_LIST_QUERIES = 4
ARTICLE_LIST_QUERIES_COLD = 13
LISTING_LIST_QUERIES = 8  # count, page, languages, specialties, approaches, images, renditions, version
NOT_MODIFIED_QUERIES = 1  # the article's validator row, with the content generation as a subquery


@pytest.fixture(autouse=True)
def no_response_cache(settings):
    """Every request builds its response (the response cache has its own tests in test_http.py)."""
    settings.WELLNESS = {**settings.WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0}


def count_queries(api, url: str, *, cold: bool = False) -> int:
    """Queries of the second request for ``url``; ``cold``: with this process's memos emptied first."""
    from website.freshness import clear_process_memos

    assert api(url).status_code == 200
    if cold:
        clear_process_memos()
    with CaptureQueriesContext(connection) as queries:
        assert api(url).status_code == 200
    return len(queries)


def add_articles(n: int, reviewer):
    section = factories.section(factories.unique("Section"))
    for i in range(n):
        page = factories.article(
            section,
            factories.unique("Counted"),
            topics=["Trust", f"Topic {i % 3}"],
            hero_image=factories.image(f"Hero {i}", size=(160, 90)),
            authors=(factories.person(), factories.person()),
        )
        factories.expert_review(page, reviewer)
    return section


def test_listing_list_costs_the_same_for_1_and_50_cards(api, db):
    trust = factories.topic("Trust")
    factories.listing(
        "Only one", country="FR", specialties=(trust,), image=factories.image("Logo", size=(400, 400))
    )
    assert count_queries(api, "/api/v1/listings/?country=FR") == LISTING_LIST_QUERIES
    for i in range(50):
        listing = factories.listing(
            f"Many {i}",
            country="DE",
            languages=("de", "en"),
            specialties=(trust,),
            approaches=(factories.approach(f"Approach {i % 4}"),),
            image=factories.image(f"Logo {i}", size=(400, 400)),
        )
        listing.save()
    assert count_queries(api, "/api/v1/listings/?country=DE&limit=50") == LISTING_LIST_QUERIES


def test_not_modified_costs_one_indexed_query(api, db):
    page = factories.article(None, "Cheap")
    etag = api(f"/api/v1/articles/{page.slug}/")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert api(f"/api/v1/articles/{page.slug}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == NOT_MODIFIED_QUERIES


@pytest.mark.urls("tests.api.wagtail_v2_urls")
def test_article_list_costs_the_same_for_1_and_50_cards_unlike_wagtail_v2(
    api, db, monkeypatch, settings, capsys
):
    """Ours is asserted constant; Wagtail's API v2 on the same pages is measured for the record."""
    settings.WAGTAILAPI_LIMIT_MAX = 100
    monkeypatch.setattr(
        ArticlePage,
        "api_fields",
        [
            APIField("standfirst"),
            APIField("body"),
            APIField("topics"),
            APIField("article_authors"),
            APIField("editorial_picks"),
            APIField("reading_time"),
            APIField("last_review"),
            APIField("hero_image"),
        ],
        raising=False,
    )
    monkeypatch.setattr(ArticleAuthor, "api_fields", [APIField("person")], raising=False)
    monkeypatch.setattr(EditorialPick, "api_fields", [APIField("picked")], raising=False)
    reviewer = factories.person("Rev", reviewer=True, board=True)
    one = add_articles(1, reviewer)
    page = ArticlePage.objects.child_of(one).first()
    assert count_queries(api, f"/api/v1/articles/?section={one.slug}") == ARTICLE_LIST_QUERIES
    assert count_queries(api, f"/api/v1/articles/?section={one.slug}", cold=True) == ARTICLE_LIST_QUERIES_COLD
    ours_detail = count_queries(api, f"/api/v1/articles/{page.slug}/")
    v2_detail = count_queries(api, f"/api/v2/pages/{page.pk}/?fields=*")
    v2_list_1 = count_queries(api, f"/api/v2/pages/?type=articles.ArticlePage&child_of={one.pk}&fields=*")
    many = add_articles(50, reviewer)
    v2_list_50 = count_queries(
        api, f"/api/v2/pages/?type=articles.ArticlePage&child_of={many.pk}&fields=*&limit=50"
    )
    ours_list_50 = count_queries(api, f"/api/v1/articles/?section={many.slug}&limit=50")
    ours_list_50_cold = count_queries(api, f"/api/v1/articles/?section={many.slug}&limit=50", cold=True)
    with capsys.disabled():
        print(
            f"\nqueries: ours detail {ours_detail}, v2 detail {v2_detail}; v2 list 1 -> {v2_list_1}, "
            f"50 -> {v2_list_50}; ours list 50 -> {ours_list_50}"
        )
    assert v2_list_50 > v2_list_1 and ours_list_50 == ARTICLE_LIST_QUERIES
    assert ours_list_50_cold == ARTICLE_LIST_QUERIES_COLD
