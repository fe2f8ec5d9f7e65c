"""Read-only API views of the magazine: sections, topics, article cards, the bundle and its preview.

Views only parse, validate and ask services: cards come from ``website.api.cards``, the bundle
from ``website.api.bundle``, filters from ``website.api.articles.filters``. Every queryset is built
per request and starts from live, public pages (``website.api.cards.live_articles``); only the
preview endpoint, with a valid signed token, shows a draft revision.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view

from articles.models import ArticlePage, SectionPage
from articles.readmodel import read_model
from articles.reviews import REVIEW_DUE_WARNING_DAYS
from experts.models import Topic
from website.api.bundle import build_bundle
from website.api.caching import latest
from website.api.cards import (
    card_rows_queryset,
    rendered_article_cards,
    visible,
)
from website.api.context import api_reader_context
from website.api.errors import InvalidParameters, NotFound
from website.api.pagination import paginate, paginated_serializer, pagination_params
from website.api.params import (
    READER_CONTEXT_PARAMS,
    Param,
    ParamError,
    openapi_parameters,
    parse_slug,
)
from website.api.schema import problem_responses
from website.api.text import clean_text, front_end_path, site_root_paths
from website.api.views import ApiView
from website.freshness import generation_queryset
from website.freshness.generation import as_datetime
from website.public_url import public_root

from .filters import ARTICLE_PARAMS, filter_articles
from .preview import PREVIEW_TOKEN_MAX_LENGTH, PREVIEW_TOKEN_PATTERN, parse_preview_token
from .serializers import ArticleBundleSerializer, ArticleCardSerializer, SectionSerializer, TopicSerializer

ArticleCardPage = paginated_serializer(ArticleCardSerializer, "PaginatedArticleCardList")
SectionPageList = paginated_serializer(SectionSerializer, "PaginatedSectionList")
TopicPageList = paginated_serializer(TopicSerializer, "PaginatedTopicList")
BUNDLE_VARY = ("Accept-Language", "CF-IPCountry")


def base_url(request) -> str:
    return public_root()


def slug_or_404(slug: str, what: str) -> str:
    try:
        return parse_slug(slug)
    except ParamError as e:
        raise NotFound(f"No {what} with that slug.") from e


VALIDATOR_FIELDS = (
    "pk",
    "path",
    "expire_at",
    "live_revision_id",
    "last_published_at",
    "last_review_id",
    "live_fingerprint",
    "last_review__content_fingerprint",
    "review_due_at",
    "last_review__reviewed_at",
    "generation_token",
    "generation_changed_at",
)
DATETIME_FIELDS = {"expire_at", "last_published_at", "review_due_at", "last_review__reviewed_at"}
SLUG_SENTINEL = "\x00validator-slug\x00"
_validator_sql: dict[tuple[str, str], tuple[str, list]] = {}


def _validator_queryset(slug: str):
    generation = generation_queryset()
    return (
        ArticlePage.objects.filter(slug=slug, live=True)
        .annotate(
            generation_token=Subquery(generation.values("token")[:1]),
            generation_changed_at=Subquery(generation.values("changed_at")[:1]),
        )
        .order_by("pk")
        .values(*VALIDATOR_FIELDS)[:5]
    )


def validator_rows(slug: str) -> list[dict]:
    """Live articles with ``slug`` (normally one) and the content generation, in one query.

    The SQL is compiled once per process and database (the ORM spent more time building this query
    than the database spent answering it); only the slug changes between requests.
    """
    key = (connection.alias, connection.vendor)
    if key not in _validator_sql:
        sql, params = _validator_queryset(SLUG_SENTINEL).query.sql_with_params()
        _validator_sql[key] = (sql, list(params))
    sql, params = _validator_sql[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug if p == SLUG_SENTINEL else p for p in params])
        rows = [dict(zip(VALIDATOR_FIELDS, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        for name in (*DATETIME_FIELDS, "generation_changed_at"):
            row[name] = as_datetime(row[name])
    return rows


# Validator rows per slug kept on a snapshot at most (bounds memory above the read model's size limit).
MAX_VALIDATOR_ROWS = 20000


def remembered_validator_rows(slug: str) -> list[dict]:
    """``validator_rows``, answered from process memory while this process's generation listener
    holds the committed token (``website.freshness.watch``): a row changes only with content,
    and every content change renews the token. Copies, since callers edit them."""
    from website.freshness.watch import watcher

    known = watcher.known()
    if known is None:
        return validator_rows(slug)
    memo = read_model(known[0]).derive("api.validator-rows", dict)
    if len(memo) >= MAX_VALIDATOR_ROWS:
        memo.clear()
    rows = memo.get(slug)
    if rows is None:
        rows = validator_rows(slug)
        if not rows or rows[0]["generation_token"] != known[0]:
            return rows  # none, or read under a newer token than the listener's yet: not kept
        memo[slug] = rows
    return [dict(row) for row in rows]


class PaginatedListView(ApiView):
    """A paginated list; subclasses give ``filter_params`` and build ``get_queryset(query)``."""

    filter_params: tuple[Param, ...] = ()

    def get_params(self):
        return (*self.filter_params, *pagination_params())


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_list",
        tags=["articles"],
        parameters=openapi_parameters((*ARTICLE_PARAMS, *pagination_params())),
        responses={200: ArticleCardPage, **problem_responses(400, 429)},
    )
)
class ArticleListView(PaginatedListView):
    """Article cards, newest first, with filters, search and pagination."""

    filter_params = ARTICLE_PARAMS
    response_serializer = ArticleCardPage

    def get_validators(self, query, **kwargs):
        return [timezone.localdate()], self.generation()[1]

    def get_data(self, query, **kwargs):
        queryset = filter_articles(card_rows_queryset(), query)
        ids, envelope = paginate(queryset.values_list("pk", flat=True), query, self.request)
        # The same cards as everywhere else, rendered once per generation and process.
        cards = rendered_article_cards(ids, base_url(self.request), self.generation()[0])
        return {**envelope, "results": [cards[pk] for pk in ids if pk in cards]}


def _bundle_parameters():
    return openapi_parameters(READER_CONTEXT_PARAMS)


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_bundle",
        tags=["articles"],
        parameters=_bundle_parameters(),
        responses={200: ArticleBundleSerializer, **problem_responses(400, 404, 429)},
    )
)
class ArticleDetailView(ApiView):
    """The article bundle: everything the article page needs in one response.

    ``country``, ``language``, ``modality`` and ``near`` choose the automatic find-support cards;
    without them, ``CF-IPCountry`` and ``Accept-Language`` are used.
    """

    params = READER_CONTEXT_PARAMS
    response_serializer = ArticleBundleSerializer
    vary = BUNDLE_VARY

    def find_page_row(self, slug: str) -> dict:
        """The article's own validator fields and the content generation, in one indexed query.

        Visibility (as ``articles.visibility.visible``: live, unrestricted, unexpired) and the review
        status are decided in Python from the row, so that a 304 or a cache hit does not pay for
        compiling their SQL on every request; the bundle itself is built from ``visible()``.
        """
        slug = slug_or_404(slug, "article")
        rows = remembered_validator_rows(slug)
        if rows and rows[0]["generation_token"] is not None:
            self._generation = (rows[0]["generation_token"], rows[0]["generation_changed_at"])
        token = self.generation()[0]
        now = timezone.now()
        model = read_model(token)
        for row in rows:
            expired = row["expire_at"] is not None and row["expire_at"] <= now
            if not expired and not model.is_hidden(row["path"]):
                break
        else:
            raise NotFound(f"No published article with the slug {slug!r}.")
        del row["generation_token"], row["generation_changed_at"]
        due = row["review_due_at"]
        # The review status moves with time (due, then overdue): the tag changes when it does.
        row["review_moments_passed"] = [
            due is not None and due <= now,
            due is not None and due <= now + timedelta(days=REVIEW_DUE_WARNING_DAYS),
        ]
        return row

    def get_validators(self, query, slug: str = "", **kwargs):
        self.row = self.find_page_row(slug)
        self.reader_context = api_reader_context(self.request, query)
        parts = [self.row, self.reader_context, timezone.localdate()]
        modified = latest(
            self.row["last_published_at"], self.row["last_review__reviewed_at"], self.generation()[1]
        )
        return parts, modified

    def serialize(self, data):
        # The builder emits the final shape: ``ArticleBundleSerializer`` documents it in the schema,
        # and tests check that running it changes nothing, so it is not run on every request.
        return data

    def get_data(self, query, **kwargs):
        page = (
            ArticlePage.objects.filter(pk=self.row["pk"])
            .select_related("hero_image")
            .prefetch_related("article_authors", "tagged_topics", "editorial_picks")
            .get()
        )
        return build_bundle(
            page,
            base_url=base_url(self.request),
            reader_context=self.reader_context,
            generation=self.generation()[0],
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="sections_list",
        tags=["articles"],
        parameters=openapi_parameters(pagination_params()),
        responses={200: SectionPageList, **problem_responses(400, 429)},
    )
)
class SectionListView(PaginatedListView):
    """The magazine's live sections, in menu order."""

    response_serializer = SectionPageList

    def get_validators(self, query, **kwargs):
        return [], self.generation()[1]

    def get_data(self, query, **kwargs):
        queryset = visible(SectionPage.objects.all()).order_by("path")
        sections, envelope = paginate(queryset, query, self.request)
        roots = site_root_paths()
        results = [
            {
                "id": s.pk,
                "slug": s.slug,
                "title": clean_text(s.title),
                "url_path": front_end_path(s.url_path, roots) or s.url_path,
                "intro": clean_text(s.intro),
            }
            for s in sections
        ]
        return {**envelope, "results": results}


@extend_schema_view(
    get=extend_schema(
        operation_id="topics_list",
        tags=["articles"],
        parameters=openapi_parameters(pagination_params()),
        responses={200: TopicPageList, **problem_responses(400, 429)},
    )
)
class TopicListView(PaginatedListView):
    """The shared topic vocabulary (article topics and listing specialties), by name."""

    response_serializer = TopicPageList

    def get_validators(self, query, **kwargs):
        return [], None

    def get_data(self, query, **kwargs):
        topics, envelope = paginate(Topic.objects.order_by("name", "pk"), query, self.request)
        results = [
            {"slug": t.slug, "name": clean_text(t.name), "description": clean_text(t.description)}
            for t in topics
        ]
        return {**envelope, "results": results}


PREVIEW_TOKEN = Param(
    "token",
    parse_preview_token,
    "Signed preview token minted in the Wagtail admin.",
    schema={
        "type": "string",
        "minLength": 1,
        "maxLength": PREVIEW_TOKEN_MAX_LENGTH,
        "pattern": PREVIEW_TOKEN_PATTERN.pattern,
    },
    required=True,
)


@extend_schema_view(
    get=extend_schema(
        operation_id="preview_bundle",
        tags=["preview"],
        parameters=[
            PREVIEW_TOKEN.openapi(),
            *_bundle_parameters(),
        ],
        responses={200: ArticleBundleSerializer, **problem_responses(400, 403, 404, 429)},
    )
)
class PreviewView(ApiView):
    """The bundle of one draft revision, for a valid signed token; never cached."""

    params = (PREVIEW_TOKEN, *READER_CONTEXT_PARAMS)
    response_serializer = ArticleBundleSerializer
    cache_control = "private, no-store"
    sends_validators = False

    def get_data(self, query, **kwargs):
        from .preview import revision_for_token

        if "token" not in query:
            raise InvalidParameters([{"name": "token", "reason": "a preview token is required"}])
        page = revision_for_token(query["token"])
        return build_bundle(
            page,
            base_url=base_url(self.request),
            reader_context=api_reader_context(self.request, query),
            is_preview=True,
        )
