"""What a listing card needs loaded: the one queryset every card of a listing is read through.

The API's listing cards, the article presenter's find-support groups (HTML and API alike) and the
reader's directory read listings through ``listing_queryset`` (active listings, their type and the
many-to-many relations a card shows), so a card never costs a query of its own.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Listing

# The relations a listing card shows, prefetched with it.
CARD_PREFETCH = ("languages", "specialties", "approaches")
CARD_RELATIONS = frozenset(CARD_PREFETCH)


def listing_queryset() -> QuerySet:
    """Active listings with their type and card relations loaded."""
    return (
        Listing.objects.filter(is_active=True).select_related("listing_type").prefetch_related(*CARD_PREFETCH)
    )


def card_ready(listing) -> bool:
    """Whether a listing (e.g. the engine's) is active and has what its card renders loaded."""
    return (
        isinstance(listing, Listing)
        and listing.is_active
        and Listing.listing_type.is_cached(listing)
        and CARD_RELATIONS <= set(getattr(listing, "_prefetched_objects_cache", {}))
    )
