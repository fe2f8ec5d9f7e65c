"""The article presenter (``articles.presenter``): one batch load for the HTML page and the API bundle.

Query counts are asserted as constants at two sizes (more blocks, more authors, more picks, more
articles in a list); the engine is stubbed so that its own cost does not count. Counts are taken on
the second request of a URL (the first makes the image renditions and this generation's read
model), with the API's response cache off.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.images import HTML_RENDITIONS, ImageBatch
from articles.models import ArticlePage
from articles.presenter import ArticlePresenter
from recommendations import interface
from recommendations.interface import RelatedArticle, SupportResult, SupportSuggestion
from tests import factories

pytestmark = pytest.mark.django_db

# The article page (see tests/articles/test_templates.py::TestQueryCount for the parts).
ARTICLE_PAGE_QUERIES = 25
# The bundle once this process has served the generation: tests/api/test_bundle.py's 16 less the
# rich-text links (1) and the topics (1) these articles do not have.
BUNDLE_QUERIES = 14
# Every list's cards cost nothing once rendered for the generation (kept on its read model), and
# the hero images and renditions of the others (2) on the first request that shows them.
# Home: the site and the page 2, the hook that refuses hidden pages 2, the generation 1, the
# sections 1, the navigation's sections 1.
HOME_QUERIES = 7
# Section: the site and the route to the page 4, the hook 3, the generation 1, the navigation 1.
SECTION_QUERIES = 9
# Expert profile: the person, credentials, expertise 3, the generation 1, the navigation (with the
# site) 2.
EXPERT_QUERIES = 6


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WELLNESS = {
        **getattr(settings, "WELLNESS", {}),
        "ANON_RATE": None,
        "API_RESPONSE_CACHE_TIMEOUT": 0,
    }
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # makes renditions and the read model
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def stub_engine(monkeypatch):
    """The engine's two answers fixed (no queries): one listing, and the ``related`` articles."""
    state = {"listing": None, "related": []}

    def find_support(article, **kwargs):
        listing = state["listing"]
        return SupportResult([SupportSuggestion(listing, ["Near you"])] if listing else [])

    def related_articles(article, *, limit=6, generation=None):
        return [RelatedArticle(p, "automatic", ["Same topic"]) for p in state["related"]][:limit]

    monkeypatch.setattr(interface, "find_support", find_support)
    monkeypatch.setattr(interface, "related_articles", related_articles)
    return state


def photographed_people(n: int, prefix: str) -> list:
    return [factories.person(f"{prefix} {i}", photo=factories.image(f"{prefix} photo {i}")) for i in range(n)]


class TestByline:
    """ "About this article" shows every author's and the reviewer's photo: one batch for all."""

    @pytest.fixture
    def articles(self, stub_engine):
        section = factories.section("Bylines")
        reviewer = factories.person("Photo Reviewer", board=True, reviewer=True, photo=factories.image("R"))
        people = photographed_people(5, "Writer")
        one = factories.expert_review(factories.article(section, "One author", authors=people[:1]), reviewer)
        five = factories.expert_review(factories.article(section, "Five authors", authors=people), reviewer)
        return one, five

    def test_the_html_page_costs_the_same_for_one_and_five_authors(self, client, articles):
        one, five = articles
        assert queries(client, one.url) == queries(client, five.url)
        soup = BeautifulSoup(client.get(five.url).content, "html.parser")
        photos = soup.select(".about-article .author-bio img.person-photo")
        assert len(photos) == 5 and all("fill-96x96" in img["src"] for img in photos)
        assert "fill-96x96" in soup.select_one(".reviewer-card img.person-photo")["src"]

    def test_the_bundle_costs_the_same_for_one_and_five_authors(self, client, articles):
        one, five = articles
        # BUNDLE_QUERIES without listings (4): no find-support group.
        assert queries(client, f"/api/v1/articles/{one.slug}/") == BUNDLE_QUERIES - 4
        assert queries(client, f"/api/v1/articles/{five.slug}/") == BUNDLE_QUERIES - 4
        bundle = client.get(f"/api/v1/articles/{five.slug}/").json()
        assert [a["name"] for a in bundle["authors"]] == [f"Writer {i}" for i in range(5)]
        assert all(a["photo"]["url"] for a in bundle["authors"])

    def test_a_preview_loads_the_draft_byline_in_one_batch(self, articles):
        one, five = articles
        counts = []
        for page in (one, five):
            draft = page.get_latest_revision().as_object()
            for _attempt in range(2):  # the first makes the renditions
                presenter = ArticlePresenter(
                    draft,
                    suggestions=_NoSuggestions(),
                    reader_context=None,
                    images=ImageBatch("", HTML_RENDITIONS),
                    is_preview=True,
                )
                with CaptureQueriesContext(connection) as ctx:
                    presenter.load()
                    photos = [person.photo.get_rendition("fill-96x96").url for person in presenter.authors]
                    photos.append(presenter.review.reviewer.photo.get_rendition("fill-96x96").url)
            assert len(photos) == len(presenter.authors) + 1
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]


class _NoSuggestions:
    def related_articles(self, page, *, limit):
        return []

    def find_support(self, page, **options):
        return SupportResult([])


class TestArticlePage:
    """The HTML page and the bundle cost the same for a small and a larger article."""

    def _article(self, section, *, blocks: int, authors, picks, listings, images, reviewer):
        body = [factories.block("find_support", factories.find_support_value(mode="automatic"))]
        for i in range(blocks):
            body += [
                factories.block("heading", {"text": "Next steps", "level": "h2", "anchor": ""}),
                factories.block("paragraph", f"<p>Paragraph {i}.</p>"),
                factories.block("citation", factories.citation_value(f"Study {i}")),
                factories.block("find_support", factories.find_support_value(listings[i % 3 : i % 3 + 2])),
                factories.block("image", {"image": images[i % 3].pk, "alt": f"Picture {i}", "caption": ""}),
                factories.block("faq", factories.faq_value((f"Q{i}?", "A."))),
            ]
        page = factories.article(section, f"Article of {blocks}", body=body, authors=authors, picks=picks)
        return factories.expert_review(page, reviewer)

    @pytest.fixture
    def pages(self, stub_engine):
        section = factories.section("Sizes")
        reviewer = factories.person("Size Reviewer", board=True, reviewer=True, photo=factories.image("SR"))
        people = photographed_people(5, "Author")
        listings = [factories.listing(f"Practice {i}", image=factories.image(f"Logo {i}")) for i in range(4)]
        picks = [factories.article(section, f"Pick {i}", authors=people[:1]) for i in range(8)]
        images = [factories.image(f"Body {i}") for i in range(3)]
        parts = {"listings": listings, "images": images, "reviewer": reviewer}
        small = self._article(section, blocks=1, authors=people[:1], picks=picks[:1], **parts)
        large = self._article(section, blocks=10, authors=people, picks=picks, **parts)
        stub_engine["listing"] = listings[3]
        stub_engine["related"] = picks[::-1]
        return small, large

    def test_the_html_page_costs_a_constant_number_of_queries(self, client, pages):
        small, large = pages
        assert queries(client, small.url) == ARTICLE_PAGE_QUERIES
        assert queries(client, large.url) == ARTICLE_PAGE_QUERIES
        soup = BeautifulSoup(client.get(large.url).content, "html.parser")
        assert len(soup.select(".editorial-picks .article-card")) == 8
        assert len(soup.select(".about-article .author-bio")) == 5
        anchors = [h["id"] for h in soup.select(".article-body .body-heading")]
        assert anchors == ["next-steps"] + [f"next-steps-{n}" for n in range(2, 11)]

    def test_the_bundle_costs_a_constant_number_of_queries(self, client, pages):
        small, large = pages
        assert queries(client, f"/api/v1/articles/{small.slug}/") == BUNDLE_QUERIES
        assert queries(client, f"/api/v1/articles/{large.slug}/") == BUNDLE_QUERIES

    def test_related_articles_are_the_engine_s_after_the_picks(self, client, pages):
        """Picks are never repeated among related articles, in either; both show the same ones."""
        small, _ = pages
        soup = BeautifulSoup(client.get(small.url).content, "html.parser")
        html = [a.get_text() for a in soup.select(".related-articles .card-title a")]
        bundle = client.get(f"/api/v1/articles/{small.slug}/").json()
        assert html == [entry["article"]["title"] for entry in bundle["related"]]
        assert html == [f"Pick {i}" for i in (7, 6, 5, 4, 3, 2)]  # Pick 0 is the article's pick
        reasons = soup.select(".related-articles .card-reasons")
        assert [r.get_text() for r in reasons] == ["Same topic"] * 6


class TestHtmlLists:
    """Home, section and expert pages render the read model's cards: constant for 2 and 30 articles."""

    def _articles(self, section, n: int, author, reviewer):
        for _ in range(n):
            page = factories.article(
                section,
                factories.unique("Listed"),
                topics=["Trust"],
                hero_image=factories.image(factories.unique("Hero"), size=(160, 90)),
                authors=(author,),
            )
            factories.expert_review(page, reviewer)

    def test_lists_cost_the_same_for_few_and_many_articles(self, client):
        factories.home_page()
        author = factories.person("List Writer")
        reviewer = factories.person("List Reviewer", board=True, reviewer=True)
        sections = [factories.section("First rail"), factories.section("Second rail")]
        for section in sections:
            self._articles(section, 1, author, reviewer)
        urls = ["/", sections[0].url, author.get_absolute_url(), reviewer.get_absolute_url()]
        few = [queries(client, url) for url in urls]
        for section in sections:
            self._articles(section, 15, author, reviewer)
        many = [queries(client, url) for url in urls]
        assert few == many == [HOME_QUERIES, SECTION_QUERIES, EXPERT_QUERIES, EXPERT_QUERIES]
        soup = BeautifulSoup(client.get(sections[0].url).content, "html.parser")
        cards = soup.select(".article-card")
        assert len(cards) == 12  # a page of 16
        assert all("fill-480x270" in card.select_one(".card-image img")["src"] for card in cards)
        assert "Expert-Reviewed by: List Reviewer" in cards[0].get_text()
        profile = BeautifulSoup(client.get(reviewer.get_absolute_url()).content, "html.parser")
        assert len(profile.select(".article-card")) == 32

    def test_a_list_shows_a_change_with_the_next_generation(self, client):
        section = factories.section("Changing")
        page = factories.article(section, "Before the change")
        assert "Before the change" in client.get(section.url).content.decode()
        page = ArticlePage.objects.get(pk=page.pk)
        page.title = "After the change"
        page.save_revision().publish()
        soup = BeautifulSoup(client.get(section.url).content, "html.parser")
        assert [a.get_text() for a in soup.select(".card-title a")] == ["After the change"]
