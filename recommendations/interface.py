"""The one interface views, templates and the API ask for suggestions.

Callers never import a backend: these functions dispatch to the configured one
(``WELLNESS["RECOMMENDATIONS_BACKEND"]``). A backend other than the database one runs behind a
circuit breaker: when it fails, or while the breaker is open, the database backend answers, so a
reader always gets suggestions and never an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderContext:
    """Who is asking: all optional. ``country`` ISO 3166 alpha-2, ``language`` ISO 639-1,
    ``modality`` "in_person" or "online", ``near`` (lat, lon)."""

    country: str | None = None
    language: str | None = None
    modality: str | None = None
    near: tuple[float, float] | None = None


@dataclass
class RelatedArticle:
    # The visible article's read model row (``articles.readmodel.ArticleRow``: id, slug, title,
    # dates, section, authors, topics), not a page: callers that show more render its card.
    article: object
    source: str  # "editorial_pick" or "automatic"
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass
class SupportSuggestion:
    # The listing's card row (``experts.cards.ListingCard``: what its card shows, never a model
    # object), active and verified; shared by every request of the content generation.
    listing: object
    reasons: list[str] = field(default_factory=list)
    sponsored: bool = False
    score: float = 0.0


@dataclass
class SupportResult:
    suggestions: list[SupportSuggestion]
    widened_to: str | None = None  # None, "online_in_language" or "everywhere"
    notice: str = ""
    backend: str = ""  # which backend answered ("database" when a fallback served the request)


def _call(method: str, *args, **kwargs):
    from .backends import get_backend
    from .breaker import breaker

    backend = get_backend()
    if backend.name == "database":
        return backend.name, getattr(backend, method)(*args, **kwargs)
    if not breaker.is_open():
        try:
            result = getattr(backend, method)(*args, **kwargs)
        except Exception as e:  # a failing search cluster must never fail the page
            breaker.record_failure(e)
            logger.warning(
                "recommendations: %s.%s failed, answering from the database: %r", backend.name, method, e
            )
        else:
            breaker.record_success()
            return backend.name, result
    fallback = get_backend("database")
    return fallback.name, getattr(fallback, method)(*args, **kwargs)


def related_articles(article, *, limit: int = 6, generation: str | None = None) -> list[RelatedArticle]:
    """Editorial picks first (editor's order, live and public only), then similar articles.

    ``generation``: as for ``find_support``."""
    if limit <= 0:
        return []
    return _call("related_articles", article, limit=limit, generation=generation)[1]


def find_support(
    article,
    *,
    context: ReaderContext | None = None,
    listing_type=None,
    count: int = 2,
    include_products: bool = False,
    exclude_listings=(),
    generation: str | None = None,
) -> SupportResult:
    """Active, verified listings for ``article`` in the reader's ``context``, with reasons.

    ``listing_type``: a ``ListingType`` (or its pk) to restrict to; ``include_products`` lets
    product brands in (never by default). ``exclude_listings``: ids of listings the page already
    shows (in an editors' group): never suggested again, and the group still fills its count.
    ``generation``: the content generation token, when the caller has already read it
    (``website.freshness.content_generation``); saves a query.
    """
    name, result = _call(
        "find_support",
        article,
        context=context or ReaderContext(),
        listing_type=listing_type,
        count=count,
        include_products=include_products,
        exclude_listings=frozenset(exclude_listings),
        generation=generation,
    )
    result.backend = name
    return result


def find_support_for_topics(
    topic_ids,
    *,
    title: str = "",
    is_sensitive: bool = False,
    context: ReaderContext | None = None,
    listing_type=None,
    count: int = 2,
    seed: int = 0,
) -> SupportResult:
    """Active, verified listings for a concern given as topic ids (e.g. a self-check's result band),
    in the reader's ``context``: ``find_support``'s matching without an article. ``is_sensitive``
    puts crisis resources first, as on a sensitive article; ``title`` lends its words to the
    listing-type fit; ``seed`` varies the rotation among equals (e.g. by self-check)."""
    name, result = _call(
        "find_support_for_topics",
        list(topic_ids),
        title=title,
        is_sensitive=is_sensitive,
        context=context or ReaderContext(),
        listing_type=listing_type,
        count=count,
        seed=seed,
    )
    result.backend = name
    return result
