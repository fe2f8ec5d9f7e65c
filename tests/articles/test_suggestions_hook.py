"""The article page asks for suggestions through a Wagtail hook, not by importing the engine."""

from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

from articles.suggestions import ARTICLE_SUGGESTIONS_HOOK, article_suggestions
from recommendations.wagtail_hooks import EngineSuggestions
from tests import factories

pytestmark = pytest.mark.django_db


class StandInSuggestions:
    """A provider that is not the engine: one fixed related article and one fixed listing."""

    def __init__(self, related, listing):
        self.related, self.listing, self.requests = related, listing, []

    def reader_context(self, request):
        self.requests.append(request)
        return "stand-in context"

    def related_articles(self, page, *, limit):
        return [SimpleNamespace(article=self.related, reasons=["Picked by the stand-in"])]

    def find_support(self, page, *, context, listing_type, count, include_products, exclude_listings):
        assert context == "stand-in context"
        assert self.listing.pk not in exclude_listings
        suggestion = SimpleNamespace(listing=self.listing, reasons=["Near the stand-in"], sponsored=False)
        return SimpleNamespace(suggestions=[suggestion], notice="")


def test_the_engine_answers_by_default():
    assert isinstance(article_suggestions(), EngineSuggestions)


def test_a_provider_registered_later_in_hook_order_serves_the_article_page(client):
    related = factories.article(title="Chosen by the stand-in")
    listing = factories.listing("Stand-in Practice")
    page = factories.article(
        body=[factories.block("find_support", factories.find_support_value(mode="automatic"))]
    )
    provider = StandInSuggestions(related, listing)
    with hooks.register_temporarily(ARTICLE_SUGGESTIONS_HOOK, lambda: provider, order=10):
        response = client.get(page.url)
    soup = BeautifulSoup(response.content, "html.parser")
    card = soup.select_one(".related-articles .article-card")
    assert card.select_one(".card-title").get_text() == "Chosen by the stand-in"
    assert "Picked by the stand-in" in card.get_text()
    listing_card = soup.select_one(".find-support .listing-card")
    assert listing_card.select_one(".card-title").get_text() == "Stand-in Practice"
    assert "Near the stand-in" in listing_card.get_text()
    assert len(provider.requests) == 1 and provider.requests[0].path == page.url


def test_without_a_registered_provider_the_error_names_the_hook(monkeypatch):
    hooks.search_for_hooks()
    monkeypatch.setitem(hooks._hooks, ARTICLE_SUGGESTIONS_HOOK, [])
    with pytest.raises(ImproperlyConfigured, match=ARTICLE_SUGGESTIONS_HOOK):
        article_suggestions()
