"""Query parameters of the article list and how each narrows the queryset.

One function per concern, applied in order by ``filter_articles``; parameters are already parsed and
validated (``website.api.params``). Search goes through Wagtail's search backend (database or
Elasticsearch) and keeps relevance order unless another ordering is asked for.
"""

from __future__ import annotations

import re

from django.db import DatabaseError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from articles.reviews import STATUSES
from website.api.errors import InvalidParameters
from website.api.params import choice_param, date_param, slug_param, text_param

ORDERINGS = {
    "-published_at": ("-first_published_at", "-pk"),
    "published_at": ("first_published_at", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "-last_reviewed_at": (F("last_review__reviewed_at").desc(nulls_last=True), "-first_published_at", "-pk"),
    "last_reviewed_at": (F("last_review__reviewed_at").asc(nulls_last=True), "first_published_at", "pk"),
}
SEARCH_LIMIT = 500

ARTICLE_PARAMS = (
    slug_param("section", "Only articles of this section (slug)."),
    slug_param("topic", "Articles tagged with any of these topics (slugs); repeat the parameter.", many=True),
    slug_param("author", "Articles written by this person (slug)."),
    slug_param("reviewer", "Articles whose current expert review is by this person (slug)."),
    choice_param("review_status", STATUSES, "Articles in this review status."),
    date_param("published_after", "First published on or after this date."),
    date_param("published_before", "First published on or before this date."),
    text_param("search", "Full-text search through the site's search backend."),
    choice_param(
        "ordering", tuple(ORDERINGS), "Sort order; newest first by default, relevance when searching."
    ),
)


def by_section(queryset: QuerySet, slug: str) -> QuerySet:
    from articles.models import SectionPage
    from articles.visibility import visible

    paths = list(visible(SectionPage.objects.filter(slug=slug)).values_list("path", flat=True))
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path, depth=len(path) // 4 + 1)
    return queryset.filter(condition)


def by_topics(queryset: QuerySet, slugs: list[str]) -> QuerySet:
    from articles.models import ArticleTopic

    return queryset.filter(
        pk__in=ArticleTopic.objects.filter(tag__slug__in=slugs).values("content_object_id")
    )


def by_author(queryset: QuerySet, slug: str) -> QuerySet:
    from articles.models import ArticleAuthor

    return queryset.filter(pk__in=ArticleAuthor.objects.filter(person__slug=slug).values("page_id"))


def search_terms(text: str) -> str:
    """The words of ``text``; punctuation goes, since some backends (SQLite FTS5) read it as syntax."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())[:200]


def search_ids(text: str) -> list[int]:
    """Ids of live articles matching ``text``, most relevant first (at most ``SEARCH_LIMIT``)."""
    from wagtail.search.backends import get_search_backend

    from articles.models import ArticlePage

    terms = search_terms(text)
    if not terms:
        return []
    try:
        results = get_search_backend().search(terms, ArticlePage.objects.live())
        return [page.pk for page in results[:SEARCH_LIMIT]]
    except DatabaseError as e:
        raise InvalidParameters([{"name": "search", "reason": "these words cannot be searched"}]) from e


def filter_articles(queryset: QuerySet, query: dict) -> QuerySet:
    """``queryset`` (annotated with ``review_status_db``) narrowed and ordered by ``query``."""
    if "section" in query:
        queryset = by_section(queryset, query["section"])
    if "topic" in query:
        queryset = by_topics(queryset, query["topic"])
    if "author" in query:
        queryset = by_author(queryset, query["author"])
    if "reviewer" in query:
        queryset = queryset.filter(last_review__reviewer__slug=query["reviewer"])
    if "review_status" in query:
        queryset = queryset.filter(review_status_db=query["review_status"])
    if "published_after" in query:
        queryset = queryset.filter(first_published_at__date__gte=query["published_after"])
    if "published_before" in query:
        queryset = queryset.filter(first_published_at__date__lte=query["published_before"])
    if "search" in query:
        ids = search_ids(query["search"])
        queryset = queryset.filter(pk__in=ids)
        if "ordering" not in query:
            if not ids:
                return queryset.none()
            rank = Case(
                *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField()
            )
            return queryset.annotate(search_rank=rank).order_by("search_rank")
    return queryset.order_by(*ORDERINGS[query.get("ordering", "-published_at")])
