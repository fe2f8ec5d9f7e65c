"""The HTML page and the API bundle agree, article by article, on what both show: heading anchors,
citation numbers, editorial picks, find-support cards and related articles (issue 13)."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from articles.models import ArticlePage
from recommendations import interface
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.WELLNESS = {**getattr(settings, "WELLNESS", {}), "ANON_RATE": None}
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


def html_view(client, page) -> dict:
    response = client.get(page.url)
    assert response.status_code == 200, page.url
    soup = BeautifulSoup(response.content, "html.parser")
    return {
        "anchors": [h["id"] for h in soup.select(".article-body .body-heading")],
        "citations": [a.get_text() for a in soup.select(".article-body sup a")],
        "references": [li["id"] for li in soup.select(".references ol > li")],
        "picks": [a.get_text() for a in soup.select(".editorial-picks .card-title a")],
        "related": [a.get_text() for a in soup.select(".related-articles .card-title a")],
        "support": [
            [h.get_text() for h in group.select(".listing-card .card-title")]
            for group in soup.select(".article-body .find-support")
        ],
    }


def api_view(client, page) -> dict:
    response = client.get(f"/api/v1/articles/{page.slug}/")
    assert response.status_code == 200, page.slug
    bundle = response.json()
    numbers = [c["number"] for c in bundle["citations"]]
    return {
        "anchors": [b["value"]["anchor"] for b in bundle["body"] if b["type"] == "heading"],
        "citations": [f"[{n}]" for n in numbers],
        "references": [f"ref-{n}" for n in numbers],
        "picks": [card["title"] for card in bundle["editorial_picks"]],
        "related": [entry["article"]["title"] for entry in bundle["related"]],
        "support": [
            [card["listing"]["name"] for card in b["value"]["cards"]]
            for b in bundle["body"]
            if b["type"] == "find_support" and b["value"]["cards"]
        ],
    }


class TestDemoArticles:
    def test_html_and_api_agree_for_every_demo_article(self, client):
        call_command("load_demo", stdout=io.StringIO())
        pages = list(ArticlePage.objects.live().order_by("pk"))
        assert len(pages) >= 21
        shown = {"anchors": 0, "citations": 0, "picks": 0, "related": 0, "support": 0}
        for page in pages:
            html, api = html_view(client, page), api_view(client, page)
            assert html == api, page.slug
            for key in shown:
                shown[key] += len(html[key])
        # The comparison means something only if the demo shows each kind somewhere.
        assert all(shown.values()), shown


class TestRelatedCount:
    def test_html_page_shows_as_many_related_articles_as_the_api(self, client, settings, monkeypatch):
        settings.WELLNESS = {**settings.WELLNESS, "API_RELATED_LIMIT": 2}
        section = factories.section()
        page = factories.article(section, "Hub article")
        others = [factories.article(section, f"Neighbour {i}") for i in range(4)]
        asked = []

        def related_articles(article, *, limit=6, generation=None):
            asked.append(limit)
            return [interface.RelatedArticle(other, "automatic", ["Same topic"]) for other in others][:limit]

        monkeypatch.setattr(interface, "related_articles", related_articles)
        html, api = html_view(client, page), api_view(client, page)
        assert html["related"] == api["related"] == ["Neighbour 0", "Neighbour 1"]
        assert asked == [2, 2]
