"""Building the cards the API embeds (articles, people, listings) in a fixed number of queries.

Each kind has a *load* step that fetches every row it needs for a whole list at once, and a
*render* step that turns one loaded object into the dict its serializer declares. Images are only
registered during loading (``ImageBatch.want``) and fetched once for the whole response, so a list
of 50 cards costs the same number of queries as a list of one.

Article cards are read as plain rows (``read_card_rows``, no page objects) and kept per process and
content generation: every visible article's row (``card_directory``) and every card rendered
(``card_memo``), so embedding a card usually costs no query at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from articles.visibility import visible
from experts.countries import language_name
from website.freshness import GenerationMemo

from .images import ImageBatch
from .text import clean_text, clean_url, front_end_path, site_root_paths


def live_articles() -> QuerySet:
    """The only articles the API ever shows (see ``visible``)."""
    from articles.models import ArticlePage

    return visible(ArticlePage.objects.all())


# People


def load_people(ids: Iterable[int]) -> dict[int, object]:
    from experts.models import Person

    ids = {i for i in ids if i}
    if not ids:
        return {}
    return Person.objects.filter(pk__in=ids).prefetch_related("credentials").in_bulk()


def render_byline(person) -> dict:
    return {
        "slug": person.slug,
        "name": clean_text(person.name),
        "honorific": clean_text(person.honorific),
        "display_name": clean_text(person.display_name),
        "board_badge": person.shows_board_badge,
    }


def render_person_card(person, images: ImageBatch) -> dict:
    return {
        **render_byline(person),
        "headline": clean_text(person.headline),
        "url_path": person.get_absolute_url(),
        "photo": images.rendition(person.photo_id, "portrait", alt=person.display_name),
    }


def render_expert(person, images: ImageBatch) -> dict:
    return {
        **render_person_card(person, images),
        "roles": {
            "author": person.is_author,
            "reviewer": person.is_reviewer,
            "board_member": person.is_board_member,
        },
        "expertise": [{"slug": t.slug, "name": clean_text(t.name)} for t in person.expertise.all()],
        "credentials": [
            {
                "title": clean_text(c.title),
                "kind": c.kind,
                "issuing_body": clean_text(c.issuing_body),
                "country": c.country,
                "valid": c.is_valid(),
            }
            for c in person.credentials.all()
        ],
    }


# Listings


def listing_queryset() -> QuerySet:
    from experts.models import Listing

    return (
        Listing.objects.filter(is_active=True)
        .select_related("listing_type")
        .prefetch_related("languages", "specialties", "approaches")
    )


def load_listings(ids: Iterable[int], images: ImageBatch) -> dict[int, object]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    found = listing_queryset().in_bulk(ids)
    for listing in found.values():
        images.want(listing.image_id)
    return found


CARD_RELATIONS = frozenset({"languages", "specialties", "approaches"})


def card_ready(listing) -> bool:
    """Whether a listing (e.g. the engine's) is active and has what its card renders loaded."""
    from experts.models import Listing

    return (
        isinstance(listing, Listing)
        and listing.is_active
        and Listing.listing_type.is_cached(listing)
        and CARD_RELATIONS <= set(getattr(listing, "_prefetched_objects_cache", {}))
    )


def render_listing_card(listing, images: ImageBatch, distance: float | None = None) -> dict:
    """``distance``: km from the reader; else the ``distance_km`` a listing search annotated."""
    if distance is None:
        distance = getattr(listing, "distance_km", None)
    return {
        "slug": listing.slug,
        "name": clean_text(listing.name),
        "listing_type": {"slug": listing.listing_type.slug, "name": clean_text(listing.listing_type.name)},
        "kind": listing.kind,
        "modalities": listing.modalities,
        "country": listing.country,
        "country_name": listing.country_name,
        "city": clean_text(listing.city),
        "languages": [
            {"code": lang.code, "name": language_name(lang.code)} for lang in listing.languages.all()
        ],
        "specialties": [{"slug": t.slug, "name": clean_text(t.name)} for t in listing.specialties.all()],
        "approaches": [{"slug": a.slug, "name": clean_text(a.name)} for a in listing.approaches.all()],
        "summary": clean_text(listing.summary),
        "image": images.rendition(listing.image_id, "logo", alt=listing.name),
        "website_url": clean_url(listing.website_url),
        "booking_url": clean_url(listing.booking_url),
        "verified": listing.verified,
        "accepting_clients": listing.accepting_clients,
        "sponsored": listing.is_sponsored,
        "commercial_relationship": listing.commercial_relationship,
        "distance_km": round(distance, 1) if distance is not None else None,
    }


# Articles


@dataclass
class ArticleCardRow:
    """What an article card shows, read as plain rows (no page objects); see ``load_article_cards``."""

    id: int
    slug: str
    title: str
    standfirst: str
    url_path: str
    section: dict | None
    hero_image_id: int | None
    hero_alt: str
    reading_time: int
    first_published_at: object
    last_published_at: object
    review_status: str
    reviewer_id: int | None = None
    last_reviewed_at: object = None
    topics: list[dict] = field(default_factory=list)
    authors: list[dict] = field(default_factory=list)
    reviewer: dict | None = None


CARD_FIELDS = (
    "pk",
    "slug",
    "title",
    "standfirst",
    "url_path",
    "path",
    "hero_image_id",
    "hero_alt",
    "reading_time",
    "first_published_at",
    "last_published_at",
    "review_status_db",
    "last_review__reviewer_id",
    "last_review__reviewed_at",
)

# What cards share, per process and content generation (and date: the board badge depends on
# credentials still valid today): people's bylines, topics and sections, each loaded once.
card_parts_memo = GenerationMemo(max_entries=20000)


def _card_parts(token: str | None, kind: str, keys, load) -> dict:
    """``{key: part}`` for ``keys``, from the memo or ``load(missing keys)`` (a dict; absent = None)."""
    memo = card_parts_memo.current(token)
    missing = {k for k in keys if (kind, k) not in memo}
    if missing:
        found = load(missing)
        memo.update(((kind, k), found.get(k)) for k in missing)
    return {k: memo[(kind, k)] for k in keys}


def _load_bylines(ids) -> dict:
    return {pk: render_byline(person) for pk, person in load_people(ids).items()}


def _load_topics(ids) -> dict:
    from experts.models import Topic

    rows = Topic.objects.filter(pk__in=ids).values_list("pk", "slug", "name")
    return {pk: (name, {"slug": slug, "name": clean_text(name)}) for pk, slug, name in rows}


def _load_sections(paths) -> dict:
    from articles.models import SectionPage

    return {s.path: render_section_ref(s) for s in visible(SectionPage.objects.filter(path__in=paths))}


def card_rows_queryset(queryset: QuerySet | None = None) -> QuerySet:
    """Live, public articles annotated with their review status (the article list filters it)."""
    from articles.reviews import annotate_review_status

    return annotate_review_status(queryset if queryset is not None else live_articles())


def read_card_rows(
    ids: list[int] | None, token: str | None = None, *, limit: int | None = None
) -> dict[int, ArticleCardRow] | None:
    """``ArticleCardRow`` of the visible articles among ``ids`` (None: of all; then None when there
    are more than ``limit``).

    Three queries (the pages with their review, their authors, their topics) plus, for people,
    topics and sections not seen yet in this generation (``token``; None: none are remembered),
    one or two each. No model objects are built for pages or relations: that was most of a card's
    cost when cards are not already rendered.
    """
    from articles.models import ArticleAuthor, ArticlePage, ArticleTopic

    pages = card_rows_queryset()
    authors_of = ArticleAuthor.objects.order_by("sort_order", "pk")
    topics_of = ArticleTopic.objects.all()
    if ids is not None:
        if not ids:
            return {}
        pages = pages.filter(pk__in=ids)
    values = pages.order_by("pk").values_list(*CARD_FIELDS)
    rows = list(values if limit is None else values[: limit + 1])
    if limit is not None and len(rows) > limit:
        return None
    if ids is not None:
        found = [row[0] for row in rows]
        authors_of = authors_of.filter(page_id__in=found)
        topics_of = topics_of.filter(content_object_id__in=found)
    authors: dict[int, list[int]] = {}
    for page_id, person_id in authors_of.values_list("page_id", "person_id"):
        authors.setdefault(page_id, []).append(person_id)
    topics: dict[int, list[int]] = {}
    for page_id, tag_id in topics_of.values_list("content_object_id", "tag_id"):
        topics.setdefault(page_id, []).append(tag_id)
    steplen = ArticlePage.steplen
    bylines = _card_parts(
        token,
        "byline",
        {p for ids_ in authors.values() for p in ids_} | {row[12] for row in rows if row[12]},
        _load_bylines,
    )
    topic_parts = _card_parts(token, "topic", {t for ids_ in topics.values() for t in ids_}, _load_topics)
    sections = _card_parts(token, "section", {row[5][:-steplen] for row in rows}, _load_sections)
    roots = site_root_paths()
    cards = {}
    for pk, slug, title, standfirst, url_path, path, hero_id, hero_alt, reading, first, last, *rest in rows:
        status, reviewer_id, reviewed_at = rest
        named = sorted((topic_parts[t] for t in topics.get(pk, ()) if topic_parts[t]), key=lambda t: t[0])
        cards[pk] = ArticleCardRow(
            id=pk,
            slug=slug,
            title=title,
            standfirst=standfirst,
            url_path=front_end_path(url_path, roots) or url_path,
            section=sections[path[:-steplen]],
            hero_image_id=hero_id,
            hero_alt=hero_alt,
            reading_time=reading,
            first_published_at=first,
            last_published_at=last,
            review_status=status,
            reviewer_id=reviewer_id,
            last_reviewed_at=reviewed_at,
            topics=[part for _, part in named],
            authors=[bylines[p] for p in authors.get(pk, ()) if bylines[p]],
            reviewer=bylines.get(reviewer_id) if reviewer_id else None,
        )
    return cards


# Every visible article's card row, per process and content generation (and date), when there are
# at most ``API_CARD_DIRECTORY_MAX_ARTICLES``: a card not rendered yet then costs no query. Built on
# the first card of a generation (about 0.3 s of CPU for 10,000 articles on SQLite, in-process).
card_directory_memo = GenerationMemo(max_entries=2)


def card_directory(token: str | None) -> dict[int, ArticleCardRow] | None:
    if token is None:
        return None
    from website.conf import wellness_settings

    memo = card_directory_memo.current(token)
    if "rows" not in memo:
        limit = int(wellness_settings.API_CARD_DIRECTORY_MAX_ARTICLES)
        memo["rows"] = read_card_rows(None, token, limit=limit) if limit > 0 else None
    return memo["rows"]


def load_article_cards(
    ids: list[int], images: ImageBatch, token: str | None = None
) -> dict[int, ArticleCardRow]:
    """``ArticleCardRow`` of the visible articles among ``ids``, registering their hero images:
    from the generation's card directory, else read (``read_card_rows``)."""
    ids = [i for i in ids if i]
    directory = card_directory(token)
    if directory is not None:
        rows = {pk: directory[pk] for pk in ids if pk in directory}
    else:
        rows = read_card_rows(ids, token)
    for row in rows.values():
        images.want(row.hero_image_id)
    return rows


# Rendered article cards, kept per process for one content generation (``GenerationMemo``): a card
# (title, byline, reviewer badge, section, hero rendition…) is the same wherever it is embedded, so
# the bundle's picks and related articles, the related endpoint, the article list and expert profiles
# reuse cards rendered for earlier requests instead of loading and rendering them again. A card is
# about 1.6 kB in memory: 20,000 (every article of the benchmark's medium corpus, twice over) is
# about 32 MB per process at most; beyond that the memo starts again empty.
card_memo = GenerationMemo(max_entries=20000)


def clear_card_memo() -> None:
    card_memo.clear()


# The engine's related articles of an article, kept the same way: they change only when content or
# the recommendation index changes, and both renew the generation.
related_memo = GenerationMemo(max_entries=5000)


def related_suggestions(article, limit: int, token: str | None) -> list:
    """``recommendations.interface.related_articles``, computed once per article and generation."""
    from recommendations.interface import related_articles

    memo = related_memo.current(token)
    key = (article.pk, limit)
    if key not in memo:
        memo[key] = related_articles(article, limit=limit, generation=token)
    return memo[key]


class ArticleCards:
    """Cards of the visible articles among some ids: ``load`` (registers the images the new ones
    need in the response's ``ImageBatch``), then, once the batch is resolved, ``rendered()``.

    ``token=None`` (previews) renders every card afresh, without the memo. Only cards found are
    returned: an id that is not live and public has no card.
    """

    def __init__(self, base_url: str, token: str | None):
        from website.conf import wellness_settings

        specs = tuple(sorted(wellness_settings.API_RENDITIONS.items()))
        self.memo = card_memo.current(token, base_url.rstrip("/"), specs)
        self.token = token
        self.ids: list[int] = []
        self.rows: dict[int, ArticleCardRow] = {}
        self.images: ImageBatch | None = None

    def load(self, ids: list[int], images: ImageBatch) -> ArticleCards:
        self.ids = [i for i in dict.fromkeys(ids) if i]
        self.images = images
        self.rows = load_article_cards([i for i in self.ids if i not in self.memo], images, self.token)
        return self

    def rendered(self) -> dict[int, dict]:
        fresh = {pk: render_article_card(row, self.images) for pk, row in self.rows.items()}
        self.memo.update(fresh)
        return {pk: fresh.get(pk) or self.memo[pk] for pk in self.ids if pk in fresh or pk in self.memo}


def rendered_article_cards(ids: list[int], base_url: str, token: str | None) -> dict[int, dict]:
    """``ArticleCards`` for a response that shows no other images."""
    images = ImageBatch(base_url)
    cards = ArticleCards(base_url, token).load(ids, images)
    images.resolve()
    return cards.rendered()


def render_section_ref(section) -> dict | None:
    if section is None:
        return None
    return {
        "slug": section.slug,
        "title": clean_text(section.title),
        "url_path": front_end_path(section.url_path, site_root_paths()) or section.url_path,
    }


def render_article_card(card: ArticleCardRow, images: ImageBatch) -> dict:
    """The card of a loaded ``ArticleCardRow`` (its hero image resolved in ``images``)."""
    return {
        "id": card.id,
        "slug": card.slug,
        "url_path": card.url_path,
        "title": clean_text(card.title),
        "standfirst": clean_text(card.standfirst),
        "section": card.section,
        "topics": card.topics,
        "image": images.rendition(card.hero_image_id, "card", alt=card.hero_alt or None),
        "authors": card.authors,
        "reviewer": card.reviewer,
        "reading_time": card.reading_time,
        "first_published_at": card.first_published_at,
        "last_published_at": card.last_published_at,
        "last_reviewed_at": card.last_reviewed_at if card.reviewer_id else None,
        "review_status": card.review_status,
    }
