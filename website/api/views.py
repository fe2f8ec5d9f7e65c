"""The base view every ``/api/v1/`` endpoint derives from, and the API's catch-all 404.

``ApiView.get`` runs the same steps for every endpoint; subclasses fill in hooks:

1. ``parse_query`` validates the query string against ``get_params()`` (400 naming each bad one);
2. ``get_validators(query)`` returns ``(etag_parts, last_modified)`` from cheap queries (or raises
   ``NotFound``); the ETag adds the content generation (``generation()``), the next page expiry,
   the path and the query string. A matching ``If-None-Match``/``If-Modified-Since`` gets a 304
   at this point;
3. a body rendered before under the same ETag is served from the cache (``website.api.caching``);
4. otherwise ``get_data(query)`` builds the body, which ``response_serializer`` and the JSON
   renderer turn into bytes, stored under the ETag.

Steps 1–3 run first without DRF (``respond_from_validators``): a GET that ends in a 304 or a
cache hit never pays for DRF's request wrapping, negotiation and response rendering, which cost
more than the rest of such a request. Anything else (a body to build, an error to report, a
throttled client) falls through to DRF, which runs every step again and answers as before.

Override ``get_validators`` when the response depends on more than the content generation (every
row read per request belongs in its parts); override ``get_data`` to build the response.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from website.freshness import content_generation, next_expiry

from .caching import (
    cached_body,
    is_not_modified,
    make_etag,
    set_validators,
    store_body,
)
from .errors import NotFound, problem_exception_handler
from .params import Param, choice_parser, parse_query
from .serializers import ApiIndexSerializer
from .throttling import AnonymousThrottle


class _AsAnonymous:
    """A Django request as DRF's throttles see the API's requests: no authenticated user."""

    user = None

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


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
        validated = self.__dict__.pop("validated", None)  # set by ``respond_from_validators``
        if validated is not None:
            query, etag, last_modified = validated
        else:
            query = parse_query(request, self.get_params())
            etag, last_modified = self.etag_for(request, query, **kwargs)
        if etag is not None and is_not_modified(request, etag, last_modified):
            response = HttpResponse(status=304)
        elif etag is None:
            response = Response(self.serialize(self.get_data(query, **kwargs)))
        else:
            body = cached_body(etag, self.generation()[0])
            if body is None:
                body = self.renderer_classes[0]().render(self.serialize(self.get_data(query, **kwargs)))
                store_body(etag, self.generation()[0], body)
            response = HttpResponse(body, content_type="application/json")
        self.finish(response, etag, last_modified)
        return response

    def etag_for(self, request, query: dict, **kwargs):
        """``(etag, last_modified)`` of the response this request asks for; ``etag`` may be None."""
        etag_parts, last_modified = self.get_validators(query, **kwargs)
        if etag_parts is None:
            return None, last_modified
        token = self.generation()[0]
        etag = make_etag(token, next_expiry(token), request.path, sorted(request.GET.lists()), etag_parts)
        return etag, last_modified

    def finish(self, response, etag, last_modified) -> None:
        set_validators(response, etag, last_modified, self.cache_control)
        if self.vary:
            response["Vary"] = ", ".join(self.vary)
        if response.status_code == 304:
            # No body, so no media type (Django would label it text/html).
            del response["Content-Type"]

    # The path without DRF (see the module docstring).

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)

        def view(request, *args, **kwargs):
            if request.method != "GET":
                return drf_view(request, *args, **kwargs)
            self = cls(**initkwargs)
            self.setup(request, *args, **kwargs)
            response = self.respond_from_validators(request, args, kwargs)
            # What DRF's view does, on the same instance: a body to build reuses the validators.
            return response if response is not None else self.dispatch(request, *args, **kwargs)

        # Keeps DRF's csrf_exempt, ``cls`` and ``initkwargs`` (the schema generator reads them).
        return functools.update_wrapper(view, drf_view)

    def respond_from_validators(self, request, args, kwargs) -> HttpResponse | None:
        """A 304 or a cached body for a plain Django request, or None to let DRF answer."""
        if not self.within_rate(request):
            return None
        try:
            query = parse_query(request, self.get_params())
            etag, last_modified = self.etag_for(request, query, **kwargs)
        except (APIException, Http404, PermissionDenied):
            return None  # DRF's path raises it again and reports it in the API's error shape
        if etag is None:
            return None
        if is_not_modified(request, etag, last_modified):
            response = HttpResponse(status=304)
        else:
            body = cached_body(etag, self.generation()[0])
            if body is None:
                self.validated = (query, etag, last_modified)
                return None
            response = HttpResponse(body, content_type="application/json")
        self.finish(response, etag, last_modified)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def within_rate(self, request) -> bool:
        """The throttles, counted once per request whichever path answers it.

        The API authenticates nobody, so DRF sees every client as anonymous: the throttles get
        the same view of the request here (its address, no user).
        """
        anonymous = _AsAnonymous(request)
        allowed = all(throttle.allow_request(anonymous, self) for throttle in self.get_throttles())
        request.wellness_throttle_counted = allowed
        return allowed

    def check_throttles(self, request):
        if getattr(request._request, "wellness_throttle_counted", False):
            return  # already counted (and allowed) before DRF
        super().check_throttles(request)


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
        if is_not_modified(request, etag, None):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type=media_type)
        self.finish(response, etag, None)
        return response


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
