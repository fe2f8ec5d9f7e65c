"""The one entry point views and the API ask: ``search_articles(query)``.

Callers never import an implementation. The engine (``WELLNESS["SEARCH_BACKEND"] = "engine"``)
runs behind its own circuit breaker (``recommendations.breaker.CircuitBreaker("search")``, with the
recommendations' failure count and cool-down settings): when it fails, or while the breaker is
open, the database implementation answers, so a reader gets results and never an error.
"""

from __future__ import annotations

import logging

from recommendations.breaker import CircuitBreaker

from .backends import get_backend
from .query import QueryError, SearchQuery
from .results import SearchResults

logger = logging.getLogger(__name__)

breaker = CircuitBreaker("search")


def answering_backend() -> str:
    """Which implementation would answer now: "engine" or "database" (the breaker is open)."""
    backend = get_backend()
    if backend.name != "database" and breaker.is_open():
        return "database"
    return backend.name


def search_articles(query: SearchQuery) -> SearchResults:
    """Visible articles matching ``query``, one page of highlighted hits, facets and the total.

    Raises ``QueryError`` for words the database cannot search (a message for the reader).
    """
    backend = get_backend()
    if backend.name != "database" and not breaker.is_open():
        try:
            results = backend.search(query)
        except QueryError:
            raise
        except Exception as e:  # a failing engine must never fail the page
            breaker.record_failure(e)
            logger.warning("search: the %s failed, answering from the database: %r", backend.name, e)
        else:
            breaker.record_success()
            return results
    return get_backend("database").search(query)
