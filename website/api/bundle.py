"""The article bundle: the API's rendering of what the article presenter loaded.

``build_bundle(page, …)`` works the same on a live page and on a draft revision's page object
(preview). Everything the page shows is loaded by ``articles.presenter.ArticlePresenter``, in a
constant number of queries and the same way as for the HTML page (so both show the same anchors,
citation numbers, support cards, picks and related articles); this module adds what only the API
needs: rich text with every internal link resolved in one query, sanitised text, and the dicts
``ArticleBundleSerializer`` documents. Each body block renders itself through
``get_api_representation`` with this builder as its ``ApiContext``.

Automatic find-support groups and related articles come from ``recommendations.interface`` with
the response's content generation; each automatic group is one call to the engine, whose own cost
is the engine's business.
"""

from __future__ import annotations

import logging

from articles.cards import render_section_ref
from articles.images import ImageBatch
from articles.jsonld import article_jsonld
from articles.presenter import ArticlePresenter

from .cards import related_suggestions, render_listing_card, render_person_card
from .text import RichTextBatch, clean_text, clean_url, front_end_path, site_root_paths

logger = logging.getLogger(__name__)


def _sanitise_jsonld(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_sanitise_jsonld(v) for v in value]
    if isinstance(value, dict):
        return {k: _sanitise_jsonld(v) for k, v in value.items()}
    return value


def reader_context_dict(context) -> dict:
    return {
        "country": context.country,
        "language": context.language,
        "modality": context.modality,
        "near": list(context.near) if context.near else None,
    }


class EngineSuggestions:
    """The engine as the presenter asks it (``articles.suggestions.ArticleSuggestions``), bound to the
    response's content generation: related lists are asked once per article and generation
    (``cards.related_suggestions``) and the engine reads the same snapshot as the response."""

    def __init__(self, generation: str | None):
        self.generation = generation

    def related_articles(self, page, *, limit: int) -> list:
        return related_suggestions(page, limit, self.generation)

    def find_support(self, page, **options):
        from recommendations.interface import find_support

        return find_support(page, generation=self.generation, **options)


class BundleBuilder:
    """One bundle build: the presenter loads, then the body blocks render through this builder
    (``articles.blocks.ApiContext``): sanitised text, rich text with resolved links, and the images,
    cards and self-checks the presenter loaded.
    """

    def __init__(
        self, page, *, base_url: str, reader_context, is_preview: bool = False, generation: str | None = None
    ):
        self.page = page
        self.generation = generation
        self.base_url = base_url.rstrip("/")
        self.reader_context = reader_context
        self.is_preview = is_preview
        self.images = ImageBatch(base_url)
        self.rich_text = RichTextBatch()
        self.presenter = ArticlePresenter(
            page,
            suggestions=EngineSuggestions(generation),
            reader_context=reader_context,
            images=self.images,
            generation=generation,
            is_preview=is_preview,
        )

    # Rendering

    # The presenter the blocks render through (``articles.blocks.ApiContext``)

    def text(self, value) -> str:
        return clean_text(value)

    def url(self, value) -> str | None:
        return clean_url(value)

    def rich(self, source) -> dict:
        return self.rich_text.render_source(source)

    def image(self, image_id: int | None, spec: str, alt: str | None = None) -> dict | None:
        return self.images.rendition(image_id, spec, alt=alt)

    def self_check_card(self, self_check_id: int | None) -> dict | None:
        from website.api.selfchecks.views import render_card

        self_check = self.presenter.self_checks.get(self_check_id)
        return render_card(self_check) if self_check is not None else None

    def support_group(self, index: int) -> dict:
        group = self.presenter.support_group(index)
        listing_type = group.listing_type
        return {
            "cards": [
                {
                    "listing": render_listing_card(card.listing, self.images),
                    "reasons": [clean_text(r) for r in card.reasons],
                    "sponsored": card.sponsored,
                }
                for card in group.cards
            ],
            "widened_to": group.widened_to,
            "notice": group.notice,
            "listing_type": {"slug": listing_type.slug, "name": clean_text(listing_type.name)}
            if listing_type
            else None,
        }

    def _render_body(self) -> tuple[list[dict], dict[str, list]]:
        body: list[dict] = []
        collected: dict[str, list] = {"citations": [], "faq": []}
        for item in self.presenter.outline:
            if item.block is None:
                continue
            value = item.block.get_api_representation(item.raw, {"presenter": self, "item": item})
            if value is None:
                continue
            body.append({"type": item.kind, "id": item.block_id, "value": value})
            for name, entry in item.block.collected(value):
                collected[name].append(entry)
        return body, collected

    def _review(self) -> dict:
        from articles.reviews import review_status

        review = self.presenter.review
        return {
            "status": review_status(self.page),
            "reviewer": render_person_card(review.reviewer, self.images) if review else None,
            "reviewed_at": review.reviewed_at if review else None,
            "summary": clean_text(review.summary) if review else "",
            "conflict_of_interest": clean_text(review.conflict_of_interest) if review else "",
            "next_review_due": self.page.review_due_at if review else None,
        }

    def build(self) -> dict:
        page, presenter = self.page, self.presenter
        presenter.load()
        # Every rich text fragment is registered before the first render, so links resolve in one query.
        for _, source in presenter.wanted.get("rich", []):
            self.rich_text.add(source)
        self.rich_text.resolve()
        body, collected = self._render_body()
        roots = site_root_paths()
        url_path = front_end_path(page.url_path or "", roots) or page.url_path or ""
        hero_alt = page.hero_alt or None
        social = self.images.rendition(page.hero_image_id, "social", alt=hero_alt)
        try:
            jsonld = _sanitise_jsonld(article_jsonld(page, base_url=self.base_url))
        except Exception:  # structured data is an extra; never fail the article on it
            logger.exception("article_jsonld failed for article %s", page.pk)
            jsonld = []
        return {
            "id": page.pk,
            "slug": page.slug,
            "url_path": url_path,
            "title": clean_text(page.title),
            "standfirst": clean_text(page.standfirst),
            "section": render_section_ref(presenter.section(), roots),
            "topics": [{"slug": topic.slug, "name": clean_text(topic.name)} for topic in presenter.topics],
            "authors": [render_person_card(person, self.images) for person in presenter.authors],
            "review": self._review(),
            "reading_time": page.reading_time,
            "is_sensitive": page.is_sensitive,
            "first_published_at": page.first_published_at,
            "last_published_at": page.last_published_at,
            "images": {
                "hero": self.images.rendition(page.hero_image_id, "hero", alt=hero_alt),
                "card": self.images.rendition(page.hero_image_id, "card", alt=hero_alt),
                "social": social,
            },
            "body": body,
            "faq": collected["faq"],
            "citations": collected["citations"],
            "editorial_picks": presenter.editorial_picks(),
            "related": [
                {"article": card, "source": entry.source, "reasons": [clean_text(r) for r in entry.reasons]}
                for card, entry in presenter.related_articles()
            ],
            "reader_context": reader_context_dict(self.reader_context),
            "seo": {
                "title": clean_text(page.seo_title or page.title),
                "description": clean_text(page.search_description or page.standfirst),
                "canonical_url": self.base_url + url_path,
                "image": social,
            },
            "jsonld": jsonld,
            "is_preview": self.is_preview,
        }


def build_bundle(
    page, *, base_url: str, reader_context, is_preview: bool = False, generation: str | None = None
) -> dict:
    """The bundle dict for ``page`` (an ``ArticlePage``, live or a revision's object).

    ``generation``: the content generation token the response is validated with; embedded article
    cards rendered for it earlier are reused (``cards.rendered_article_cards``). Previews pass none.
    """
    return BundleBuilder(
        page, base_url=base_url, reader_context=reader_context, is_preview=is_preview, generation=generation
    ).build()
