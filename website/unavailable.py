"""503 Service Unavailable, with Retry-After, when the database cannot be reached.

While PostgreSQL restarts (or a connection it dropped is reused) Django raises
``django.db.OperationalError`` or ``InterfaceError`` (``is_database_unavailable`` tells an outage
from a bad query). Unhandled, they become 500s; they are not bugs
but a temporary outage, so readers and API clients get a 503 and a hint when to retry. Django closes
the broken connection at the end of the request (``close_if_unusable_or_obsolete``), so the next
request reconnects and the site recovers by itself once the database is back.

``DatabaseUnavailableMiddleware`` handles views (Wagtail pages and other HTML views);
``website.api.errors.problem_exception_handler`` calls ``is_database_unavailable`` for API views,
whose exceptions DRF handles before any middleware sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back in a moment</title></head>'
    "<body><h1>Back in a moment</h1><p>The magazine is briefly unavailable. Please try again in a few "
    "seconds.</p></body></html>"
)


def is_database_unavailable(exc: BaseException) -> bool:
    """True for an outage (no connection, a dropped one, a locked SQLite file), not for a bad query.

    ``OperationalError`` also covers query errors (SQLite reports a full-text syntax error or a
    missing table with it); those are bugs and stay 500s. So an ``OperationalError`` counts as an
    outage only when the connection could not be opened or no longer answers ``SELECT 1``.
    """
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if "database is locked" in str(exc):
        return True
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def log_unavailable(request: HttpRequest, exc: BaseException) -> None:
    logger.warning("database unavailable for %s %s: %s", request.method, request.path, exc)


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view into a 503 (problem+json under /api/, HTML elsewhere)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        log_unavailable(request, exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "type": "about:blank",
                    "title": "Service Unavailable",
                    "status": 503,
                    "detail": "The database is briefly unavailable; retry shortly.",
                    "instance": request.path,
                    "errors": [],
                },
                status=503,
                content_type="application/problem+json",
            )
        else:
            response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
