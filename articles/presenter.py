"""The article presenter: everything an article page shows, loaded in batches, for HTML and API alike.

``ArticlePresenter(page, …).load()`` reads the body's stored blocks once (``body_outline``: every
heading's anchor unique on the page, the citations' numbers), asks each block what it needs
(``BodyBlock.wants``) and loads each kind in one query for the whole page: the byline (authors and
the reviewer, with credentials), topics, the listings of the find-support groups (the editors'
chosen ones and, through the suggestions hook, the engine's for the reader), editorial picks and
related articles as cards from the read model's rows (``articles.cards``), embedded self-checks,
and every image with its renditions (``articles.images.ImageBatch``: hero, photos, logos, body
images, card images). The count depends on neither the body's length nor the number of authors,
picks or groups; each automatic group is one call to the engine, whose cost is its own.

Two adapters render what it loaded: the HTML page's context (``articles.page_context``, Wagtail
templates) and the API bundle (``website.api.bundle``, the blocks' ``get_api_representation``).
Because both take the anchors, citation numbers, support cards, picks, related articles and their
count from the same presenter, the page and the bundle cannot disagree on them.

The presenter works the same on a live page and on a draft revision's page object (previews, which
have no content generation: their cards are read afresh). Cards only ever show live, public
articles and active listings, even inside a preview.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects

from .blocks import MANUAL_REASON, ArticleBodyBlock, BodyBlock, int_or_none, list_items, published_self_checks
from .cards import ArticleCards
from .images import ImageBatch
from .readmodel import SectionRef, read_model, read_sections

logger = logging.getLogger(__name__)

BODY_BLOCK = ArticleBodyBlock()


@dataclass
class OutlineItem:
    """One stored body block and what the page gives it."""

    index: int
    kind: str
    block_id: str
    raw: Any
    block: BodyBlock | None  # None: a type the body no longer knows (left out everywhere)
    anchor: str = ""  # heading: its id, unique on the page
    number: int | None = None  # citation: its number in the reference list


def body_outline(raw_blocks) -> list[OutlineItem]:
    """The outline of a body given as stored data (``StreamValue.raw_data`` or a list of dicts)."""
    items: list[OutlineItem] = []
    anchors: set[str] = set()
    numbered = 0
    for index, stored in enumerate(raw_blocks or []):
        if not isinstance(stored, dict):
            continue
        kind = stored.get("type") or ""
        block = BODY_BLOCK.child_blocks.get(kind)
        item = OutlineItem(index, kind, str(stored.get("id") or ""), stored.get("value"), block)
        if block is not None:
            base = block.anchor_base(item.raw) if isinstance(item.raw, dict) else None
            if base:
                item.anchor, n = base, 1
                while item.anchor in anchors:
                    n += 1
                    item.anchor = f"{base}-{n}"
                anchors.add(item.anchor)
            if block.numbered and isinstance(item.raw, dict):
                numbered += 1
                item.number = numbered
        items.append(item)
    return items


def related_limit() -> int:
    """How many related articles a page shows, in HTML and in the API alike."""
    from website.conf import wellness_settings

    return wellness_settings.API_RELATED_LIMIT


@dataclass
class SupportCard:
    """One practitioner card of a find-support group: the listing (an ``experts.cards.ListingCard``
    row; a ``Listing`` when a block is rendered on its own), why it is shown, and whether it is
    marked sponsored (the engine's flag or the listing's own commercial relationship)."""

    listing: Any
    reasons: list[str] = field(default_factory=list)
    sponsored: bool = False
    image: Any = None  # the listing's image as the presenter loaded it (renditions prefetched)


@dataclass
class SupportGroup:
    """A find-support group's cards; ``listing_type``, ``widened_to`` and ``notice`` as the engine
    answered (automatic groups) or as the editor chose (manual)."""

    cards: list[SupportCard] = field(default_factory=list)
    listing_type: Any = None
    widened_to: str | None = None
    notice: str = ""


@dataclass(frozen=True)
class RelatedEntry:
    """A related article: its id, where it came from (``editorial_pick`` or ``automatic``), why."""

    id: int
    source: str
    reasons: tuple[str, ...] = ()


def manual_cards(value) -> list[SupportCard]:
    """The cards of an editor's group from its Python value (a block rendered on its own)."""
    return [
        SupportCard(listing, [MANUAL_REASON], listing.is_sponsored)
        for listing in value.get("listings") or []
        if listing is not None and listing.is_active
    ]


class ArticlePresenter:
    """One article page's data, loaded in batches by ``load()``; see the module docstring.

    ``suggestions``: an ``articles.suggestions.ArticleSuggestions`` (the hook's provider for the
    HTML page; the API passes one bound to its content generation). ``images``: the response's
    batch, whose rendition specs are the HTML templates' or the API's. ``generation``: the content
    generation whose read model gives the cards and the section; None (previews) reads them afresh.
    ``is_preview``: the page is a draft revision's object, whose relations are its own (in memory),
    not the database's.
    """

    def __init__(
        self,
        page,
        *,
        suggestions,
        reader_context,
        images: ImageBatch,
        generation: str | None = None,
        is_preview: bool = False,
    ):
        self.page = page
        self.is_preview = is_preview
        self.suggestions = suggestions
        self.reader_context = reader_context
        self.images = images
        self.generation = generation
        self.outline = body_outline(page.body.raw_data if page.body is not None else [])
        self.wanted: dict[str, list] = {}
        for item in self.outline:
            for kind, key in item.block.wants(item.raw) if item.block is not None else []:
                self.wanted.setdefault(kind, []).append((item, key))

    def load(self) -> ArticlePresenter:
        self._load_byline()
        self._load_support_groups()
        self._load_cards()
        self._load_self_checks()
        self._load_images()
        return self

    # Loading

    def _load_byline(self) -> None:
        """Authors and the reviewer (one query for all people, one for their credentials), the last
        review and the topics; every photo joins the image batch."""
        from experts.models import Person, Topic

        from .models import ExpertReview

        page = self.page
        if page.pk is not None and not self.is_preview:
            # Once for the page, so that every reader of these relations (JSON-LD too) gets these rows.
            prefetch_related_objects([page], "article_authors", "tagged_topics", "editorial_picks")
        self.author_rels = list(page.article_authors.all())
        self.topic_rels = list(page.tagged_topics.all())
        self.pick_ids = [pick.picked_id for pick in page.editorial_picks.all() if pick.picked_id]
        self.review = None
        if page.last_review_id:
            self.review = ExpertReview.objects.filter(pk=page.last_review_id).first()
        ids = {r.person_id for r in self.author_rels} | ({self.review.reviewer_id} if self.review else set())
        people = Person.objects.filter(pk__in=ids).prefetch_related("credentials").in_bulk() if ids else {}
        # Assigned onto the relation objects so that the JSON-LD builder reads the same rows. A draft
        # may still name a person deleted since: left out rather than failing the preview.
        self.author_rels = [rel for rel in self.author_rels if rel.person_id in people]
        for rel in self.author_rels:
            rel.person = people[rel.person_id]
        if self.review:
            self.review.reviewer = people[self.review.reviewer_id]
        page.last_review = self.review
        topics = Topic.objects.in_bulk({r.tag_id for r in self.topic_rels}) if self.topic_rels else {}
        for rel in self.topic_rels:
            rel.tag = topics[rel.tag_id]
        self.people = people
        for person in people.values():
            self.images.want(person.photo_id)
        self.images.want(page.hero_image_id)

    @property
    def authors(self) -> list:
        return [rel.person for rel in self.author_rels]

    @property
    def topics(self) -> list:
        return [rel.tag for rel in self.topic_rels]

    def _load_support_groups(self) -> None:
        """Asks the engine for each automatic group (its suggestions come as card rows) and reads the
        card rows of the editors' chosen listings in one batch (``experts.cards.listing_cards``)."""
        from experts.cards import ListingCard, listing_cards
        from experts.models import ListingType

        groups = [(item.index, raw) for item, raw in self.wanted.get("support_group", [])]
        type_ids = {int_or_none(raw.get("listing_type")) for _, raw in groups} - {None}
        listing_types = ListingType.objects.in_bulk(type_ids) if type_ids else {}
        # Automatic groups never repeat what the editors' groups of this article show.
        shown_by_editors = frozenset(
            pk
            for _, raw in groups
            if raw.get("mode") != "automatic"
            for pk in map(int_or_none, list_items(raw.get("listings")))
            if pk
        )
        chosen: dict[int, tuple[SupportGroup, list[tuple[int, list[str], bool]]]] = {}
        engine_cards: dict[int, ListingCard] = {}
        for index, raw in groups:
            group = SupportGroup(listing_type=listing_types.get(int_or_none(raw.get("listing_type"))))
            if raw.get("mode") == "automatic":
                count = int_or_none(raw.get("count")) or 2
                try:
                    result = self.suggestions.find_support(
                        self.page,
                        context=self.reader_context,
                        listing_type=group.listing_type,
                        count=max(1, min(count, 12)),
                        include_products=bool(raw.get("include_products")),
                        exclude_listings=shown_by_editors,
                    )
                    entries = [
                        (s.listing.pk, list(s.reasons or []), bool(s.sponsored)) for s in result.suggestions
                    ]
                    engine_cards.update(
                        (s.listing.pk, s.listing)
                        for s in result.suggestions
                        if isinstance(s.listing, ListingCard)
                    )
                    group.widened_to = getattr(result, "widened_to", None)
                    group.notice = result.notice or ""
                except Exception:  # a failing engine must not take the article down with it
                    logger.exception("find_support failed for article %s", self.page.pk)
                    entries = []
            else:
                entries = [
                    (pk, [MANUAL_REASON], False)
                    for pk in map(int_or_none, list_items(raw.get("listings")))
                    if pk
                ]
            chosen[index] = (group, entries)
        # The engine's suggestions are card rows already: only the others (the editors') are read.
        wanted = {pk for _, entries in chosen.values() for pk, _, _ in entries} - engine_cards.keys()
        self.listings: dict[int, ListingCard] = {**engine_cards, **listing_cards(wanted)}
        for card in self.listings.values():
            self.images.want(card.image_id)
        self.groups: dict[int, SupportGroup] = {}  # by the block's place in the body
        for index, (group, entries) in chosen.items():
            for pk, reasons, sponsored in entries:
                listing = self.listings.get(pk)
                if listing is not None:
                    group.cards.append(SupportCard(listing, reasons, sponsored or listing.is_sponsored))
            self.groups[index] = group

    def support_group(self, index: int) -> SupportGroup:
        """The cards of the find-support group at ``index`` in the body (``OutlineItem.index``)."""
        return self.groups.get(index) or SupportGroup()

    def _load_cards(self) -> None:
        """Related articles (picks first, then the engine's; never the page itself or a repeat) and
        the cards of both from the read model's rows."""
        self.related: list[RelatedEntry] = []
        if self.page.pk is not None:
            try:
                suggestions = self.suggestions.related_articles(self.page, limit=related_limit())
            except Exception:  # the article must still be served without them
                logger.exception("related_articles failed for article %s", self.page.pk)
                suggestions = []
            seen = set(self.pick_ids) | {self.page.pk}
            for suggestion in suggestions:
                pk = getattr(suggestion.article, "pk", None)
                if pk and pk not in seen:
                    seen.add(pk)
                    source = getattr(suggestion, "source", "automatic")
                    self.related.append(RelatedEntry(pk, source, tuple(suggestion.reasons or ())))
        self.cards = ArticleCards(self.images.base_url, self.generation).load(
            self.pick_ids + [entry.id for entry in self.related], self.images
        )

    def _load_self_checks(self) -> None:
        """The published self-checks the body embeds, in one query (none without such blocks)."""
        ids = {key for _, key in self.wanted.get("self_check", [])} - {None}
        self.self_checks: dict[int, Any] = published_self_checks(ids) if ids else {}

    def _load_images(self) -> None:
        """Every image of the page with its renditions (two queries), then set on the people and the
        page loaded for this request, so that a template's ``{% image person.photo … %}`` reads the
        loaded one."""
        for _, image_id in self.wanted.get("image", []):
            self.images.want(image_id)
        self.images.resolve()
        for obj, name in (*((person, "photo") for person in self.people.values()), (self.page, "hero_image")):
            image = self.images.image(getattr(obj, f"{name}_id"))
            if image is not None:
                setattr(obj, name, image)
        # Card rows are immutable and shared by requests (the engine's): the support card holds the image.
        for group in self.groups.values():
            for card in group.cards:
                card.image = self.images.image(card.listing.image_id)

    # What the adapters render

    def rendered_cards(self) -> dict[int, dict]:
        """Cards of the picks and related articles, by id (after ``load``)."""
        if not hasattr(self, "_rendered"):
            self._rendered = self.cards.rendered()
        return self._rendered

    def editorial_picks(self) -> list[dict]:
        cards = self.rendered_cards()
        return [cards[pk] for pk in self.pick_ids if pk in cards]

    def related_articles(self) -> list[tuple[dict, RelatedEntry]]:
        cards = self.rendered_cards()
        return [(cards[entry.id], entry) for entry in self.related if entry.id in cards]

    def section(self) -> SectionRef | None:
        """The article's section if readers may see it: from the read model, or read (previews)."""
        page = self.page
        if not page.path:
            return None
        parent_path = page.path[: -page.steplen]
        if self.generation is not None:
            return read_model(self.generation).sections.get(parent_path)
        return read_sections([parent_path]).get(parent_path)
