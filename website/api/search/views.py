"""``GET /api/v1/search/?q=``: reader search in the headless API.

Built like the article list (``website.api.articles.views.ArticleListView``): parameters declared once in
``SEARCH_PARAMS`` (validation and OpenAPI), problem+json 400s naming the parameter, limit/offset
pagination, ETag and Cache-Control from the content generation. The view only parses and asks
``search.interface.search_articles``; the hits are embedded as the same article cards as every list.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view

from articles.cards import rendered_article_cards
from search.conf import DEFAULTS
from search.interface import answering_backend, search_articles
from search.query import QueryError, SearchQuery, parse_search_text
from website.api.errors import InvalidParameters
from website.api.pagination import envelope, page_window, pagination_params
from website.api.params import Param, ParamError, openapi_parameters, slug_param
from website.api.schema import problem_responses
from website.api.views import ApiView

from .serializers import SearchResultsSerializer


def parse_q(value: str) -> str:
    try:
        return parse_search_text(value)
    except QueryError as e:
        raise ParamError(str(e)) from e


_MAX = DEFAULTS["SEARCH_MAX_QUERY_LENGTH"]
Q = Param(
    "q",
    parse_q,
    "Required. The words to search for in titles, standfirsts, body text, FAQ, topics and authors; "
    "every word must match. Operators and punctuation are not syntax (they separate words). "
    f"At most {_MAX} characters (WELLNESS['SEARCH_MAX_QUERY_LENGTH']), with at least one letter or digit "
    "and no control characters; past the 32nd different word the rest is ignored.",
    schema={
        "type": "string",
        "minLength": 1,
        "maxLength": _MAX,
        "pattern": r"^[^\x00-\x1f\x7f]*\w[^\x00-\x1f\x7f]*$",
    },
    required=True,
)
SEARCH_PARAMS = (
    Q,
    slug_param("section", "Only results in this section (slug); see facets.sections."),
    slug_param(
        "topic", "Only results tagged with any of these topics (slugs); repeat the parameter.", many=True
    ),
)


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@extend_schema_view(
    get=extend_schema(
        operation_id="search",
        tags=["search"],
        parameters=openapi_parameters((*SEARCH_PARAMS, *pagination_params())),
        responses={200: SearchResultsSerializer, **problem_responses(400, 429)},
    )
)
class SearchView(ApiView):
    """Live, visible articles matching ``q``, most relevant first, with highlighted snippets and
    facets by section and topic. A missing or empty ``q`` is a 400 naming ``q``."""

    response_serializer = SearchResultsSerializer

    def get_params(self):
        return (*SEARCH_PARAMS, *pagination_params())

    def get_validators(self, query, **kwargs):
        if "q" not in query:
            raise InvalidParameters([{"name": "q", "reason": "required: the words to search for"}])
        # Cards carry the review status, which moves with the date; a fallback answer differs.
        return [timezone.localdate(), answering_backend()], self.generation()[1]

    def get_data(self, query, **kwargs):
        limit, offset = page_window(query)
        search = SearchQuery(
            text=query["q"],
            section=query.get("section"),
            topics=tuple(query.get("topic", ())),
            offset=offset,
            limit=limit,
        )
        try:
            results = search_articles(search)
        except QueryError as e:
            raise InvalidParameters([{"name": "q", "reason": str(e)}]) from e
        cards = rendered_article_cards(
            [hit.article_id for hit in results.hits], base_url(self.request), self.generation()[0]
        )
        hits = [
            {"article": cards[hit.article_id], "title": str(hit.title), "snippet": str(hit.snippet)}
            for hit in results.hits
            if hit.article_id in cards
        ]
        return {
            **envelope(results.total, query, self.request),
            "query": search.text,
            "backend": results.backend,
            "facets": {
                "sections": [vars(value) for value in results.sections],
                "topics": [vars(value) for value in results.topics],
            },
            "results": hits,
        }
