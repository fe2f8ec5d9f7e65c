"""What a listing card shows, as a plain row: ``ListingCard``, and the queries that read it.

Every listing card (the article's find-support groups in HTML and in the API bundle, the support
endpoints, self-check results) is rendered from a ``ListingCard``: an immutable row with the
listing's own fields, its type, and its languages, specialties and approaches, in the order a card
lists them. ``read_listing_cards`` reads the rows of any listing queryset in four plain queries
(no model objects); the recommendation engine's listing directory keeps the rows of every listing
it may suggest, so the cards of an answer cost no listing query while the directory is there.

The reader's directory and the listings API page through filtered querysets and keep loading
``Listing`` objects with ``listing_queryset`` (a card's relations prefetched); ``ListingCard.
from_listing`` turns one into the same row, so every card is rendered by one function.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Listing, ListingDisplay

# The relations a listing card shows, prefetched with it.
CARD_PREFETCH = ("languages", "specialties", "approaches")


def listing_queryset() -> QuerySet:
    """Active listings with their type and card relations loaded."""
    return (
        Listing.objects.filter(is_active=True).select_related("listing_type").prefetch_related(*CARD_PREFETCH)
    )


@dataclass(frozen=True, slots=True)
class Term:
    """A specialty (a ``Topic``) or an approach as a card names it."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ListingTypeRef:
    """A listing's type: what cards show of it and the flags that say where it may be suggested."""

    id: int
    slug: str
    name: str
    is_clinical: bool = True
    is_crisis_resource: bool = False
    offers_joint_sessions: bool = False

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True, slots=True)
class ListingCard(ListingDisplay):
    """One listing as its card shows it. Attribute names are the model's, so templates and
    ``render_listing_card`` read a card row where they used to read a ``Listing``."""

    id: int
    slug: str
    name: str
    listing_type: ListingTypeRef
    kind: str = Listing.Kind.INDIVIDUAL.value
    offers_in_person: bool = True
    offers_online: bool = False
    country: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    languages: tuple[str, ...] = ()  # codes, in the order of the languages' names
    specialties: tuple[Term, ...] = ()  # by name
    approaches: tuple[Term, ...] = ()  # by name
    summary: str = ""
    image_id: int | None = None
    website_url: str = ""
    booking_url: str = ""
    verified: bool = False
    accepting_clients: bool = True
    is_active: bool = True
    commercial_relationship: str = Listing.Commercial.NONE.value

    @property
    def pk(self) -> int:
        return self.id

    @classmethod
    def from_listing(cls, listing: Listing) -> ListingCard:
        """The row of a ``Listing`` loaded by ``listing_queryset`` (type selected, relations prefetched)."""
        lt = listing.listing_type
        return cls(
            id=listing.pk,
            slug=listing.slug,
            name=listing.name,
            listing_type=ListingTypeRef(
                lt.pk, lt.slug, lt.name, lt.is_clinical, lt.is_crisis_resource, lt.offers_joint_sessions
            ),
            kind=listing.kind,
            offers_in_person=listing.offers_in_person,
            offers_online=listing.offers_online,
            country=listing.country,
            city=listing.city,
            latitude=_float(listing.latitude),
            longitude=_float(listing.longitude),
            languages=tuple(lang.code for lang in listing.languages.all()),
            specialties=tuple(Term(t.pk, t.slug, t.name) for t in listing.specialties.all()),
            approaches=tuple(Term(a.pk, a.slug, a.name) for a in listing.approaches.all()),
            summary=listing.summary,
            image_id=listing.image_id,
            website_url=listing.website_url,
            booking_url=listing.booking_url,
            verified=listing.verified,
            accepting_clients=listing.accepting_clients,
            is_active=listing.is_active,
            commercial_relationship=listing.commercial_relationship,
        )


def _float(value) -> float | None:
    return float(value) if value is not None else None


CARD_FIELDS = (
    "pk",
    "slug",
    "name",
    "listing_type_id",
    "listing_type__slug",
    "listing_type__name",
    "listing_type__is_clinical",
    "listing_type__is_crisis_resource",
    "listing_type__offers_joint_sessions",
    "kind",
    "offers_in_person",
    "offers_online",
    "country",
    "city",
    "latitude",
    "longitude",
    "summary",
    "image_id",
    "website_url",
    "booking_url",
    "verified",
    "accepting_clients",
    "is_active",
    "commercial_relationship",
)


def _terms(through, listing_ids, target: str) -> dict[int, list[Term]]:
    """``{listing id: [Term, …]}`` from one of a listing's many-to-many tables, by name; one
    ``Term`` object per topic or approach, shared by every listing that names it."""
    found: dict[int, list[Term]] = {}
    terms: dict[int, Term] = {}
    for listing_id, pk, slug, name in (
        through.objects.filter(listing_id__in=listing_ids)
        .order_by(f"{target}__name", f"{target}_id")
        .values_list("listing_id", f"{target}_id", f"{target}__slug", f"{target}__name")
    ):
        term = terms.get(pk)
        if term is None:
            term = terms[pk] = Term(pk, slug, name)
        found.setdefault(listing_id, []).append(term)
    return found


def read_listing_cards(listings: QuerySet) -> list[ListingCard]:
    """The card rows of ``listings`` (a ``Listing`` queryset), in id order, in four queries: the
    listings with their type, then their languages, specialties and approaches."""
    rows = list(listings.order_by("pk").values_list(*CARD_FIELDS))
    if not rows:
        return []
    ids = listings.values("pk")
    languages: dict[int, list[str]] = {}
    for listing_id, code in (
        Listing.languages.through.objects.filter(listing_id__in=ids)
        .order_by("language__name", "language_id")
        .values_list("listing_id", "language_id")
    ):
        languages.setdefault(listing_id, []).append(code)
    specialties = _terms(Listing.specialties.through, ids, "topic")
    approaches = _terms(Listing.approaches.through, ids, "approach")
    types: dict[int, ListingTypeRef] = {}
    cards = []
    for row in rows:
        pk, slug, name, type_id, type_slug, type_name, clinical, crisis, joint = row[:9]
        kind, in_person, online, country, city, lat, lon, summary, image_id = row[9:18]
        website, booking, verified, accepting, active, relationship = row[18:]
        listing_type = types.get(type_id)
        if listing_type is None:
            listing_type = ListingTypeRef(type_id, type_slug, type_name, clinical, crisis, joint)
            types[type_id] = listing_type
        cards.append(
            ListingCard(
                id=pk,
                slug=slug,
                name=name,
                listing_type=listing_type,
                kind=kind,
                offers_in_person=in_person,
                offers_online=online,
                country=country,
                city=city,
                latitude=_float(lat),
                longitude=_float(lon),
                languages=tuple(languages.get(pk, ())),
                specialties=tuple(specialties.get(pk, ())),
                approaches=tuple(approaches.get(pk, ())),
                summary=summary,
                image_id=image_id,
                website_url=website,
                booking_url=booking,
                verified=verified,
                accepting_clients=accepting,
                is_active=active,
                commercial_relationship=relationship,
            )
        )
    return cards


def listing_cards(ids) -> dict[int, ListingCard]:
    """``{id: ListingCard}`` of the active listings among ``ids`` (four queries; none for no ids)."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    return {card.id: card for card in read_listing_cards(Listing.objects.filter(pk__in=ids, is_active=True))}
