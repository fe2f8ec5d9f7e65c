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

Override ``get_validators`` when the response depends on more than the content generation (every
row read per request belongs in its parts); override ``get_data`` to build the response.
"""

from __future__ import annotations

from django.http import HttpResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .caching import (
    cached_body,
    content_generation,
    is_not_modified,
    make_etag,
    next_expiry,
    set_validators,
    store_body,
)
from .errors import NotFound, problem_exception_handler
from .params import Param, parse_query
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
        query = parse_query(request, self.get_params())
        etag_parts, last_modified = self.get_validators(query, **kwargs)
        etag = None
        if etag_parts is not None:
            token = self.generation()[0]
            etag = make_etag(token, next_expiry(token), request.path, sorted(request.GET.lists()), etag_parts)
        if etag is not None and is_not_modified(request, etag, last_modified):
            response = Response(status=304)
        elif etag is None:
            response = Response(self.serialize(self.get_data(query, **kwargs)))
        else:
            body = cached_body(etag)
            if body is None:
                body = self.renderer_classes[0]().render(self.serialize(self.get_data(query, **kwargs)))
                store_body(etag, body)
            response = HttpResponse(body, content_type="application/json")
        set_validators(response, etag, last_modified, self.cache_control)
        if self.vary:
            response["Vary"] = ", ".join(self.vary)
        return response


class ApiNotFoundView(ApiView):
    """Any path under /api/v1/ that names no endpoint: a problem+json 404 for every method."""

    def initial(self, request, *args, **kwargs):
        raise NotFound(f"No API endpoint at {request.path}; see /api/v1/docs/.")


for _method in ("get", "post", "put", "patch", "delete", "head", "options"):
    setattr(ApiNotFoundView, _method, lambda self, request, *a, **k: None)
