"""The read model: one immutable snapshot of published content per process and content generation.

Everything readers are shown about articles outside an article's own page (cards, related-article
ranking, the validator's visibility check, the bundle's section) reads the same ``ReadModel``:

- ``articles``: every visible article as an ``ArticleRow`` (what a card shows and what ranking
  reads: section, authors, topics, review status, publication dates), and ``by_slug``;
- ``picks``: every article's editorial picks, in the editor's order;
- ``topics``: every topic tagged on a visible article; ``sections``: every visible section;
- ``restricted_paths`` and ``hidden_paths``: the subtrees ``visible()`` hides (view restrictions;
  unpublished or expired pages with children), for checks made in Python;
- ``next_expiry``: the moment the snapshot stops being true by the clock.

Built on first use of a generation, in five or six queries, outside any lock, then swapped in by
replacing one reference: a request keeps the snapshot it took for its whole life, and a concurrent
request that finds the new token builds its own or takes the new one. A snapshot serves while the
token is current, the date is the same (review statuses move by the day) and ``next_expiry`` has
not passed. Every write that changes what readers see renews the token (``website.freshness``).

Above ``WELLNESS["READ_MODEL_MAX_ARTICLES"]`` visible articles (or at ``0``) the snapshot holds no
article rows or picks (``articles`` and ``picks`` are None): cards and ranking read the rows they
need per request (``read_article_rows``), as they must for previews, which have no generation.

Layers above keep what they derive from a snapshot on it (``derive``): rendered cards, the engine's
listing directory and stored profiles. Such values die with the snapshot, so nothing derived from an
older generation is ever served, and there is one lifetime to reason about, not one per module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from website.freshness import content_generation, register_process_memo
from website.freshness.generation import as_datetime

from .visibility import visible


@dataclass(frozen=True)
class SectionRef:
    """A visible section as an article card names it."""

    id: int
    path: str
    slug: str
    title: str
    url_path: str


@dataclass(frozen=True)
class TopicRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Byline:
    """A person as a card's byline or reviewer shows them (the badge holds for ``ReadModel.day``)."""

    id: int
    slug: str
    name: str
    honorific: str
    display_name: str
    board_badge: bool


@dataclass(frozen=True)
class ArticleRow:
    """A visible article: what its card shows and what ranking reads. Not a page."""

    id: int
    slug: str
    title: str
    standfirst: str
    url_path: str  # the page's tree url_path; cards show the front-end path (``articles.cards``)
    path: str
    hero_image_id: int | None
    hero_alt: str
    reading_time: int
    first_published_at: datetime.datetime | None
    last_published_at: datetime.datetime | None
    review_status: str
    reviewer_id: int | None
    last_reviewed_at: datetime.datetime | None
    section: SectionRef | None
    topics: tuple[TopicRef, ...] = ()  # by name
    authors: tuple[Byline, ...] = ()  # in the article's order
    reviewer: Byline | None = None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def section_id(self) -> int | None:
        return self.section.id if self.section is not None else None

    @property
    def section_title(self) -> str:
        return self.section.title if self.section is not None else ""

    @property
    def author_ids(self) -> tuple[int, ...]:
        return tuple(b.id for b in self.authors)

    @property
    def topic_ids(self) -> tuple[int, ...]:
        return tuple(sorted(t.id for t in self.topics))


@dataclass(frozen=True, eq=False)
class ReadModel:
    token: str
    day: datetime.date
    next_expiry: datetime.datetime | None
    articles: Mapping[int, ArticleRow] | None
    by_slug: Mapping[str, int] | None
    picks: Mapping[int, tuple[int, ...]] | None
    topics: Mapping[int, TopicRef]
    sections: Mapping[str, SectionRef]
    restricted_paths: tuple[str, ...]
    hidden_paths: tuple[str, ...]
    _derived: dict = field(default_factory=dict, repr=False)

    def serves(self, token: str, now: datetime.datetime) -> bool:
        return (
            token == self.token
            and timezone.localdate(now) == self.day
            and (self.next_expiry is None or self.next_expiry > now)
        )

    def derive(self, key: Any, build: Callable[[], Any]) -> Any:
        """What a layer above derives from this snapshot, built once (``build()``) and kept with it."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = build()
            return value

    def rows(self, ids: Iterable[int]) -> dict[int, ArticleRow]:
        """The visible articles among ``ids``: from the snapshot, or read (above its size limit)."""
        ids = [i for i in dict.fromkeys(ids) if i]
        if self.articles is not None:
            return {pk: self.articles[pk] for pk in ids if pk in self.articles}
        return read_article_rows(ids, self)

    def picks_of(self, article_id: int) -> tuple[int, ...]:
        if self.picks is not None:
            return self.picks.get(article_id, ())
        return editorial_picks([article_id]).get(article_id, ())

    def is_hidden(self, path: str) -> bool:
        """Whether a page at ``path`` is in a restricted or hidden subtree (``visible()``'s tree rule)."""
        return any(path.startswith(p) for p in (*self.restricted_paths, *self.hidden_paths))


def max_articles() -> int:
    from website.conf import wellness_settings

    return int(wellness_settings.READ_MODEL_MAX_ARTICLES)


# --- reading --------------------------------------------------------------------------------------

PAGE_FIELDS = (
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


def article_rows_queryset(queryset=None):
    """Visible articles annotated with their review status (the article list filters on it)."""
    from .models import ArticlePage
    from .reviews import annotate_review_status

    return annotate_review_status(queryset if queryset is not None else visible(ArticlePage.objects.all()))


def _board_badge(person_field: str, on: datetime.date) -> Exists:
    """``Person.shows_board_badge`` as an annotation: membership and a credential valid ``on``."""
    from experts.models import Credential

    return Exists(Credential.objects.filter(Credential.valid_on(on), person_id=OuterRef(person_field)))


BYLINE_FIELDS = ("slug", "name", "honorific", "is_board_member")


def _byline(pk: int, slug: str, name: str, honorific: str, board_member: bool, valid: bool) -> Byline:
    return Byline(pk, slug, name, honorific, f"{honorific} {name}".strip(), board_member and valid)


def _bylines(ids: set[int], on: datetime.date) -> dict[int, Byline]:
    """Bylines of people ``ids`` in one query."""
    from experts.models import Person

    if not ids:
        return {}
    people = Person.objects.filter(pk__in=ids).annotate(valid=_board_badge("pk", on))
    return {row[0]: _byline(*row) for row in people.values_list("pk", *BYLINE_FIELDS, "valid")}


def _rows(
    values: list[tuple], ids: list[int] | None, sections: Mapping[str, SectionRef]
) -> tuple[list[ArticleRow], dict[int, TopicRef]]:
    """``ArticleRow`` of page ``values`` (``PAGE_FIELDS``), in two or three queries (authors with
    their bylines, topics with their names, and reviewers who are nobody's author)."""
    from .models import ArticleAuthor, ArticlePage, ArticleTopic

    authors_of = ArticleAuthor.objects.order_by("sort_order", "pk")
    topics_of = ArticleTopic.objects.order_by("tag__name", "tag_id")
    if ids is not None:
        found = [row[0] for row in values]
        authors_of = authors_of.filter(page_id__in=found)
        topics_of = topics_of.filter(content_object_id__in=found)
    day = timezone.localdate()
    authors: dict[int, list[int]] = {}
    bylines: dict[int, Byline] = {}
    authors_of = authors_of.annotate(valid=_board_badge("person_id", day))
    person_fields = [f"person__{name}" for name in BYLINE_FIELDS]
    for page_id, *person in authors_of.values_list("page_id", "person_id", *person_fields, "valid"):
        authors.setdefault(page_id, []).append(person[0])
        if person[0] not in bylines:
            bylines[person[0]] = _byline(*person)
    topics: dict[int, list[TopicRef]] = {}
    named: dict[int, TopicRef] = {}
    for page_id, pk, slug, name in topics_of.values_list(
        "content_object_id", "tag_id", "tag__slug", "tag__name"
    ):
        ref = named.setdefault(pk, TopicRef(pk, slug, name))
        topics.setdefault(page_id, []).append(ref)
    reviewers = {row[12] for row in values if row[12] and row[12] not in bylines}
    bylines.update(_bylines(reviewers, day))
    steplen = ArticlePage.steplen
    rows = []
    for pk, slug, title, standfirst, url_path, path, hero_id, hero_alt, reading, first, last, *rest in values:
        status, reviewer_id, reviewed_at = rest
        rows.append(
            ArticleRow(
                id=pk,
                slug=slug,
                title=title,
                standfirst=standfirst,
                url_path=url_path,
                path=path,
                hero_image_id=hero_id,
                hero_alt=hero_alt,
                reading_time=reading,
                first_published_at=first,
                last_published_at=last,
                review_status=status,
                reviewer_id=reviewer_id,
                last_reviewed_at=reviewed_at,
                section=sections.get(path[:-steplen]),
                topics=tuple(topics.get(pk, ())),
                authors=tuple(bylines[p] for p in authors.get(pk, ()) if p in bylines),
                reviewer=bylines.get(reviewer_id) if reviewer_id else None,
            )
        )
    return rows, named


def read_article_rows(ids: Iterable[int], model: ReadModel | None = None) -> dict[int, ArticleRow]:
    """``ArticleRow`` of the visible articles among ``ids``, read now (the per-request path: above
    the snapshot's size limit, and for previews): three to five queries (pages, authors with their
    bylines, topics, reviewers who are nobody's author, and sections unless a ``model`` gives them)."""
    ids = [i for i in dict.fromkeys(ids) if i]
    if not ids:
        return {}
    values = list(article_rows_queryset().filter(pk__in=ids).order_by("pk").values_list(*PAGE_FIELDS))
    if not values:
        return {}
    if model is not None:
        sections = model.sections
    else:
        from .models import ArticlePage

        steplen = ArticlePage.steplen
        sections = _sections(visible(_section_pages().filter(path__in={v[5][:-steplen] for v in values})))
    rows, _ = _rows(values, ids, sections)
    return {row.id: row for row in rows}


def editorial_picks(page_ids: Iterable[int] | None = None) -> dict[int, tuple[int, ...]]:
    """``{article id: (picked article id, …)}`` in the editor's order (picks of any status: readers
    see only the visible ones)."""
    from .models import EditorialPick

    picks = EditorialPick.objects.all()
    if page_ids is not None:
        picks = picks.filter(page_id__in=list(page_ids))
    found: dict[int, list[int]] = {}
    for page_id, picked_id in picks.order_by("page_id", "sort_order", "pk").values_list(
        "page_id", "picked_id"
    ):
        found.setdefault(page_id, []).append(picked_id)
    return {pk: tuple(ids) for pk, ids in found.items()}


def _section_pages():
    from .models import SectionPage

    return SectionPage.objects.all()


def _sections(queryset) -> dict[str, SectionRef]:
    return {
        path: SectionRef(pk, path, slug, title, url_path)
        for pk, path, slug, title, url_path in queryset.values_list("pk", "path", "slug", "title", "url_path")
    }


def read_sections(paths: Iterable[str]) -> dict[str, SectionRef]:
    """The visible sections at ``paths``, read now (one query; previews have no read model)."""
    return _sections(visible(_section_pages().filter(path__in=list(paths))))


def _tree(now: datetime.datetime):
    """Visible sections, restricted paths, hidden paths and the next expiry, from one query over
    the pages that are restricted or have children (sections, the home page), decided as
    ``visible()`` decides; the next expiry among all live pages rides along as a scalar subquery."""
    from wagtail.models import Page, PageViewRestriction

    from .models import SectionPage

    expiring = Page.objects.filter(live=True, expire_at__gt=now).order_by("expire_at").values("expire_at")
    pages = (
        Page.objects.filter(Q(depth__gt=1, numchild__gt=0) | Q(view_restrictions__isnull=False))
        .annotate(
            restricted=Exists(PageViewRestriction.objects.filter(page_id=OuterRef("pk"))),
            is_section=Exists(SectionPage.objects.filter(page_ptr_id=OuterRef("pk"))),
            next_expiry=Subquery(expiring[:1]),
        )
        .distinct()
        .order_by("path")
        .values_list(
            "pk",
            "path",
            "slug",
            "title",
            "url_path",
            "live",
            "expire_at",
            "numchild",
            "restricted",
            "is_section",
            "next_expiry",
        )
    )
    pages = list(pages)
    if pages:
        expiry = pages[0][10]
    else:  # nothing restricted and no page with children: no section either
        expiry = expiring.values_list("expire_at", flat=True).first()
    restricted = tuple(row[1] for row in pages if row[8])
    hidden = tuple(
        row[1]
        for row in pages
        if row[7] and len(row[1]) > Page.steplen and (not row[5] or (row[6] is not None and row[6] <= now))
    )
    blocked = (*restricted, *hidden)
    sections = {
        row[1]: SectionRef(row[0], row[1], row[2], row[3], row[4])
        for row in pages
        if row[9]
        and row[5]
        and not (row[6] is not None and row[6] <= now)
        and not any(row[1].startswith(p) for p in blocked)
    }
    return sections, restricted, hidden, as_datetime(expiry)


def build_read_model(token: str) -> ReadModel:
    """The snapshot of ``token``'s content: five or six queries (the page tree with the next
    expiry, pages, authors with their bylines, topics, reviewers who are nobody's author, picks),
    or two above the size limit (the page tree, every topic)."""
    now = timezone.now()
    sections, restricted, hidden, expiry = _tree(now)
    limit = max_articles()
    articles = by_slug = picks = None
    topics: dict[int, TopicRef] = {}
    if limit > 0:
        values = list(article_rows_queryset().order_by("pk").values_list(*PAGE_FIELDS)[: limit + 1])
        if len(values) <= limit:
            rows, topics = _rows(values, None, sections)
            articles = {row.id: row for row in rows}
            # Slugs are unique among siblings only: a slug names its lowest id, as the API's lookup does.
            slugs: dict[str, int] = {}
            for row in rows:
                slugs.setdefault(row.slug, row.id)
            by_slug = MappingProxyType(slugs)
            articles = MappingProxyType(articles)
            picks = MappingProxyType(editorial_picks())
    if articles is None:
        from experts.models import Topic

        topics = {
            pk: TopicRef(pk, slug, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")
        }
    return ReadModel(
        token=token,
        day=timezone.localdate(now),
        next_expiry=expiry,
        articles=articles,
        by_slug=by_slug,
        picks=picks,
        topics=MappingProxyType(topics),
        sections=MappingProxyType(sections),
        restricted_paths=restricted,
        hidden_paths=hidden,
    )


class _Current:
    """This process's snapshot: one reference, replaced whole."""

    snapshot: ReadModel | None = None

    def clear(self) -> None:
        self.snapshot = None


_current = _Current()
register_process_memo(_current)


def read_model(token: str | None = None) -> ReadModel:
    """The snapshot of the current content generation (``token`` when the caller has read it),
    built on first use. Keep the returned object for the whole request."""
    token = token or content_generation()[0]
    snapshot = _current.snapshot
    if snapshot is None or not snapshot.serves(token, timezone.now()):
        snapshot = build_read_model(token)  # outside any lock: a concurrent builder does the same work
        _current.snapshot = snapshot
    return snapshot
