"""Wagtail hooks: the concept vocabulary's snippets ("Concepts"), the engine behind article pages.

``articles`` may not import this app (it sits below it), so the article page asks for its
related articles and find-support cards through the hook ``articles.suggestions`` names, which
this module answers with the engine's interface.
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from articles.suggestions import ARTICLE_SUGGESTIONS_HOOK

from . import interface
from .context import reader_context_from_request
from .models import Concept


class ConceptViewSet(SnippetViewSet):
    model = Concept
    icon = "tag"
    menu_label = "Concepts"
    list_display = ["name", "synonyms"]
    ordering = ["name"]


register_snippet(ConceptViewSet)


class EngineSuggestions:
    """``articles.suggestions.ArticleSuggestions`` answered by ``recommendations.interface``.

    The interface's functions are looked up on each call, so the backend setting (and a test's
    stand-in) is read when the page renders, as before.
    """

    def reader_context(self, request: HttpRequest | None) -> interface.ReaderContext:
        return reader_context_from_request(request) if request is not None else interface.ReaderContext()

    def related_articles(self, page, *, limit: int) -> list[interface.RelatedArticle]:
        return interface.related_articles(page, limit=limit)

    def find_support(self, page, **options) -> interface.SupportResult:
        return interface.find_support(page, **options)


@hooks.register(ARTICLE_SUGGESTIONS_HOOK)
def article_suggestions() -> EngineSuggestions:
    return EngineSuggestions()
