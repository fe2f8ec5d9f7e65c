"""What related-article ranking reads about articles, as plain rows, and a per-process directory of them.

Ranking a related article needs its id, slug, title, publication dates, review status, section and
authors: not the page. Loading 20–50 candidate pages as model objects (with the review status
annotation) was half of a related-articles request, and the chosen ones were then loaded again for
their cards. ``article_rows`` reads the same facts as plain rows in three queries, and
``ArticleDirectory`` holds them for every visible article, with the editorial picks, so a backend
ranks without a query. Only the articles chosen become ``ArticlePage`` objects (``page_stub``),
without a query, loaded as ``.only("id", "slug", "title", …)`` would load them.

Freshness: a directory is kept per content generation (``website.freshness.GenerationMemo``),
whose key also moves with the next page expiry and the date (review statuses move with time, with
the same day granularity as cards and list ETags). Every publish, unpublish, view restriction,
review and recommendation index update renews the token. Above
``RECOMMENDATIONS_DIRECTORY_MAX_ARTICLES`` visible articles backends read rows per request instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from website.freshness import GenerationMemo

from .conf import reco_setting
from .profiles import ArticleFacts

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class ArticleRow:
    """A visible article as ranking and the callers of ``related_articles`` see it."""

    id: int
    slug: str
    title: str
    first_published_at: datetime.datetime | None
    last_published_at: datetime.datetime | None
    review_status: str
    section_id: int | None = None
    section_title: str = ""
    author_ids: tuple[int, ...] = ()
    # From the article's stored profile (``indexed``); an article not indexed yet has none.
    indexed: bool = False
    topic_ids: tuple[int, ...] = ()
    mentioned_topic_ids: tuple[int, ...] = ()
    approach_ids: tuple[int, ...] = ()
    is_sensitive: bool = False
    advises_against_joint_sessions: bool = False

    @property
    def pk(self) -> int:
        return self.id

    def facts(self) -> ArticleFacts:
        """The stored profile's facts without its terms (``terms`` is empty): everything ranking
        reads at request time; the terms only ever fed the precomputed neighbour table."""
        return ArticleFacts(
            article_id=self.id,
            section_id=self.section_id,
            author_ids=list(self.author_ids),
            topic_ids=list(self.topic_ids),
            mentioned_topic_ids=list(self.mentioned_topic_ids),
            approach_ids=list(self.approach_ids),
            terms={},
            is_sensitive=self.is_sensitive,
            advises_against_joint_sessions=self.advises_against_joint_sessions,
        )


PAGE_FIELDS = ("slug", "title", "first_published_at", "last_published_at")


def article_rows(ids: Iterable[int] | None = None, *, limit: int | None = None) -> list[ArticleRow] | None:
    """``ArticleRow`` of every visible article (``ids`` None) or of the visible ones among ``ids``,
    in id order, in three queries; None when there are more than ``limit``.

    Section and authors come from the article's stored profile (``ArticleProfile``): an article not
    indexed yet has none and ranks without them, as before it is indexed.
    """
    from wagtail.models import Page

    from articles.models import ArticlePage
    from articles.reviews import annotate_review_status
    from articles.visibility import visible

    from .models import ArticleProfile

    pages = annotate_review_status(visible(ArticlePage.objects.all()))
    profiles = ArticleProfile.objects.all()
    if ids is not None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        pages = pages.filter(pk__in=ids)
        profiles = profiles.filter(pk__in=ids)
    values = pages.order_by("pk").values_list("pk", *PAGE_FIELDS, "review_status_db")
    found = list(values if limit is None else values[: limit + 1])
    if limit is not None and len(found) > limit:
        return None
    profile_of = {
        row[0]: row[1:]
        for row in profiles.values_list(
            "pk",
            "section_id",
            "author_ids",
            "topic_ids",
            "mentioned_topic_ids",
            "approach_ids",
            "is_sensitive",
            "advises_against_joint_sessions",
        )
    }
    section_ids = {profile[0] for profile in profile_of.values() if profile[0] is not None}
    titles = dict(Page.objects.filter(pk__in=section_ids).values_list("pk", "title")) if section_ids else {}
    rows = []
    for pk, slug, title, first, last, status in found:
        profile = profile_of.get(pk)
        if profile is None:
            rows.append(ArticleRow(pk, slug, title, first, last, status))
            continue
        section, authors, topics, mentioned, approaches, sensitive, advises = profile
        rows.append(
            ArticleRow(
                id=pk,
                slug=slug,
                title=title,
                first_published_at=first,
                last_published_at=last,
                review_status=status,
                section_id=section,
                section_title=titles.get(section, ""),
                author_ids=tuple(authors),
                indexed=True,
                topic_ids=tuple(topics),
                mentioned_topic_ids=tuple(mentioned),
                approach_ids=tuple(approaches),
                is_sensitive=sensitive,
                advises_against_joint_sessions=advises,
            )
        )
    return rows


def editorial_picks(page_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """``{article id: [picked article id, …]}`` in the editor's order (picks of any status: the
    reader sees only visible ones)."""
    from articles.models import EditorialPick

    picks = EditorialPick.objects.all()
    if page_ids is not None:
        picks = picks.filter(page_id__in=list(page_ids))
    found: dict[int, list[int]] = {}
    ordered = picks.order_by("page_id", "sort_order", "pk")
    for page_id, picked_id in ordered.values_list("page_id", "picked_id"):
        found.setdefault(page_id, []).append(picked_id)
    return found


def topic_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    from experts.models import Topic

    topics = Topic.objects.all() if ids is None else Topic.objects.filter(pk__in=list(ids))
    return dict(topics.values_list("pk", "name"))


class ArticleDirectory:
    """Every visible article's ``ArticleRow``, every article's editorial picks, every topic's name."""

    def __init__(self, rows: Iterable[ArticleRow], picks: dict[int, list[int]], topics: dict[int, str]):
        self.rows: dict[int, ArticleRow] = {row.id: row for row in rows}
        # Slugs are unique among siblings only: a slug names its lowest id, as the API's lookup does.
        self.by_slug: dict[str, ArticleRow] = {}
        for pk in sorted(self.rows):
            self.by_slug.setdefault(self.rows[pk].slug, self.rows[pk])
        self.picks = picks
        self.topics = topics

    def __len__(self) -> int:
        return len(self.rows)


# This process's directory for the current content generation.
_DIRECTORY_MEMO = GenerationMemo(max_entries=2)


def article_directory(generation: str) -> ArticleDirectory | None:
    """The directory of ``generation``, built on first use (five queries); None above
    ``RECOMMENDATIONS_DIRECTORY_MAX_ARTICLES`` visible articles or when the setting is 0."""
    memo = _DIRECTORY_MEMO.current(generation)
    if "directory" not in memo:
        limit = int(reco_setting("RECOMMENDATIONS_DIRECTORY_MAX_ARTICLES"))
        rows = article_rows(limit=limit) if limit > 0 else None
        memo["directory"] = None if rows is None else ArticleDirectory(rows, editorial_picks(), topic_names())
    return memo["directory"]


class RankingFacts:
    """Rows, picks and topic names for one ranking: from a directory, else from the database."""

    def __init__(self, directory: ArticleDirectory | None):
        self.directory = directory

    def picks(self, article_id: int) -> list[int]:
        if self.directory is not None:
            return self.directory.picks.get(article_id, [])
        return editorial_picks([article_id]).get(article_id, [])

    def rows(self, ids: Iterable[int]) -> dict[int, ArticleRow]:
        """The visible articles among ``ids``."""
        if self.directory is not None:
            return {pk: self.directory.rows[pk] for pk in ids if pk in self.directory.rows}
        return {row.id: row for row in article_rows(ids)}

    def topic_names(self, ids: Iterable[int]) -> dict[int, str]:
        ids = set(ids)
        if self.directory is not None:
            return {pk: name for pk, name in self.directory.topics.items() if pk in ids}
        return topic_names(ids) if ids else {}


def page_stub(row: ArticleRow):
    """The ``ArticlePage`` of ``row`` with only its id, slug, title and publication dates loaded
    (any other field loads from the database on access, as after ``.only()``), and its review
    status as ``review_status_db``; built without a query."""
    from django.db import router

    from articles.models import ArticlePage

    known = {"id": row.id, "page_ptr_id": row.id, **{name: getattr(row, name) for name in PAGE_FIELDS}}
    fields = [f.attname for f in ArticlePage._meta.concrete_fields if f.attname in known]
    page = ArticlePage.from_db(router.db_for_read(ArticlePage), fields, [known[name] for name in fields])
    page.review_status_db = row.review_status
    return page
