"""OpenAPI schema helpers (drf-spectacular): scope the schema to ``/api/v1/``, declare error responses."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from .errors import PROBLEM_CONTENT_TYPE
from .serializers import ProblemSerializer

_DESCRIPTIONS = {
    400: "Unknown or invalid query parameters; `errors` names each one.",
    403: "The preview token is tampered with or expired.",
    404: "Nothing public at this address.",
    429: "Too many requests from this client; retry after `Retry-After` seconds.",
}
EXCLUDED_PATHS = ("/api/v1/schema/", "/api/v1/docs/")


def problem_responses(*codes: int) -> dict:
    """``responses=`` entries for error codes, each an RFC 9457 problem document."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=_DESCRIPTIONS.get(code, "")
        )
        for code in codes
    }


def only_api_v1(endpoints, **kwargs):
    """Preprocessing hook: our endpoints only (not Wagtail's admin API, nor the schema views)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/v1/")
        and not path.startswith(EXCLUDED_PATHS)
        and method == "GET"
        and getattr(callback, "cls", None) is not None
        and callback.cls.__name__ != "ApiNotFoundView"
    ]
