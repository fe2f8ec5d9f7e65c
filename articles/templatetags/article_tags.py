"""Template helpers for the reader-facing article pages: JSON-LD, card lists, pagination."""

from __future__ import annotations

from django import template
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from articles.jsonld import jsonld_script
from articles.page_context import annotate_sections
from articles.visibility import visible
from common.links import safe_link

register = template.Library()

CRISIS_RESOURCES_URL = "https://findahelpline.com/"
REVIEW_NOTICES = {
    "changed_since_review": "This article changed after its expert review.",
    "review_overdue": "Review overdue: this article is due for a fresh expert review.",
}


@register.simple_tag
def jsonld(data):
    """One ``<script type="application/ld+json">`` per object, with ``<``, ``>``, ``&`` escaped."""
    if isinstance(data, list):
        from django.utils.safestring import mark_safe

        return mark_safe("\n".join(jsonld_script(item) for item in data))
    return jsonld_script(data)


@register.simple_tag
def review_notice(status: str) -> str:
    """The notice readers see for a review status that needs one, else ``""``."""
    return REVIEW_NOTICES.get(status, "")


@register.simple_tag
def crisis_url(url: str = "") -> str:
    """The safety note's own crisis link when it is an http(s) URL, else the site's crisis page."""
    return safe_link(url) or CRISIS_RESOURCES_URL


@register.simple_tag(takes_context=True)
def paginate(context, items, per_page: int = 12):
    """A page of ``items`` for ``?page=``; a bad or out-of-range number gives the first or last page."""
    request = context.get("request")
    paginator = Paginator(items, per_page)
    number = request.GET.get("page", 1) if request is not None else 1
    try:
        page_obj = paginator.page(number)
    except PageNotAnInteger:
        page_obj = paginator.page(1)
    except EmptyPage:
        page_obj = paginator.page(paginator.num_pages)
    annotate_sections(page_obj.object_list)
    return page_obj


@register.filter
def with_sections(pages):
    """Evaluates ``pages`` and gives each its ``card_section`` (one query for all)."""
    pages = list(pages)
    annotate_sections(pages)
    return pages


@register.filter
def modality_labels(listing) -> list[str]:
    labels = []
    if listing.offers_in_person:
        labels.append("In-person")
    if listing.offers_online:
        labels.append("Online")
    return labels


@register.simple_tag
def nav_sections():
    """The live, public sections for the site navigation, in tree order."""
    from articles.models import SectionPage

    return list(visible(SectionPage.objects.order_by("path")))


@register.simple_tag
def support_cards(value, cards=None):
    """The cards of a find-support group: those prepared for the page, else the chosen listings.

    Rendered on its own (a block preview), an automatic group has nothing to show yet.
    """
    from articles.page_context import manual_cards

    if isinstance(cards, list):  # an unset template variable arrives as ""
        return cards
    if value.get("mode") == "automatic":
        return []
    return manual_cards(value)


@register.filter
def disclosure(card) -> str:
    """The commercial-relationship label a card must carry, if any."""
    relationship = getattr(card.listing, "commercial_relationship", "none")
    if relationship == "affiliate":
        return "Affiliate"
    if card.sponsored or relationship == "sponsored":
        return "Sponsored"
    return ""
