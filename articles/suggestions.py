"""Where an article page gets its suggestions: through a Wagtail hook, never by importing the engine.

``articles`` sits below ``recommendations`` (docs/architecture.md, Layers): the engine reads the
content models, so the page cannot import the engine back. ``ArticlePage.get_context``
(``articles.page_context``) asks instead whoever registered the hook named
``ARTICLE_SUGGESTIONS_HOOK`` in a ``wagtail_hooks.py`` — Wagtail's own registry, the way apps
extend each other. ``recommendations/wagtail_hooks.py`` registers the engine; a provider
registered with a higher ``order`` replaces it (the last in hook order wins).
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from wagtail import hooks

ARTICLE_SUGGESTIONS_HOOK = "article_page_suggestions"


class ArticleSuggestions(Protocol):
    """What an article page asks of a suggestion engine; the hook's function returns one."""

    def reader_context(self, request: HttpRequest | None) -> Any:
        """Who is reading (country, language…), passed back to ``find_support``."""

    def related_articles(self, page, *, limit: int) -> list:
        """Suggestions with ``.article`` (its ``pk`` is enough) and ``.reasons``, best first."""

    def find_support(
        self,
        page,
        *,
        context: Any,
        listing_type: Any,
        count: int,
        include_products: bool,
        exclude_listings: frozenset[int] = frozenset(),
    ) -> Any:
        """A result with ``.suggestions`` (``.listing``, ``.reasons``, ``.sponsored``) and ``.notice``;
        never one of ``exclude_listings`` (listings the editors' groups already show). A
        ``.listing`` that is an ``experts.cards.ListingCard`` is shown as it is; any other
        (anything with a ``pk``) is read by its id."""


def article_suggestions() -> ArticleSuggestions:
    """The provider last in hook order under ``ARTICLE_SUGGESTIONS_HOOK``."""
    registered = hooks.get_hooks(ARTICLE_SUGGESTIONS_HOOK)
    if not registered:
        raise ImproperlyConfigured(
            f"No installed app registers the {ARTICLE_SUGGESTIONS_HOOK!r} hook that article pages ask"
            " for related articles and find-support cards (recommendations/wagtail_hooks.py does)."
        )
    return registered[-1]()
