"""The one interface views, templates and the API ask for suggestions.

Backends (database, elasticsearch) sit behind these functions; callers never import a backend.
This first version is a placeholder the recommendations work replaces with the real engine,
keeping these signatures and return types.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    article: object  # ArticlePage, live and public
    source: str  # "editorial_pick" or "automatic"
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass
class SupportSuggestion:
    listing: object  # experts.Listing, active and verified
    reasons: list[str] = field(default_factory=list)
    sponsored: bool = False
    score: float = 0.0


@dataclass
class SupportResult:
    suggestions: list[SupportSuggestion]
    widened_to: str | None = None  # None, "online_in_language" or "everywhere"
    notice: str = ""


def related_articles(article, *, limit: int = 6) -> list[RelatedArticle]:
    from articles.models import ArticlePage

    picks = [p.picked_id for p in article.editorial_picks.all()]
    found = {p.pk: p for p in ArticlePage.objects.live().public().filter(pk__in=picks)}
    out = [RelatedArticle(found[pk], "editorial_pick", ["Editor's pick"]) for pk in picks if pk in found]
    return out[:limit]


def find_support(article, *, context: ReaderContext | None = None, listing_type=None, count: int = 2,
                 include_products: bool = False) -> SupportResult:
    from experts.models import Listing

    qs = Listing.objects.filter(is_active=True, verified=True).select_related("listing_type")
    if listing_type is not None:
        qs = qs.filter(listing_type=listing_type)
    if not include_products:
        qs = qs.filter(listing_type__is_clinical=True)
    return SupportResult([SupportSuggestion(listing, ["Verified listing"]) for listing in qs[:count]])
