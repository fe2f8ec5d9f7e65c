"""The HTML article page's template context: what the article presenter loaded, for Wagtail templates.

``article_page_context`` asks ``articles.presenter.ArticlePresenter`` (the loader the API bundle
renders too) with the rendition specs the templates show (``articles.images.HTML_RENDITIONS``),
then pairs each body block with what its template needs from the rest of the page: the heading's
anchor, the citation's number, the find-support group's cards, the image with its renditions.
Editorial picks and related articles are the read model's card dicts (``articles.cards``). The
query count depends on neither the body's length nor the number of authors, picks, FAQ items or
card groups (each automatic group is one call to the engine).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from website.freshness import content_generation
from website.public_url import public_root

from .cards import render_section_ref
from .images import HTML_RENDITIONS, ImageBatch
from .jsonld import article_jsonld, citation_url
from .presenter import ArticlePresenter, SupportCard
from .suggestions import article_suggestions


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


def _is_preview(request: HttpRequest | None) -> bool:
    return bool(request is not None and getattr(request, "is_preview", False))


def body_items(page, presenter: ArticlePresenter) -> tuple[list[BodyItem], list[Reference]]:
    """The body blocks, each with what its template needs, and the numbered reference list."""
    outline = {entry.index: entry for entry in presenter.outline}
    images = {item.index: presenter.images.image(key) for item, key in presenter.wanted.get("image", [])}
    items: list[BodyItem] = []
    references: list[Reference] = []
    for index, block in enumerate(page.body or []):
        item = BodyItem(block, image=images.get(index))
        entry = outline.get(index)
        if entry is not None:
            item.anchor = entry.anchor
            if entry.number is not None:
                item.number = entry.number
                references.append(Reference(item.number, block.value, citation_url(block.value)))
        group = presenter.groups.get(index)
        if group is not None:
            item.cards, item.notice = group.cards, group.notice
        items.append(item)
    return items, references


def article_page_context(page, request: HttpRequest | None) -> dict:
    """Template context for an article page (see the module docstring)."""
    suggestions = article_suggestions()
    preview = _is_preview(request) or page.pk is None
    reader_context = suggestions.reader_context(request)
    presenter = ArticlePresenter(
        page,
        suggestions=suggestions,
        reader_context=reader_context,
        # Relative URLs, as Wagtail's own image tags give them.
        images=ImageBatch("", HTML_RENDITIONS),
        generation=None if preview else content_generation()[0],
        is_preview=preview,
    ).load()
    items, references = body_items(page, presenter)
    return {
        "section": render_section_ref(presenter.section()),
        "authors": presenter.authors,
        "review": presenter.review,
        "review_status": page.review_status,
        "body_items": items,
        "references": references,
        "editorial_picks": presenter.editorial_picks(),
        "related_articles": [
            {"card": card, "reasons": entry.reasons} for card, entry in presenter.related_articles()
        ],
        "jsonld": article_jsonld(page, base_url=public_root() + "/"),
        "reader_context": reader_context,
    }
