"""``{% see_all_url %}``: the directory link of an article's find-support group."""

from __future__ import annotations

from django import template

from experts.directory import listing_url, see_all_url

register = template.Library()


@register.simple_tag(takes_context=True)
def group_see_all_url(context, value, cards=None) -> str:
    """The group's listing type (automatic groups; manual ones when all cards share a type), the
    article's topics and the reader's country."""
    listing_type = value.get("listing_type")
    if listing_type is None and isinstance(cards, list):
        types = {card.listing.listing_type.slug for card in cards}
        listing_type = types.pop() if len(types) == 1 else None
    page = context.get("page")
    topics = [rel.tag.slug for rel in page.tagged_topics.all()] if page is not None and page.pk else []
    reader = context.get("reader_context")
    return see_all_url(
        listing_type=getattr(listing_type, "slug", listing_type) or "",
        topics=topics,
        country=getattr(reader, "country", None) or "",
    )


register.simple_tag(listing_url, name="listing_url")
