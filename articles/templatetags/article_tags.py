"""Template helpers for the reader-facing article pages: JSON-LD, citations, support cards."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from articles.jsonld import jsonld_script
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


@register.filter
def inline_citations(items) -> list[tuple[object, list]]:
    """Pairs each body item with the citations that follow a paragraph directly.

    Those citations are shown as "[n]" at the end of the paragraph's last line and are not
    rendered again on their own; a citation after anything else keeps its own marker line.
    """
    pairs: list[tuple[object, list]] = []
    for item in items or []:
        kind = getattr(item.block, "block_type", "")
        if kind == "citation" and item.number and pairs and _takes_markers(pairs[-1][0]):
            pairs[-1][1].append(item)
            continue
        pairs.append((item, []))
    return pairs


def _takes_markers(item) -> bool:
    return getattr(item.block, "block_type", "") == "paragraph"


_CLOSERS = ("</p>", "</li>", "</h2>", "</h3>", "</h4>", "</blockquote>")


@register.filter
def with_markers(html, citations) -> str:
    """Rendered rich text with citation markers inside its last paragraph or list item."""
    if not citations:
        return html
    markers = format_html_join(
        "",
        '<sup class="cite-marker"><a href="#ref-{}" id="cite-{}" '
        'aria-label="Reference {}: {}">[{}]</a></sup>',
        ((c.number, c.number, c.number, c.block.value.get("title", ""), c.number) for c in citations),
    )
    text = str(html).rstrip()
    position = max(text.rfind(closer) for closer in _CLOSERS)
    if position == -1:
        return mark_safe(text + markers)
    return mark_safe(text[:position] + markers + text[position:])


@register.filter
def reference_part(text) -> str:
    """``text`` ending in one full stop: "Lindahl, P." stays as it is, "Lindahl, P" gains one."""
    text = str(text or "").strip()
    if not text:
        return ""
    return text if text[-1] in ".?!" else f"{text}."


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
    from articles.presenter import manual_cards

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
