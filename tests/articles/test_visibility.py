"""An article past its expiry date is hidden everywhere at once, before ``publish_scheduled`` runs."""

import datetime

import pytest
from django.utils import timezone

from articles.models import ArticlePage
from recommendations.interface import related_articles
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_pick():
    author = factories.person("Noor Hale")
    section = factories.section("Relationships")
    current = factories.article(section, "Listening after an argument", topics=["trust"], authors=(author,))
    expired = factories.article(section, "Expired guidance on trust", topics=["trust"], authors=(author,))
    past = timezone.now() - datetime.timedelta(hours=1)
    ArticlePage.objects.filter(pk=expired.pk).update(expire_at=past)
    expired.refresh_from_db()
    assert expired.live  # still live: publish_scheduled has not run
    host = factories.article(
        section, "Rebuilding trust", topics=["trust"], authors=(author,), picks=(expired, current)
    )
    return section, author, host, expired


def test_expired_article_is_in_no_page_list_or_card(client, expired_pick):
    section, author, host, expired = expired_pick
    for url in ("/", section.url, host.url, author.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Expired guidance on trust" not in response.content.decode(), url
    assert client.get(expired.url).status_code == 404


def test_expired_article_is_never_suggested(expired_pick):
    _, _, host, expired = expired_pick
    suggested = [item.article.pk for item in related_articles(host, limit=10)]
    assert suggested  # the live pick and similar articles still come through
    assert expired.pk not in suggested


@pytest.mark.parametrize("how", ["unpublished", "expired"])
def test_articles_inside_a_hidden_section_are_hidden_everywhere(client, settings, how):
    """Issue 12, finding 7: an article is visible only if every section above it is."""
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": None}
    author = factories.person("Noor Hale")
    shown_section = factories.section("Relationships")
    hidden_section = factories.section("Withdrawn section")
    factories.article(shown_section, "Listening after an argument", topics=["trust"], authors=(author,))
    hidden = factories.article(hidden_section, "Orphaned guidance", topics=["trust"], authors=(author,))
    if how == "unpublished":
        hidden_section.unpublish()
    else:
        past = timezone.now() - datetime.timedelta(hours=1)
        type(hidden_section).objects.filter(pk=hidden_section.pk).update(expire_at=past)
    from articles.visibility import visible

    assert not visible(ArticlePage.objects.filter(pk=hidden.pk)).exists()
    assert visible(ArticlePage.objects.all()).count() == 1
    for url in (
        "/api/v1/articles/",
        "/api/v1/articles/?topic=trust",
        "/sitemap.xml",
        "/",
        author.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Orphaned guidance" not in body and "orphaned-guidance" not in body, url
    assert client.get(f"/api/v1/articles/{hidden.slug}/").status_code == 404
    assert client.get(hidden.url).status_code == 404


@pytest.mark.parametrize("indexed_depth", [12, 3, 2])
@pytest.mark.parametrize("how", ["unpublished", "expired"])
def test_hidden_ancestors_are_found_by_exact_path_and_below_it_by_prefix(monkeypatch, how, indexed_depth):
    """Ancestors down to ``INDEXED_ANCESTOR_DEPTH`` are matched by their exact paths (the index on
    ``path``), deeper ones by prefix: with the indexed depth lowered so that the section, or the
    section and the home page, lie below it, the prefix match alone must still hide the article."""
    from articles import visibility

    monkeypatch.setattr(visibility, "INDEXED_ANCESTOR_DEPTH", indexed_depth)
    author = factories.person("Noor Hale")
    shown = factories.article(
        factories.section("Relationships"), "Listening", topics=["trust"], authors=(author,)
    )
    hidden_section = factories.section("Withdrawn section")
    hidden = factories.article(hidden_section, "Orphaned guidance", topics=["trust"], authors=(author,))
    assert hidden_section.depth >= 3 and hidden.depth > hidden_section.depth
    if how == "unpublished":
        hidden_section.unpublish()
    else:
        past = timezone.now() - datetime.timedelta(hours=1)
        type(hidden_section).objects.filter(pk=hidden_section.pk).update(expire_at=past)
    assert list(visibility.visible(ArticlePage.objects.all()).values_list("pk", flat=True)) == [shown.pk]
