"""Article cards from the per-generation card directory equal cards read per request, and stay fresh."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage
from tests import factories
from tests.api.conftest import make_image
from website.api.cards import card_directory, clear_card_memo, rendered_article_cards
from website.freshness import clear_process_memos, content_changed, content_generation


@pytest.fixture
def articles(site_content):
    """Reviewed and unreviewed articles with heroes, authors and topics; three hidden ones."""
    section, reviewer, author = site_content["section"], site_content["reviewer"], site_content["author"]
    other_section = factories.section("Sleep & Rest")
    shown = [site_content["other"]]
    for n in range(4):
        page = factories.article(
            section if n % 2 else other_section,
            f"Card article {n}",
            topics=["Trust", f"Zeta {n}", "Anxiety"],
            authors=(author, reviewer) if n % 2 else (reviewer,),
            hero_image=make_image(f"Hero {n}") if n != 2 else None,
            standfirst=f"Standfirst {n}",
        )
        if n != 3:
            factories.expert_review(page, reviewer)
        shown.append(ArticlePage.objects.get(pk=page.pk))
    hidden = [factories.article(section, f"Hidden {n}", topics=["Trust"]) for n in range(3)]
    ArticlePage.objects.filter(pk=hidden[0].pk).update(expire_at=timezone.now() - datetime.timedelta(hours=1))
    PageViewRestriction.objects.create(page=hidden[1], restriction_type="password", password="x")
    ArticlePage.objects.filter(pk=hidden[2].pk).update(live=False)
    content_changed()
    return {"shown": shown, "hidden": hidden}


def cards(ids, *, directory: bool, settings) -> dict:
    limit = 50000 if directory else 0
    settings.WELLNESS = {**settings.WELLNESS, "API_CARD_DIRECTORY_MAX_ARTICLES": limit}
    clear_process_memos()
    token = content_generation()[0]
    found = rendered_article_cards(ids, "http://testserver", token)
    assert (card_directory(token) is not None) == directory
    return found


def test_directory_cards_equal_cards_read_per_request(articles, settings):
    ids = [p.pk for p in articles["shown"] + articles["hidden"]]
    from_directory = cards(ids, directory=True, settings=settings)
    assert from_directory == cards(ids, directory=False, settings=settings)
    assert set(from_directory) == {p.pk for p in articles["shown"]}
    card = from_directory[articles["shown"][2].pk]
    assert card["title"] == "Card article 1" and card["standfirst"] == "Standfirst 1"
    assert [a["name"] for a in card["authors"]] == ["Ben Ode", "Ana Ruiz"]
    assert card["reviewer"]["display_name"] == "Dr. Ana Ruiz" and card["reviewer"]["board_badge"]
    assert [t["name"] for t in card["topics"]] == ["Anxiety", "Trust", "Zeta 1"]
    assert card["section"]["title"] == "Trends & Signals" and card["image"]["url"]
    assert from_directory[articles["shown"][4].pk]["reviewer"] is None


def test_cards_from_the_directory_cost_no_query(articles, settings):
    token = content_generation()[0]
    card_directory(token)
    ids = [p.pk for p in articles["shown"]]
    rendered_article_cards(ids, "http://testserver", token)  # renditions are made on first use
    clear_card_memo()  # rendered cards forgotten, the directory kept
    with CaptureQueriesContext(connection) as queries:
        found = rendered_article_cards(ids, "http://testserver", token)
    assert len(found) == len(ids)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries]
    assert tables == ['"wagtailimages_image"', '"wagtailimages_rendition"']  # the hero images only


def test_a_directory_larger_than_the_setting_is_not_built(articles, settings):
    count = len(articles["shown"])
    settings.WELLNESS = {**settings.WELLNESS, "API_CARD_DIRECTORY_MAX_ARTICLES": count}
    clear_process_memos()
    assert len(card_directory(content_generation()[0])) == count
    settings.WELLNESS = {**settings.WELLNESS, "API_CARD_DIRECTORY_MAX_ARTICLES": count - 1}
    clear_process_memos()
    assert card_directory(content_generation()[0]) is None


def test_an_edit_a_review_and_a_hidden_article_show_at_once(articles, site_content):
    page = articles["shown"][4]
    first, reviewed = articles["shown"][1], articles["shown"][2]
    ids = [page.pk, first.pk, reviewed.pk]
    assert set(rendered_article_cards(ids, "http://testserver", content_generation()[0])) == set(ids)
    page.title = "Retitled"
    page.save_revision().publish()
    factories.expert_review(page, site_content["reviewer"])
    PageViewRestriction.objects.create(page=first, restriction_type="password", password="x")
    found = rendered_article_cards(ids, "http://testserver", content_generation()[0])
    assert set(found) == {page.pk, reviewed.pk}
    assert found[page.pk]["title"] == "Retitled"
    assert found[page.pk]["reviewer"]["display_name"] == "Dr. Ana Ruiz"
