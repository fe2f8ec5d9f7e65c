"""Building the cards the API embeds (articles, people, listings) in a fixed number of queries.

Each kind has a *load* step that fetches every row it needs for a whole list at once, and a
*render* step that turns one loaded object into the dict its serializer declares. Images are only
registered during loading (``ImageBatch.want``) and fetched once for the whole response, so a list
of 50 cards costs the same number of queries as a list of one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Prefetch,
    QuerySet,
    prefetch_related_objects,
)

from articles.visibility import visible
from experts.countries import language_name

from .caching import GenerationMemo
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


def prefetch_people(people: list) -> None:
    prefetch_related_objects([p for p in people if p is not None], "credentials")


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


def article_card_queryset(queryset: QuerySet | None = None) -> QuerySet:
    from articles.models import ArticleAuthor, ArticleTopic
    from articles.reviews import annotate_review_status

    queryset = queryset if queryset is not None else live_articles()
    # A card never shows the body: decoding a 10–60-block StreamField per card was half its cost.
    return (
        annotate_review_status(queryset)
        .defer("body")
        .select_related("last_review__reviewer")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("person").order_by("sort_order"),
            ),
            Prefetch(
                "tagged_topics", queryset=ArticleTopic.objects.select_related("tag").order_by("tag__name")
            ),
        )
    )


def prepare_article_cards(pages: list, images: ImageBatch) -> None:
    """Loads what cards of ``pages`` need beyond the card queryset: sections, reviewers' credentials."""
    from articles.models import SectionPage

    if not pages:
        return
    parent_paths = {page.path[: -page.steplen] for page in pages}
    sections = {s.path: s for s in visible(SectionPage.objects.filter(path__in=parent_paths))}
    roots = site_root_paths()
    reviewers = [page.last_review.reviewer for page in pages if page.last_review_id and page.last_review]
    prefetch_people(reviewers)
    for page in pages:
        page.api_section = sections.get(page.path[: -page.steplen])
        page.api_url_path = front_end_path(page.url_path, roots) or page.url_path
        page.api_roots = roots
        images.want(page.hero_image_id)


def load_article_cards(ids: list[int], images: ImageBatch) -> dict[int, object]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    found = article_card_queryset().in_bulk(ids)
    prepare_article_cards(list(found.values()), images)
    return found


# Rendered article cards, kept per process for one content generation (``GenerationMemo``): a card
# (title, byline, reviewer badge, section, hero rendition…) is the same wherever it is embedded, so
# the bundle's picks and related articles and the related endpoint reuse cards rendered for earlier
# requests instead of loading and rendering them again.
card_memo = GenerationMemo(max_entries=5000)


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
        self.ids: list[int] = []
        self.pages: dict[int, object] = {}
        self.images: ImageBatch | None = None

    def load(self, ids: list[int], images: ImageBatch) -> ArticleCards:
        self.ids = [i for i in dict.fromkeys(ids) if i]
        self.images = images
        self.pages = load_article_cards([i for i in self.ids if i not in self.memo], images)
        return self

    def rendered(self) -> dict[int, dict]:
        fresh = {pk: render_article_card(page, self.images) for pk, page in self.pages.items()}
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


def render_article_card(page, images: ImageBatch) -> dict:
    review = page.last_review if page.last_review_id else None
    return {
        "id": page.pk,
        "slug": page.slug,
        "url_path": page.api_url_path,
        "title": clean_text(page.title),
        "standfirst": clean_text(page.standfirst),
        "section": render_section_ref(page.api_section),
        "topics": [
            {"slug": rel.tag.slug, "name": clean_text(rel.tag.name)} for rel in page.tagged_topics.all()
        ],
        "image": images.rendition(page.hero_image_id, "card", alt=page.hero_alt or None),
        "authors": [render_byline(rel.person) for rel in page.article_authors.all()],
        "reviewer": render_byline(review.reviewer) if review else None,
        "reading_time": page.reading_time,
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "last_reviewed_at": review.reviewed_at if review else None,
        "review_status": page.review_status_db,
    }
