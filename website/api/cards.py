"""Building the cards the API embeds (people, listings) in a fixed number of queries.

Each kind has a *load* step that fetches every row it needs for a whole list at once, and a
*render* step that turns one loaded object into the dict its serializer declares. Images are only
registered during loading (``ImageBatch.want``) and fetched once for the whole response, so a list
of 50 cards costs the same number of queries as a list of one.

Article cards are rendered from the read model's rows by ``articles.cards`` (HTML pages and search
use them too); this module re-exports them for the API's views.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from articles.cards import ArticleCards, render_article_card, render_section_ref, rendered_article_cards
from articles.images import ImageBatch
from articles.readmodel import article_rows_queryset, read_model
from articles.visibility import visible
from experts.cards import ListingCard, listing_cards, listing_queryset
from experts.countries import language_name

from .text import clean_text, clean_url

__all__ = [
    "ArticleCards",
    "ListingCard",
    "card_rows_queryset",
    "listing_queryset",
    "live_articles",
    "load_listings",
    "render_article_card",
    "render_listing_card",
    "render_section_ref",
    "rendered_article_cards",
    "support_cards",
    "visible",
]


def live_articles() -> QuerySet:
    """The only articles the API ever shows (see ``visible``)."""
    from articles.models import ArticlePage

    return visible(ArticlePage.objects.all())


# People


def render_byline(person) -> dict:
    return {
        "slug": person.slug,
        "name": clean_text(person.name),
        "honorific": clean_text(person.honorific),
        "display_name": clean_text(person.display_name),
        "board_badge": person.shows_board_badge,
    }


def render_person_card(person, images: ImageBatch) -> dict:
    return {
        **render_byline(person),
        "headline": clean_text(person.headline),
        "url_path": person.get_absolute_url(),
        "photo": images.rendition(person.photo_id, "portrait", alt=person.display_name),
    }


def render_expert(person, images: ImageBatch) -> dict:
    return {
        **render_person_card(person, images),
        "roles": {
            "author": person.is_author,
            "reviewer": person.is_reviewer,
            "board_member": person.is_board_member,
        },
        "expertise": [{"slug": t.slug, "name": clean_text(t.name)} for t in person.expertise.all()],
        "credentials": [
            {
                "title": clean_text(c.title),
                "kind": c.kind,
                "issuing_body": clean_text(c.issuing_body),
                "country": c.country,
                "valid": c.is_valid(),
            }
            for c in person.credentials.all()
        ],
    }


# Listings


def load_listings(ids: Iterable[int], images: ImageBatch) -> dict[int, ListingCard]:
    """Card rows of the active listings among ``ids`` (``experts.cards.listing_cards``: four
    queries), their images wanted in ``images``."""
    found = listing_cards(ids)
    for card in found.values():
        images.want(card.image_id)
    return found


def support_cards(listings: Iterable, images: ImageBatch) -> dict[int, ListingCard]:
    """Card rows of the listings of support suggestions, by id: the engine's own rows as they are
    (``ListingCard``, no query), any other (a provider's ``Listing``, say) read by its id; every
    image wanted in ``images``."""
    found = {listing.pk: listing for listing in listings if isinstance(listing, ListingCard)}
    for card in found.values():
        images.want(card.image_id)
    found.update(load_listings([listing.pk for listing in listings if listing.pk not in found], images))
    return found


def render_listing_card(listing: ListingCard, images: ImageBatch, distance: float | None = None) -> dict:
    """``distance``: km from the reader, when known."""
    return {
        "slug": listing.slug,
        "name": clean_text(listing.name),
        "listing_type": {"slug": listing.listing_type.slug, "name": clean_text(listing.listing_type.name)},
        "kind": listing.kind,
        "modalities": listing.modalities,
        "country": listing.country,
        "country_name": listing.country_name,
        "city": clean_text(listing.city),
        "languages": [{"code": code, "name": language_name(code)} for code in listing.languages],
        "specialties": [{"slug": t.slug, "name": clean_text(t.name)} for t in listing.specialties],
        "approaches": [{"slug": a.slug, "name": clean_text(a.name)} for a in listing.approaches],
        "summary": clean_text(listing.summary),
        "image": images.rendition(listing.image_id, "logo", alt=listing.name),
        "website_url": clean_url(listing.website_url),
        "booking_url": clean_url(listing.booking_url),
        "verified": listing.verified,
        "accepting_clients": listing.accepting_clients,
        "sponsored": listing.is_sponsored,
        "commercial_relationship": listing.commercial_relationship,
        "distance_km": round(distance, 1) if distance is not None else None,
    }


# Articles: rendered by ``articles.cards`` from the read model's rows (re-exported for API modules).


def card_rows_queryset(queryset: QuerySet | None = None) -> QuerySet:
    """Live, public articles annotated with their review status (the article list filters it)."""
    return article_rows_queryset(queryset)


# Related lists kept on one read model at most (bounds memory on a large catalogue).
MAX_RELATED_LISTS = 5000


def related_suggestions(article, limit: int, token: str | None) -> list:
    """``recommendations.interface.related_articles``, asked once per article and snapshot: they
    change only when content or the recommendation index changes, and both renew the generation."""
    from recommendations.interface import related_articles

    if token is None:
        return related_articles(article, limit=limit)
    found = read_model(token).derive("related-articles", dict)
    key = (article.pk, limit)
    related = found.get(key)
    if related is None:
        if len(found) >= MAX_RELATED_LISTS:
            found.clear()
        related = found[key] = related_articles(article, limit=limit, generation=token)
    return related
