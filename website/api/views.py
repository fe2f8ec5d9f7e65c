"""The base view every ``/api/v1/`` endpoint derives from, and the API's catch-all 404.

Every request goes through DRF's own cycle (throttles, problem+json errors); ``ApiView.get`` runs
the same steps for every endpoint, and subclasses fill in hooks:

1. ``parse_query`` validates the query string against ``get_params()`` (400 naming each bad one);
2. ``get_validators(query)`` returns ``(etag_parts, last_modified)`` from cheap queries (or raises
   ``NotFound``); the ETag adds the content generation (``generation()``), the next page expiry,
   the path and the query string. Django's ``get_conditional_response`` compares them with the
   request's ``If-None-Match``/``If-Modified-Since`` and answers 304 at this point;
3. a body rendered before under the same ETag is served from the response cache
   (``website.api.caching``);
4. otherwise ``get_data(query)`` builds the body, which ``response_serializer`` and the JSON
   renderer turn into bytes, stored under the ETag.

Override ``get_validators`` when the response depends on more than the content generation (every
row read per request belongs in its parts); override ``get_data`` to build the response.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from website.conf import wellness_settings
from website.freshness import content_generation, next_expiry

from .caching import cached_body, make_etag, store_body
from .errors import NotFound, PreconditionFailed, problem_exception_handler
from .params import Param, choice_parser, parse_query
from .serializers import ApiIndexSerializer
from .throttling import AnonymousThrottle


class JSONOnly(BaseContentNegotiation):
    """The API speaks JSON only: no 406 for odd Accept headers, no ``?format=`` renderer switch."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApiView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousThrottle]
    params: tuple[Param, ...] = ()
    response_serializer = None
    cache_control: str | None = None
    vary: tuple[str, ...] = ()
    # Whether GET answers carry ETag and may be a 304 (``get_validators`` gives parts); the schema
    # documents both from this flag (``website.api.schema.ApiAutoSchema``).
    sends_validators = True

    def get_exception_handler(self):
        return problem_exception_handler

    def perform_authentication(self, request):
        """Nothing to do: the API authenticates nobody (DRF's hook for lazy authentication)."""

    def get_throttles(self):
        # Without a rate the anonymous throttle lets everything through: not built per request.
        classes = self.throttle_classes
        if wellness_settings.ANON_RATE is None:
            classes = [c for c in classes if not issubclass(c, AnonymousThrottle)]
        return [throttle() for throttle in classes]

    def get_params(self) -> tuple[Param, ...]:
        return self.params

    def generation(self):
        """``(token, changed_at)`` of the content generation, read once per request.

        A view that reads it in its own validator query (as a subquery) sets ``self._generation``.
        """
        if getattr(self, "_generation", None) is None:
            self._generation = content_generation()
        return self._generation

    def get_validators(self, query: dict, **kwargs):
        """``(etag_parts, last_modified)``; ``etag_parts=None`` sends no validators."""
        return None, None

    def get_data(self, query: dict, **kwargs):
        raise NotImplementedError

    def serialize(self, data):
        if self.response_serializer is None:
            return data
        return self.response_serializer(data).data

    def get(self, request, *args, **kwargs):
        query = parse_query(request, self.get_params())
        etag, last_modified = self.etag_for(request, query, **kwargs)
        if etag is None:
            response = Response(self.serialize(self.get_data(query, **kwargs)))
            return self.with_cache_headers(response, None, last_modified)
        response = self.conditional_response(request, etag, last_modified)
        if response is None:
            body = cached_body(etag, self.generation()[0])
            if body is None:
                body = self.renderer_classes[0]().render(self.serialize(self.get_data(query, **kwargs)))
                store_body(etag, self.generation()[0], body)
            response = HttpResponse(body, content_type="application/json")
        return self.with_cache_headers(response, etag, last_modified)

    def etag_for(self, request, query: dict, **kwargs):
        """``(etag, last_modified)`` of the response this request asks for; ``etag`` may be None."""
        etag_parts, last_modified = self.get_validators(query, **kwargs)
        if etag_parts is None:
            return None, last_modified
        token = self.generation()[0]
        etag = make_etag(token, next_expiry(token), request.path, sorted(request.GET.lists()), etag_parts)
        return etag, last_modified

    @staticmethod
    def conditional_response(request, etag: str, last_modified) -> HttpResponse | None:
        """Django's 304 when the client's copy is current (RFC 9110), else None."""
        timestamp = int(last_modified.timestamp()) if last_modified is not None else None
        response = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if response is not None and response.status_code == 412:
            raise PreconditionFailed("If-Match or If-Unmodified-Since does not match this resource.")
        return response

    def with_cache_headers(self, response, etag: str | None, last_modified):
        if etag:
            response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Cache-Control"] = self.cache_control or wellness_settings.API_CACHE_CONTROL
        if self.vary:  # a response of ours, so no Vary yet (CORS adds Origin after the view)
            response["Vary"] = ", ".join(self.vary)
        return response


SCHEMA_FORMAT = Param(
    "format",
    choice_parser(("json", "yaml")),
    "Format of the document (default yaml).",
    schema={"type": "string", "enum": ["json", "yaml"]},
)


class SchemaView(ApiView):
    """The OpenAPI document, YAML or ``?format=json``, with an ETag of its bytes.

    Generated once per process (``website.api.schema.openapi_document``); any ``Accept`` header
    gets the document (no 406), and errors are problem+json like everywhere else.
    """

    params = (SCHEMA_FORMAT,)
    throttle_classes: list = []

    def get(self, request, *args, **kwargs):
        from .schema import openapi_document

        query = parse_query(request, self.get_params())
        body, media_type, digest = openapi_document(query.get("format", "yaml"))
        etag = make_etag("openapi", digest)
        response = self.conditional_response(request, etag, None)
        if response is None:
            response = HttpResponse(body, content_type=media_type)
        return self.with_cache_headers(response, etag, None)


@extend_schema_view(
    get=extend_schema(
        operation_id="api_index",
        tags=["api"],
        responses={200: ApiIndexSerializer},
    )
)
class ApiIndexView(ApiView):
    """Where to start: links to the OpenAPI schema and the docs, and every endpoint of the API."""

    response_serializer = ApiIndexSerializer

    def etag_for(self, request, query: dict, **kwargs):
        from .schema import openapi_document

        # Only the code and the host shape the answer: no database query, not even for a 304.
        return make_etag("index", request.get_host(), openapi_document("json")[2]), None

    def get_data(self, query, **kwargs):
        from .schema import openapi_schema

        schema = openapi_schema()
        endpoints = [
            {
                "operation_id": operation["operationId"],
                "method": method.upper(),
                "path": path,
                "summary": (operation.get("description") or "").strip().split("\n")[0],
            }
            for path, operations in schema["paths"].items()
            for method, operation in operations.items()
        ]
        return {
            "title": schema["info"]["title"],
            "version": schema["info"]["version"],
            "schema": self.request.build_absolute_uri("/api/v1/schema/?format=json"),
            "docs": self.request.build_absolute_uri("/api/v1/docs/"),
            "endpoints": endpoints,
        }


class ApiNotFoundView(ApiView):
    """Any path under /api/v1/ that names no endpoint: a problem+json 404 for every method."""

    def initial(self, request, *args, **kwargs):
        raise NotFound(f"No API endpoint at {request.path}; see /api/v1/docs/.")


for _method in ("get", "post", "put", "patch", "delete", "head", "options"):
    setattr(ApiNotFoundView, _method, lambda self, request, *a, **k: None)
