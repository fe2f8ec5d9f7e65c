"""The one error convention of ``/api/v1/``: RFC 9457 problem details.

Every error response, whatever raised it (a bad query parameter, an unknown slug, a throttle, an
unexpected bug), has the media type ``application/problem+json`` and the body::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No article with slug 'x'.",
     "instance": "/api/v1/articles/x/", "errors": []}

``errors`` lists the offending query parameters for 400s (``[{"name": "limit", "reason": "…"}]``),
and is empty otherwise. Views raise the exceptions below; ``problem_exception_handler`` (DRF's
``EXCEPTION_HANDLER``) turns them, and DRF's own exceptions, into that shape.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from website.unavailable import RETRY_AFTER_SECONDS, is_database_unavailable, log_unavailable

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://clearmind.example/problems/"


class ApiProblem(exceptions.APIException):
    """Base of the API's own errors; subclasses set the status, type and title."""

    status_code = status.HTTP_400_BAD_REQUEST
    problem_type = "about:blank"
    title = "Bad Request"

    def __init__(self, detail: str, *, errors: list[dict] | None = None):
        super().__init__(detail)
        self.errors = errors or []


class InvalidParameters(ApiProblem):
    """One or more query parameters are unknown or have a value we cannot use."""

    problem_type = PROBLEM_TYPE_BASE + "invalid-parameters"
    title = "Invalid query parameters"

    def __init__(self, errors: list[dict]):
        names = ", ".join(sorted({e["name"] for e in errors}))
        super().__init__(f"Check these query parameters: {names}.", errors=errors)


class NotFound(ApiProblem):
    status_code = status.HTTP_404_NOT_FOUND
    title = "Not Found"


class PreconditionFailed(ApiProblem):
    """An ``If-Match`` or ``If-Unmodified-Since`` the current response does not satisfy."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    title = "Precondition Failed"


class PreviewTokenInvalid(ApiProblem):
    """A preview token that is malformed, tampered with or expired."""

    status_code = status.HTTP_403_FORBIDDEN
    problem_type = PROBLEM_TYPE_BASE + "invalid-preview-token"
    title = "Invalid preview token"


def problem_body(
    status_code: int,
    detail: str,
    *,
    title: str | None = None,
    problem_type: str = "about:blank",
    errors: list[dict] | None = None,
    instance: str = "",
) -> dict:
    return {
        "type": problem_type,
        "title": title or HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "errors": errors or [],
    }


def problem_response(
    status_code: int, detail: str, *, request=None, headers: dict | None = None, **kwargs
) -> Response:
    instance = request.path if request is not None else ""
    return Response(
        problem_body(status_code, detail, instance=instance, **kwargs),
        status=status_code,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _as_text(detail) -> str:
    if isinstance(detail, list | tuple):
        return " ".join(_as_text(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_as_text(v)}" for k, v in detail.items())
    return str(detail)


def problem_exception_handler(exc, context) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every exception raised in an API view becomes a problem response."""
    request = context.get("request")
    if isinstance(exc, Http404):
        exc = NotFound("Nothing public is found at this address.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, ApiProblem):
        return problem_response(
            exc.status_code,
            str(exc.detail),
            request=request,
            title=exc.title,
            problem_type=exc.problem_type,
            errors=exc.errors,
        )
    if isinstance(exc, exceptions.Throttled):
        # The header and the text give the same whole number of seconds, never less than the wait.
        seconds = max(1, math.ceil(exc.wait or 0))
        return problem_response(
            exc.status_code,
            f"Too many requests from this client; retry in {seconds} seconds.",
            request=request,
            headers={"Retry-After": str(seconds)},
        )
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if isinstance(exc, exceptions.MethodNotAllowed):
            view = context.get("view")
            if view is not None:
                headers["Allow"] = ", ".join(view.allowed_methods)
        return problem_response(exc.status_code, _as_text(exc.detail), request=request, headers=headers)

    if is_database_unavailable(exc):
        log_unavailable(request, exc)
        return problem_response(
            503,
            "The database is briefly unavailable; retry shortly.",
            request=request,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
    logger.exception("Unhandled error in API view", exc_info=exc)
    return problem_response(500, "Something went wrong on our side; it has been logged.", request=request)
