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

from django.utils.text import slugify

from articles.blocks import heading_tag
from articles.jsonld import article_jsonld, citation_url
from website.freshness import GenerationMemo

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
from .images import ImageBatch
from .text import RichTextBatch, clean_text, clean_url, front_end_path, site_root_paths

logger = logging.getLogger(__name__)

MANUAL_REASON = "Chosen by our editors"


def _list_items(raw) -> list:
    """Values of a ListBlock in either stored form (``[{"type": "item", "value": …}]`` or plain)."""
    out = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            out.append(item["value"])
        else:
            out.append(item)
    return out


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


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
    """One bundle build; see the module docstring for the phases."""

    def __init__(
        self, page, *, base_url: str, reader_context, is_preview: bool = False, generation: str | None = None
    ):
        self.page = page
        self.generation = generation
        self.base_url = base_url.rstrip("/")
        self.reader_context = reader_context
        self.is_preview = is_preview
        self.images = ImageBatch(base_url)
        self.rich = RichTextBatch()
        self.blocks = [b for b in page.body.raw_data if isinstance(b, dict)] if page.body is not None else []

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

        groups = [
            b for b in self.blocks if b.get("type") == "find_support" and isinstance(b.get("value"), dict)
        ]
        type_ids = {_int_or_none(b["value"].get("listing_type")) for b in groups} - {None}
        self.listing_types = ListingType.objects.in_bulk(type_ids) if type_ids else {}
        self.group_results: dict[str, dict] = {}
        listing_ids: set[int] = set()
        engine_listings: dict[int, object] = {}
        for block in groups:
            value = block["value"]
            listing_type = self.listing_types.get(_int_or_none(value.get("listing_type")))
            if value.get("mode") == "automatic":
                count = _int_or_none(value.get("count")) or 2
                try:
                    result = find_support(
                        self.page,
                        context=self.reader_context,
                        listing_type=listing_type,
                        count=max(1, min(count, 12)),
                        include_products=bool(value.get("include_products")),
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
                    for i in map(_int_or_none, _list_items(value.get("listings")))
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
            suggestions = related_suggestions(self.page, _related_limit(), self.generation)
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
        ids = {
            _int_or_none(b["value"].get("self_check"))
            for b in self.blocks
            if b.get("type") == "self_check" and isinstance(b.get("value"), dict)
        } - {None}
        self.self_checks = {}
        if ids:
            from selfchecks.models import SelfCheck

            self.self_checks = SelfCheck.objects.filter(pk__in=ids, live=True).in_bulk()

    def _collect_media(self) -> None:
        for block in self.blocks:
            kind, value = block.get("type"), block.get("value")
            if kind == "image" and isinstance(value, dict):
                self.images.want(_int_or_none(value.get("image")))
        self.images.resolve()

    # Rendering

    def _render_block(self, block: dict, citations: list, faq: list) -> dict | None:
        kind, value, block_id = block.get("type"), block.get("value"), str(block.get("id") or "")
        if kind == "paragraph":
            return {"type": kind, "id": block_id, "value": self.rich.render_source(value)}
        if not isinstance(value, dict):
            return None
        if kind == "heading":
            text = clean_text(value.get("text"))
            anchor = slugify(value.get("anchor") or "") or slugify(text)[:80]
            level = heading_tag(value.get("level"))
            return {"type": kind, "id": block_id, "value": {"text": text, "level": level, "anchor": anchor}}
        if kind == "quote":
            return {
                "type": kind,
                "id": block_id,
                "value": {
                    "text": clean_text(value.get("text")),
                    "speaker": clean_text(value.get("speaker")),
                    "credential": clean_text(value.get("credential")),
                },
            }
        if kind == "citation":
            citation = {
                "number": len(citations) + 1,
                "title": clean_text(value.get("title")),
                "authors": clean_text(value.get("authors")),
                "journal": clean_text(value.get("journal")),
                "year": _int_or_none(value.get("year")),
                "doi": clean_text(value.get("doi")),
                "pmid": clean_text(value.get("pmid")),
                "url": clean_url(value.get("url")),
                "link": clean_url(citation_url({k: value.get(k) for k in ("url", "doi", "pmid")})),
            }
            citations.append(citation)
            return {"type": kind, "id": block_id, "value": citation}
        if kind == "faq":
            items = []
            for item in _list_items(value.get("items")):
                if not isinstance(item, dict):
                    continue
                entry = {
                    "question": clean_text(item.get("question")),
                    "answer": self.rich.render_source(item.get("answer")),
                }
                items.append(entry)
                faq.append(entry)
            return {
                "type": kind,
                "id": block_id,
                "value": {"title": clean_text(value.get("title")), "items": items},
            }
        if kind == "find_support":
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
                "type": kind,
                "id": block_id,
                "value": {
                    "title": clean_text(value.get("title")),
                    "mode": "automatic" if value.get("mode") == "automatic" else "manual",
                    "listing_type": {"slug": listing_type.slug, "name": clean_text(listing_type.name)}
                    if listing_type
                    else None,
                    "cards": cards,
                    "widened_to": result["widened_to"],
                    "notice": clean_text(result["notice"]),
                },
            }
        if kind == "safety_note":
            return {
                "type": kind,
                "id": block_id,
                "value": {
                    "title": clean_text(value.get("title")),
                    "text": self.rich.render_source(value.get("text")),
                    "advises_against_joint_sessions": bool(value.get("advises_against_joint_sessions")),
                    "resource_label": clean_text(value.get("resource_label")),
                    "resource_url": clean_url(value.get("resource_url")),
                },
            }
        if kind == "self_check":
            from selfchecks.api import render_card

            self_check = self.self_checks.get(_int_or_none(value.get("self_check")))
            if self_check is None:
                return None  # unpublished or deleted: nothing to take
            heading = clean_text(value.get("heading")) or clean_text(self_check.title)
            return {
                "type": kind,
                "id": block_id,
                "value": {"heading": heading, "self_check": render_card(self_check)},
            }
        if kind == "image":
            image_id = _int_or_none(value.get("image"))
            return {
                "type": kind,
                "id": block_id,
                "value": {
                    "image": self.images.rendition(image_id, "body", alt=value.get("alt") or ""),
                    "caption": clean_text(value.get("caption")),
                },
            }
        return None

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
        for block in self.blocks:
            kind, value = block.get("type"), block.get("value")
            if kind == "paragraph":
                self.rich.add(value)
            elif kind == "faq" and isinstance(value, dict):
                for item in _list_items(value.get("items")):
                    if isinstance(item, dict):
                        self.rich.add(item.get("answer"))
            elif kind == "safety_note" and isinstance(value, dict):
                self.rich.add(value.get("text"))
        self.rich.resolve()

        citations: list[dict] = []
        faq: list[dict] = []
        body = [
            b for b in (self._render_block(block, citations, faq) for block in self.blocks) if b is not None
        ]
        roots = site_root_paths()
        section = None
        if page.path:
            # Sections are few and change rarely: looked up once per generation and process.
            sections = section_memo.current(self.generation)
            parent_path = page.path[: -page.steplen]
            if parent_path not in sections:
                sections[parent_path] = visible(SectionPage.objects.filter(path=parent_path)).first()
            section = sections[parent_path]
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
            "faq": faq,
            "citations": citations,
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


section_memo = GenerationMemo(max_entries=1000)


def _related_limit() -> int:
    from website.conf import wellness_settings

    return wellness_settings.API_RELATED_LIMIT


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
