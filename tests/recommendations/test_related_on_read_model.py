"""Related articles ranked on the read model's rows equal those ranked on rows read per request."""

import datetime

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from articles.models import ArticlePage, EditorialPick
from articles.readmodel import ArticleRow, read_model
from recommendations.backends import get_backend
from recommendations.interface import related_articles
from tests import factories
from tests.recommendations.conftest import paragraph_body
from website.freshness import clear_process_memos, content_changed, content_generation


def described(related):
    return [(r.article.pk, r.article.slug, r.article.title, r.source, r.reasons, r.score) for r in related]


@pytest.fixture
def magazine(catalogue):
    """The catalogue plus picks (one a draft), and trust articles that are then hidden three ways
    without a reindex (their neighbour rows stay): expired, restricted, unpublished by an update."""
    relationships = catalogue["sections"]["relationships"]
    trust = catalogue["topics"]["trust"]
    hidden = [
        factories.article(
            relationships,
            f"Trust and repair {n}",
            topics=[trust],
            authors=(catalogue["people"]["jonas"],),
            body=paragraph_body("Couples rebuild trust after an affair with patience."),
        )
        for n in range(3)
    ]
    draft = factories.article(relationships, "Draft pick", publish=False)
    for page in (catalogue["insomnia"], draft, hidden[0]):
        EditorialPick.objects.create(page=catalogue["flagship"], picked=page)
    get_backend("database").rebuild(log=lambda *a: None)
    ArticlePage.objects.filter(pk=hidden[0].pk).update(expire_at=timezone.now() - datetime.timedelta(hours=1))
    PageViewRestriction.objects.create(page=hidden[1], restriction_type="password", password="x")
    ArticlePage.objects.filter(pk=hidden[2].pk).update(live=False)
    content_changed()
    return {**catalogue, "hidden": hidden}


def rank_everything(magazine, limits=(1, 3, 6, 12)):
    articles = [magazine[k] for k in ("flagship", "jealousy", "arguing", "insomnia")]
    return {(a.pk, n): described(related_articles(a, limit=n)) for a in articles for n in limits}


def test_the_snapshot_ranks_exactly_as_rows_read_per_request(magazine, settings):
    clear_process_memos()
    from_directory = rank_everything(magazine)
    assert read_model(content_generation()[0]).articles is not None
    settings.WELLNESS = {**settings.WELLNESS, "READ_MODEL_MAX_ARTICLES": 0}
    clear_process_memos()
    assert read_model(content_generation()[0]).articles is None
    assert rank_everything(magazine) == from_directory
    flagship = from_directory[(magazine["flagship"].pk, 6)]
    assert [item[1] for item in flagship[:1]] == ["insomnia-basics"]  # the only visible pick
    reasons = {item[1]: item[4] for item in flagship}
    assert "More from Relationships" in reasons["jealousy-and-trust"]
    assert "Also about trust" in reasons["jealousy-and-trust"]
    shown = {item[0] for items in from_directory.values() for item in items}
    assert not shown & {page.pk for page in magazine["hidden"]}
    assert {magazine["jealousy"].pk, magazine["arguing"].pk} <= shown


def test_suggestions_carry_read_model_rows_not_pages(magazine):
    related = related_articles(magazine["flagship"], limit=6)
    assert related
    for item in related:
        assert isinstance(item.article, ArticleRow) and not isinstance(item.article, Model)


def test_hiding_a_shown_article_takes_effect_on_the_next_request(magazine):
    jealousy = magazine["jealousy"]
    assert jealousy.slug in [r.article.slug for r in related_articles(magazine["flagship"])]
    PageViewRestriction.objects.create(page=jealousy, restriction_type="password", password="x")
    assert jealousy.slug not in [r.article.slug for r in related_articles(magazine["flagship"])]


def test_a_new_pick_and_a_renamed_article_show_on_the_next_request(magazine):
    flagship, arguing = magazine["flagship"], magazine["arguing"]
    related_articles(flagship)
    EditorialPick.objects.create(page=flagship, picked=arguing)
    arguing.title = "Arguing kindly"
    arguing.save_revision().publish()
    picks = [(r.article.title, r.source) for r in related_articles(flagship) if r.source == "editorial_pick"]
    assert picks == [("Insomnia basics", "editorial_pick"), ("Arguing kindly", "editorial_pick")]


def test_ranking_on_the_snapshot_costs_no_query_per_candidate(magazine):
    backend = get_backend("database")
    token = content_generation()[0]
    backend.related_articles(magazine["flagship"], limit=6, generation=token)  # builds the snapshot
    with CaptureQueriesContext(connection) as queries:
        related = backend.related_articles(magazine["flagship"], limit=12, generation=token)
    assert len(related) >= 3
    assert [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries] == [
        '"recommendations_relatedscore"'
    ]
