"""The article bundle: everything an article page needs, built in a constant number of queries.

``build_bundle(page, …)`` works the same on a live page and on a draft revision's page object
(preview): it reads the body's raw stream data (no per-block lookups), collects every listing,
image, person, topic, picked article and internal link the body and relations refer to, loads each
kind in one query, then renders. Cards embedded in the bundle (picks, related articles, listings)
only ever show live, public articles and active listings, even inside a preview.

Automatic find-support groups and related articles come from ``recommendations.interface``; each
automatic group is one call to the engine, whose own cost is the engine's business.
"""

from __future__ import annotations

import logging

from articles.blocks import MANUAL_REASON, int_or_none, list_items
from articles.images import ImageBatch
from articles.jsonld import article_jsonld
from articles.page_context import related_limit
from articles.presenter import body_outline
from articles.readmodel import read_model

from .cards import (
    ArticleCards,
    card_ready,
    load_listings,
    load_people,
    related_suggestions,
    render_listing_card,
    render_person_card,
    render_section_ref,
    visible,
)
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


class BundleBuilder:
    """One bundle build; see the module docstring for the phases.

    It is also the presenter the body blocks render through (``articles.blocks.ApiContext``): each
    block asks it for sanitised text, rich text with resolved links, and the images, cards and
    self-checks loaded before rendering.
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
        self.blocks = [b for b in page.body.raw_data if isinstance(b, dict)] if page.body is not None else []
        self.outline = body_outline(self.blocks)
        self.wanted: dict[str, list] = {}
        for item in self.outline:
            for kind, key in item.block.wants(item.raw) if item.block is not None else []:
                self.wanted.setdefault(kind, []).append((item, key))

    # Loading

    def _load_relations(self) -> None:
        from articles.models import ExpertReview
        from experts.models import Topic

        page = self.page
        self.author_rels = list(page.article_authors.all())
        self.topic_rels = list(page.tagged_topics.all())
        self.pick_ids = [pick.picked_id for pick in page.editorial_picks.all() if pick.picked_id]
        self.review = None
        if page.last_review_id:
            self.review = ExpertReview.objects.filter(pk=page.last_review_id).first()
        people = load_people(
            [r.person_id for r in self.author_rels] + ([self.review.reviewer_id] if self.review else [])
        )
        # Assigned onto the relation objects so that the JSON-LD builder reads the same rows.
        for rel in self.author_rels:
            rel.person = people[rel.person_id]
        if self.review:
            self.review.reviewer = people[self.review.reviewer_id]
            page.last_review = self.review
        topics = Topic.objects.in_bulk({r.tag_id for r in self.topic_rels})
        for rel in self.topic_rels:
            rel.tag = topics[rel.tag_id]
        self.people = people
        for person in people.values():
            self.images.want(person.photo_id)
        self.images.want(page.hero_image_id)

    def _support_groups(self) -> None:
        """Runs the engine for automatic groups and loads every listing shown, in one query."""
        from experts.models import ListingType
        from recommendations.interface import find_support

        groups = [{"id": item.block_id, "value": raw} for item, raw in self.wanted.get("support_group", [])]
        type_ids = {int_or_none(b["value"].get("listing_type")) for b in groups} - {None}
        self.listing_types = ListingType.objects.in_bulk(type_ids) if type_ids else {}
        self.group_results: dict[str, dict] = {}
        listing_ids: set[int] = set()
        engine_listings: dict[int, object] = {}
        # Automatic groups never repeat what the editors' groups of this article show.
        shown_by_editors = frozenset(
            pk
            for block in groups
            if block["value"].get("mode") != "automatic"
            for pk in map(int_or_none, list_items(block["value"].get("listings")))
            if pk
        )
        for block in groups:
            value = block["value"]
            listing_type = self.listing_types.get(int_or_none(value.get("listing_type")))
            if value.get("mode") == "automatic":
                count = int_or_none(value.get("count")) or 2
                try:
                    result = find_support(
                        self.page,
                        context=self.reader_context,
                        listing_type=listing_type,
                        count=max(1, min(count, 12)),
                        include_products=bool(value.get("include_products")),
                        exclude_listings=shown_by_editors,
                        generation=self.generation,
                    )
                    cards = [
                        (s.listing.pk, list(s.reasons or []), bool(s.sponsored)) for s in result.suggestions
                    ]
                    engine_listings.update(
                        (s.listing.pk, s.listing) for s in result.suggestions if card_ready(s.listing)
                    )
                    widened, notice = result.widened_to, result.notice or ""
                except Exception:  # the article must still be served without suggestions
                    logger.exception("find_support failed for article %s", self.page.pk)
                    cards, widened, notice = [], None, ""
            else:
                cards = [
                    (i, [MANUAL_REASON], None)
                    for i in map(int_or_none, list_items(value.get("listings")))
                    if i
                ]
                widened, notice = None, ""
            listing_ids.update(pk for pk, _, _ in cards)
            self.group_results[block.get("id") or ""] = {
                "cards": cards,
                "widened_to": widened,
                "notice": notice,
                "listing_type": listing_type,
            }
        # The engine's listings already carry what a card shows: only the others are loaded here.
        for listing in engine_listings.values():
            self.images.want(listing.image_id)
        others = load_listings(listing_ids - engine_listings.keys(), self.images)
        self.listings = {**engine_listings, **others}

    def _related(self) -> None:
        self.related: list[tuple[int, str, list[str]]] = []
        if self.page.pk is None:
            return
        try:
            suggestions = related_suggestions(self.page, related_limit(), self.generation)
        except Exception:  # the article must still be served without them
            logger.exception("related_articles failed for article %s", self.page.pk)
            suggestions = []
        seen = set(self.pick_ids) | {self.page.pk}
        for suggestion in suggestions:
            pk = getattr(suggestion.article, "pk", None)
            if pk and pk not in seen:
                seen.add(pk)
                self.related.append((pk, suggestion.source, list(suggestion.reasons or [])))
        self.cards = ArticleCards(self.base_url, self.generation).load(
            self.pick_ids + [pk for pk, _, _ in self.related], self.images
        )

    def _self_checks(self) -> None:
        """The published self-checks the body embeds, in one query (none without such blocks)."""
        ids = {key for _, key in self.wanted.get("self_check", [])} - {None}
        self.self_checks = {}
        if ids:
            from selfchecks.models import SelfCheck

            self.self_checks = SelfCheck.objects.filter(pk__in=ids, live=True).in_bulk()

    def _collect_media(self) -> None:
        for _, image_id in self.wanted.get("image", []):
            self.images.want(image_id)
        self.images.resolve()

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

        self_check = self.self_checks.get(self_check_id)
        return render_card(self_check) if self_check is not None else None

    def support_group(self, block_id: str) -> dict:
        result = self.group_results.get(
            block_id, {"cards": [], "widened_to": None, "notice": "", "listing_type": None}
        )
        cards = []
        for pk, reasons, sponsored in result["cards"]:
            listing = self.listings.get(pk)
            if listing is None:
                continue
            cards.append(
                {
                    "listing": render_listing_card(listing, self.images),
                    "reasons": [clean_text(r) for r in reasons],
                    "sponsored": listing.is_sponsored
                    if sponsored is None
                    else (sponsored or listing.is_sponsored),
                }
            )
        listing_type = result["listing_type"]
        return {
            "cards": cards,
            "widened_to": result["widened_to"],
            "notice": result["notice"],
            "listing_type": {"slug": listing_type.slug, "name": clean_text(listing_type.name)}
            if listing_type
            else None,
        }

    def _render_body(self) -> tuple[list[dict], dict[str, list]]:
        body: list[dict] = []
        collected: dict[str, list] = {"citations": [], "faq": []}
        for item in self.outline:
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

        review = self.review
        return {
            "status": review_status(self.page),
            "reviewer": render_person_card(review.reviewer, self.images) if review else None,
            "reviewed_at": review.reviewed_at if review else None,
            "summary": clean_text(review.summary) if review else "",
            "conflict_of_interest": clean_text(review.conflict_of_interest) if review else "",
            "next_review_due": self.page.review_due_at if review else None,
        }

    def build(self) -> dict:
        from articles.models import SectionPage

        page = self.page
        self._load_relations()
        self._support_groups()
        self._related()
        self._self_checks()
        self._collect_media()
        # Every rich text fragment is registered before the first render, so links resolve in one query.
        for _, source in self.wanted.get("rich", []):
            self.rich_text.add(source)
        self.rich_text.resolve()
        body, collected = self._render_body()
        roots = site_root_paths()
        section = None
        if page.path:
            # Sections are in the generation's read model; previews look theirs up.
            parent_path = page.path[: -page.steplen]
            if self.generation is not None:
                section = read_model(self.generation).sections.get(parent_path)
            else:
                section = visible(SectionPage.objects.filter(path=parent_path)).first()
        url_path = front_end_path(page.url_path or "", roots) or page.url_path or ""
        cards = self.cards.rendered()
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
            "section": render_section_ref(section),
            "topics": [{"slug": rel.tag.slug, "name": clean_text(rel.tag.name)} for rel in self.topic_rels],
            "authors": [render_person_card(rel.person, self.images) for rel in self.author_rels],
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
            "editorial_picks": [cards[pk] for pk in self.pick_ids if pk in cards],
            "related": [
                {"article": cards[pk], "source": source, "reasons": [clean_text(r) for r in reasons]}
                for pk, source, reasons in self.related
                if pk in cards
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
