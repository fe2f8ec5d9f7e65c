"""Everything an article page shows, gathered in a fixed number of queries.

``article_page_context`` walks the body once and prepares what the block templates need beyond
their own value: the number of each citation, the cards of each find-support group (chosen
listings or the recommendation engine's suggestions for the reader), prefetched images. It also
loads the byline, the last expert review, editorial picks and related articles with their own
bylines, and the JSON-LD. The query count depends on neither the body's length nor the number of
picks, FAQ items or manual card groups (each automatic group is one call to the engine).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest

from website.public_url import public_root

from .jsonld import article_jsonld, citation_url
from .presenter import body_outline
from .suggestions import article_suggestions
from .visibility import visible

logger = logging.getLogger(__name__)

MANUAL_REASON = "Chosen by our editors"


@dataclass
class SupportCard:
    """One practitioner card: the listing and why it is shown."""

    listing: object
    reasons: list[str] = field(default_factory=list)
    sponsored: bool = False


@dataclass
class BodyItem:
    """A body block plus what its template needs from the rest of the page."""

    block: object
    number: int | None = None  # citation: its number in the reference list
    cards: list[SupportCard] | None = None  # find support: the cards to show
    notice: str = ""  # find support: e.g. that the search was widened
    image: object | None = None  # image: the image with its renditions prefetched
    anchor: str = ""  # heading: its id, unique on the page


@dataclass
class Reference:
    number: int
    value: object
    url: str


def related_limit() -> int:
    """How many related articles a page shows, in HTML and in the API alike."""
    from website.conf import wellness_settings

    return wellness_settings.API_RELATED_LIMIT


def _is_preview(request: HttpRequest | None) -> bool:
    return bool(request is not None and getattr(request, "is_preview", False))


def sections_by_path(pages) -> dict[str, object]:
    """The parent SectionPage of each page, keyed by the parent's tree path (one query)."""
    from .models import SectionPage

    paths = {page.path[: -page.steplen] for page in pages if getattr(page, "path", None)}
    if not paths:
        return {}
    return {section.path: section for section in SectionPage.objects.filter(path__in=paths)}


def article_cards(ids: list[int]) -> list:
    """Live, public articles with the given ids, in that order, ready to render as cards.

    Each gets ``card_section``; authors and the reviewer are loaded with them.
    """
    from .models import ArticleAuthor, ArticlePage

    if not ids:
        return []
    found = {
        page.pk: page
        for page in visible(ArticlePage.objects.filter(pk__in=ids))
        .select_related("last_review__reviewer")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("person").order_by("sort_order"),
            )
        )
    }
    pages = [found[pk] for pk in ids if pk in found]
    annotate_sections(pages)
    return pages


def annotate_sections(pages) -> None:
    sections = sections_by_path(pages)
    for page in pages:
        page.card_section = sections.get(page.path[: -page.steplen])


def manual_cards(value) -> list[SupportCard]:
    return [
        SupportCard(listing, [MANUAL_REASON], listing.is_sponsored)
        for listing in value.get("listings") or []
        if listing is not None and listing.is_active
    ]


def editors_listing_ids(body) -> frozenset[int]:
    """Listings the editors' "find support" groups of ``body`` show: automatic groups never repeat them."""
    return frozenset(
        listing.pk
        for block in body or []
        if block.block_type == "find_support" and block.value.get("mode") != "automatic"
        for listing in block.value.get("listings") or []
        if listing is not None
    )


def _automatic_cards(page, value, reader_context, exclude=frozenset()) -> tuple[list[SupportCard], str]:
    try:
        result = article_suggestions().find_support(
            page,
            context=reader_context,
            listing_type=value.get("listing_type"),
            count=value.get("count") or 2,
            include_products=bool(value.get("include_products")),
            exclude_listings=exclude,
        )
    except Exception:  # a failing engine must not take the article down with it
        logger.exception("find_support failed for article %s", page.pk)
        return [], ""
    cards = [SupportCard(s.listing, list(s.reasons or []), bool(s.sponsored)) for s in result.suggestions]
    return cards, result.notice or ""


def _reload_listings(items: list[BodyItem]) -> None:
    """Swaps every card's listing for one loaded with its type and image, in one query."""
    from experts.models import Listing

    ids = {card.listing.pk for item in items for card in item.cards or []}
    if not ids:
        return
    fresh = Listing.objects.filter(pk__in=ids, is_active=True).select_related("listing_type", "image")
    fresh = fresh.prefetch_related("image__renditions").in_bulk()
    for item in items:
        if item.cards is not None:
            item.cards = [
                SupportCard(fresh[c.listing.pk], c.reasons, c.sponsored)
                for c in item.cards
                if c.listing.pk in fresh
            ]


def _prefetched_images(items: list[BodyItem]) -> None:
    from wagtail.images import get_image_model

    ids = {
        item.block.value["image"].pk
        for item in items
        if item.block.block_type == "image" and item.block.value.get("image") is not None
    }
    if not ids:
        return
    images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions().in_bulk()
    for item in items:
        if item.block.block_type == "image" and item.block.value.get("image") is not None:
            item.image = images.get(item.block.value["image"].pk)


def body_items(page, reader_context, *, prefetch: bool = True) -> tuple[list[BodyItem], list[Reference]]:
    """The body blocks, each with what its template needs, and the numbered reference list.

    Anchors and citation numbers come from the body's outline (``articles.presenter``), the same
    the API bundle shows.
    """
    items: list[BodyItem] = []
    references: list[Reference] = []
    body = page.body or []
    shown_by_editors = editors_listing_ids(body)
    outline = {entry.index: entry for entry in body_outline(page.body.raw_data if page.body else [])}
    for index, block in enumerate(body):
        item = BodyItem(block)
        entry = outline.get(index)
        if entry is not None:
            item.anchor = entry.anchor
            if entry.number is not None:
                item.number = entry.number
                references.append(Reference(item.number, block.value, citation_url(block.value)))
        if block.block_type == "find_support":
            if block.value.get("mode") == "automatic":
                item.cards, item.notice = _automatic_cards(
                    page, block.value, reader_context, shown_by_editors
                )
            else:
                item.cards = manual_cards(block.value)
        items.append(item)
    if prefetch:
        _reload_listings(items)
        _prefetched_images(items)
    return items, references


def load_byline(page, *, prefetch: bool = True) -> None:
    """Loads authors (with photos), the last review's reviewer (with credentials) and topics."""
    from .models import ArticleAuthor, ArticleTopic, ExpertReview

    if not prefetch:
        return
    prefetch_related_objects(
        [page],
        Prefetch(
            "article_authors",
            queryset=ArticleAuthor.objects.select_related("person__photo").order_by("sort_order"),
        ),
        "article_authors__person__photo__renditions",
        Prefetch("tagged_topics", queryset=ArticleTopic.objects.select_related("tag")),
    )
    if page.hero_image_id:
        prefetch_related_objects([page], "hero_image__renditions")
    if page.last_review_id:
        review = (
            ExpertReview.objects.select_related("reviewer__photo")
            .prefetch_related("reviewer__credentials", "reviewer__photo__renditions")
            .filter(pk=page.last_review_id)
            .first()
        )
        page.last_review = review


def article_page_context(page, request: HttpRequest | None) -> dict:
    """Template context for an article page (see the module docstring)."""
    suggestions = article_suggestions()
    prefetch = not _is_preview(request) and page.pk is not None
    load_byline(page, prefetch=prefetch)
    reader_context = suggestions.reader_context(request)
    items, references = body_items(page, reader_context, prefetch=prefetch)

    pick_ids = [pick.picked_id for pick in page.editorial_picks.all() if pick.picked_id]
    related_ids: list[int] = []
    related_reasons: dict[int, list[str]] = {}
    if page.pk is not None:
        try:
            related = suggestions.related_articles(page, limit=related_limit())
        except Exception:  # the article still renders without suggestions
            logger.exception("related_articles failed for article %s", page.pk)
            related = []
        for suggestion in related:
            pk = suggestion.article.pk
            if pk not in pick_ids and pk not in related_reasons and pk != page.pk:
                related_ids.append(pk)
                related_reasons[pk] = list(suggestion.reasons or [])
    cards = {card.pk: card for card in article_cards(pick_ids + related_ids)}
    picks = [cards[pk] for pk in pick_ids if pk in cards]
    related_cards = []
    for pk in related_ids:
        if pk in cards:
            cards[pk].related_reasons = related_reasons[pk]
            related_cards.append(cards[pk])

    review = page.last_review if page.last_review_id else None
    base_url = public_root() + "/"
    return {
        "section": sections_by_path([page]).get(page.path[: -page.steplen]) if page.path else None,
        "authors": [rel.person for rel in page.article_authors.all()],
        "review": review,
        "review_status": page.review_status,
        "body_items": items,
        "references": references,
        "editorial_picks": picks,
        "related_articles": related_cards,
        "jsonld": article_jsonld(page, base_url=base_url),
        "reader_context": reader_context,
    }
