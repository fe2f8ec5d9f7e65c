"""The OpenAPI schema (drf-spectacular): scoped to ``/api/v1/``, with every response a client can get.

Each operation lists, besides its body: the 304 a revalidation gets, the 412 a failed ``If-Match``
gets (both where the view sends validators), the 429 and 503 any request
can get, and the headers each response carries (``ETag``, ``Cache-Control``, ``Last-Modified``,
``Vary``, ``Retry-After``), all derived from the view's own attributes by ``ApiAutoSchema`` so
that the schema and the behaviour come from one place. ``postprocess`` adds ``UnknownBlock``, the
fallback type of body blocks added after a client was generated.

``openapi_document(fmt)`` is the document ``/api/v1/schema/`` serves; ``docs/openapi.json`` is a
committed copy (``make schema`` rewrites it, and a test fails when it differs from the live one).
"""

from __future__ import annotations

import functools
import hashlib
import json

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import PROBLEM_CONTENT_TYPE
from .serializers import ProblemSerializer

_DESCRIPTIONS = {
    400: "Unknown or invalid query parameters; `errors` names each one.",
    403: "The preview token is tampered with or expired.",
    404: "Nothing public at this address.",
    412: "`If-Match` or `If-Unmodified-Since` does not match the current response.",
    429: "Too many requests from this client; retry after `Retry-After` seconds.",
    503: "The database is briefly unavailable; retry after `Retry-After` seconds.",
}
EXCLUDED_PATHS = ("/api/v1/schema/", "/api/v1/docs/")
ETAG_SCHEMA = {"type": "string", "pattern": '^W/"[0-9a-f]{40}"$'}
SECONDS_SCHEMA = {"type": "string", "pattern": "^[0-9]+$"}
TEXT_SCHEMA = {"type": "string"}


def problem_responses(*codes: int) -> dict:
    """``responses=`` entries for error codes, each an RFC 9457 problem document."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=_DESCRIPTIONS.get(code, "")
        )
        for code in codes
    }


def _header(name: str, schema: dict, codes: list[int], description: str, required: bool = True):
    return OpenApiParameter(
        name,
        type=schema,
        location=OpenApiParameter.HEADER,
        response=codes,
        required=required,
        description=description,
    )


class ApiAutoSchema(AutoSchema):
    """Adds to each ``ApiView`` operation what the base view sends, read from the view's attributes.

    ``sends_validators`` (ETag, 304), ``vary``, ``cache_control``; every operation can answer 429
    (throttle) and 503 (database unavailable) with ``Retry-After``.
    """

    def _is_api_view(self) -> bool:
        from .views import ApiView

        return isinstance(self.view, ApiView)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if not self._is_api_view():
            return parameters
        fresh = [200, 304] if self.view.sends_validators else [200]
        parameters.append(
            _header("Cache-Control", TEXT_SCHEMA, fresh, "How long the response may be reused.")
        )
        if self.view.sends_validators:
            parameters += [
                _header("ETag", ETAG_SCHEMA, fresh, "Weak validator: send it back in `If-None-Match`."),
                _header(
                    "Last-Modified",
                    TEXT_SCHEMA,
                    fresh,
                    "When the content last changed (where meaningful): send it back in `If-Modified-Since`.",
                    required=False,
                ),
            ]
        if self.view.vary:
            parameters.append(_header("Vary", TEXT_SCHEMA, fresh, "Request headers the response depends on."))
        parameters.append(
            _header("Retry-After", SECONDS_SCHEMA, [429, 503], "Seconds to wait before retrying.")
        )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self._is_api_view():
            return responses
        if self.view.sends_validators:
            responses["304"] = self._get_response_for_code(None, "304", direction=direction) | {
                "description": "Not Modified: the client's copy (`If-None-Match`) is current; no body."
            }
        codes = (412, 429, 503) if self.view.sends_validators else (429, 503)
        for code in codes:
            responses[str(code)] = self._get_response_for_code(
                ProblemSerializer, str(code), media_types=[PROBLEM_CONTENT_TYPE], direction=direction
            ) | {"description": _DESCRIPTIONS[code]}
        return dict(sorted(responses.items()))


def only_api_v1(endpoints, **kwargs):
    """Preprocessing hook: our endpoints only (not Wagtail's admin API, nor the schema views)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/v1/")
        and not path.startswith(EXCLUDED_PATHS)
        # GET, and the other methods a view documents (e.g. a self-check's score, a POST).
        and method in getattr(getattr(callback, "cls", None), "documented_methods", ("GET",))
        and getattr(callback, "cls", None) is not None
        and callback.cls.__name__ != "ApiNotFoundView"
    ]


def postprocess(result, generator, request, public):
    """Postprocessing hook: the body blocks' fallback type (``UnknownBlock``)."""
    schemas = result["components"]["schemas"]
    known = sorted(schemas["BodyBlock"]["discriminator"]["mapping"])
    schemas["UnknownBlock"] = {
        "type": "object",
        "description": "A block of a type added after this schema was published: render nothing. "
        "`type` is none of the known block types.",
        "properties": {
            "type": {"type": "string", "not": {"enum": known}},
            "id": {"type": "string"},
        },
        "required": ["type", "id"],
    }
    body = schemas["ArticleBundle"]["properties"]["body"]
    body["items"] = {
        "anyOf": [{"$ref": "#/components/schemas/BodyBlock"}, {"$ref": "#/components/schemas/UnknownBlock"}]
    }
    return result


@functools.cache
def openapi_schema() -> dict:
    """The schema, generated once per process (it depends on code and settings only)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def openapi_json(schema: dict) -> str:
    """The committed form: stable key order as generated, two-space indent, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@functools.cache
def openapi_document(fmt: str) -> tuple[bytes, str, str]:
    """``(body, media type, digest)`` of the schema in ``fmt`` (``json`` or ``yaml``)."""
    schema = openapi_schema()
    if fmt == "json":
        body, media_type = openapi_json(schema).encode(), "application/vnd.oai.openapi+json"
    else:
        from drf_spectacular.renderers import OpenApiYamlRenderer

        body, media_type = OpenApiYamlRenderer().render(schema), "application/vnd.oai.openapi"
    return body, media_type, hashlib.sha256(body).hexdigest()
