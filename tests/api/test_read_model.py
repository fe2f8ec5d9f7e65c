"""The read model (``articles.readmodel``): cards from the snapshot equal cards read per request,
the snapshot is immutable and swapped whole, it hides what ``visible()`` hides, and stays fresh."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from articles.cards import rendered_article_cards
from articles.models import ArticlePage
from articles.readmodel import ArticleRow, read_model
from articles.visibility import visible
from tests import factories
from tests.api.conftest import make_image
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


def cards(ids, *, snapshot_rows: bool, settings) -> dict:
    limit = 50000 if snapshot_rows else 0
    settings.WELLNESS = {**settings.WELLNESS, "READ_MODEL_MAX_ARTICLES": limit}
    clear_process_memos()
    token = content_generation()[0]
    found = rendered_article_cards(ids, "http://testserver", token)
    assert (read_model(token).articles is not None) == snapshot_rows
    return found


def test_snapshot_cards_equal_cards_read_per_request_and_for_previews(articles, settings):
    ids = [p.pk for p in articles["shown"] + articles["hidden"]]
    from_directory = cards(ids, snapshot_rows=True, settings=settings)
    assert from_directory == cards(ids, snapshot_rows=False, settings=settings)
    assert from_directory == rendered_article_cards(ids, "http://testserver", None)  # a preview's
    assert set(from_directory) == {p.pk for p in articles["shown"]}
    card = from_directory[articles["shown"][2].pk]
    assert card["title"] == "Card article 1" and card["standfirst"] == "Standfirst 1"
    assert [a["name"] for a in card["authors"]] == ["Ben Ode", "Ana Ruiz"]
    assert card["reviewer"]["display_name"] == "Dr. Ana Ruiz" and card["reviewer"]["board_badge"]
    assert [t["name"] for t in card["topics"]] == ["Anxiety", "Trust", "Zeta 1"]
    assert card["section"]["title"] == "Trends & Signals" and card["image"]["url"]
    assert from_directory[articles["shown"][4].pk]["reviewer"] is None


def test_cards_from_the_snapshot_cost_no_query_but_their_images(articles, settings):
    token = content_generation()[0]
    ids = [p.pk for p in articles["shown"]]
    rendered_article_cards(ids, "http://testserver", token)  # renditions are made on first use
    # Another public root: the same rows, cards not rendered yet for it.
    with CaptureQueriesContext(connection) as queries:
        found = rendered_article_cards(ids, "http://other.example", token)
    assert len(found) == len(ids) and found[ids[1]]["image"]["url"].startswith("http://other.example/")
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries]
    assert tables == ['"wagtailimages_image"', '"wagtailimages_rendition"']  # the hero images only
    with CaptureQueriesContext(connection) as queries:
        assert rendered_article_cards(ids, "http://other.example", token) == found
    assert len(queries) == 0  # rendered cards are kept on the snapshot


def test_above_the_size_limit_the_snapshot_holds_no_article_rows(articles, settings):
    count = len(articles["shown"])
    settings.WELLNESS = {**settings.WELLNESS, "READ_MODEL_MAX_ARTICLES": count}
    clear_process_memos()
    model = read_model()
    assert set(model.articles) == {p.pk for p in articles["shown"]} and model.picks is not None
    settings.WELLNESS = {**settings.WELLNESS, "READ_MODEL_MAX_ARTICLES": count - 1}
    clear_process_memos()
    model = read_model()
    assert model.articles is None and model.by_slug is None and model.picks is None
    # Rows are then read per request, the same rows.
    assert set(model.rows([p.pk for p in articles["shown"] + articles["hidden"]])) == {
        p.pk for p in articles["shown"]
    }


def test_the_snapshot_is_immutable_and_swapped_whole(articles):
    model = read_model()
    page = articles["shown"][1]
    row = model.articles[page.pk]
    assert isinstance(row, ArticleRow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.title = "Changed"
    with pytest.raises(TypeError):
        model.articles[page.pk] = row
    with pytest.raises(TypeError):
        model.sections["x"] = None
    assert read_model() is model  # the same generation: the same object
    page.title = "Renamed"
    page.save_revision().publish()
    renewed = read_model()
    assert renewed is not model and renewed.articles[page.pk].title == "Renamed"
    # A request that took the old snapshot keeps reading it whole.
    assert model.articles[page.pk].title == "Card article 0"


def test_the_snapshot_hides_what_visible_hides(articles, site_content):
    section = site_content["section"]
    inner = factories.article(section, "Inside a closed section")
    Page.objects.filter(pk=section.pk).update(live=False)
    content_changed()
    model = read_model()
    now = timezone.now()
    shown_ids = set(visible(Page.objects.all()).values_list("pk", flat=True))
    for page in Page.objects.filter(depth__gt=1):
        in_python = (
            page.live and not (page.expire_at and page.expire_at <= now) and not model.is_hidden(page.path)
        )
        assert in_python == (page.pk in shown_ids), page.title
    assert inner.pk not in model.articles and section.path not in model.sections
    assert all(s.path in {p.path for p in visible(Page.objects.all())} for s in model.sections.values())


def test_the_snapshot_serves_until_the_next_expiry_passes(articles):
    page = articles["shown"][1]
    moment = timezone.now() + datetime.timedelta(minutes=2)
    ArticlePage.objects.filter(pk=page.pk).update(expire_at=moment)
    content_changed()
    model = read_model()
    assert model.next_expiry == moment and page.pk in model.articles
    assert model.serves(model.token, moment - datetime.timedelta(seconds=1))
    assert not model.serves(model.token, moment)
    assert not model.serves("another token", timezone.now())


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


def test_bylines_badge_in_sql_says_what_the_person_says(site_content):
    """The snapshot computes the board badge in SQL (``Credential.valid_on``); it must agree with
    ``Person.shows_board_badge`` for every credential state, for authors and reviewers alike."""
    from experts.models import Credential, Person

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    states = {
        "valid": (today - 10 * day, today + day),
        "open-ended": (today - day, None),
        "expires today": (today - 10 * day, today),
        "expired": (today - 10 * day, today - day),
        "verified tomorrow": (today + day, None),
        "unverified": (None, None),
    }
    people = []
    for label, (verified, expires) in states.items():
        for board in (True, False):
            person = factories.person(f"{label} {board}", board=False, author=True)
            Person.objects.filter(pk=person.pk).update(is_board_member=board, is_reviewer=True)
            Credential.objects.create(person=person, title="MSc", verified_on=verified, expires_on=expires)
            people.append(person)
    section = site_content["section"]
    authored = factories.article(section, "Written by all", authors=people[: len(people) // 2])
    reviewed = [factories.article(section, f"Reviewed {n}") for n in range(len(people) // 2, len(people))]
    for page, reviewer in zip(reviewed, people[len(people) // 2 :], strict=True):
        factories.expert_review(page, reviewer)
    content_changed()
    model = read_model()
    shown = {b.id: b.board_badge for b in model.articles[authored.pk].authors}
    shown.update(
        {model.articles[p.pk].reviewer.id: model.articles[p.pk].reviewer.board_badge for p in reviewed}
    )
    expected = {p.pk: Person.objects.get(pk=p.pk).shows_board_badge for p in people}
    assert shown == expected
    assert any(expected.values()) and not all(expected.values())
