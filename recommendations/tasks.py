"""Indexing tasks (django-tasks). Receivers enqueue them; they never run inside the receiver.

Every task takes ``(app_label, model_name, pk)``. The database tables are always updated (they
are what reads fall back to); Elasticsearch too when it is the configured backend. A failure of
either is logged and never raised into the request that enqueued the task: with the immediate
task backend that request is an editor's publish, which must not fail or hang because a search
cluster is down. ``check_recommendations --fix`` repairs whatever a failed task left behind.
"""

from __future__ import annotations

import logging

from django_tasks import task

from website.freshness import content_changed

from .backends import get_backend
from .breaker import breaker
from .conf import reco_setting

logger = logging.getLogger(__name__)


def _backends():
    backends = [get_backend("database")]
    if reco_setting("RECOMMENDATIONS_BACKEND") != "database":
        backends.append(get_backend())
    return backends


def _run(method: str, app_label: str, model_name: str, pk: int) -> dict[str, str]:
    outcome: dict[str, str] = {}
    for backend in _backends():
        if backend.name != "database" and breaker.is_open():
            outcome[backend.name] = "skipped: circuit open"
            logger.warning(
                "recommendations: %s %s.%s %s skipped, %s circuit open",
                method,
                app_label,
                model_name,
                pk,
                backend.name,
            )
            continue
        try:
            outcome[backend.name] = getattr(backend, method)(app_label, model_name, pk)
        except Exception as e:
            outcome[backend.name] = f"failed: {e!r}"
            logger.exception(
                "recommendations: %s of %s.%s %s failed on %s",
                method,
                app_label,
                model_name,
                pk,
                backend.name,
            )
            if backend.name != "database":
                breaker.record_failure(e)
        else:
            if backend.name != "database":
                breaker.record_success()
    suggestions_changed()
    return outcome


def suggestions_changed() -> None:
    """Renews the content generation: API responses and memos embed suggestions from the index."""
    try:
        content_changed()
    except Exception:  # the index is updated; a stale cached response ages out (logged)
        logger.exception("recommendations: could not renew the content generation")


@task()
def index_object(app_label: str, model_name: str, pk: int) -> dict[str, str]:
    """(Re)index one article or listing; an article no longer live and public is removed."""
    return _run("index_object", app_label, model_name, pk)


@task()
def remove_object(app_label: str, model_name: str, pk: int) -> dict[str, str]:
    """Remove one article or listing from the recommendation data."""
    return _run("remove_object", app_label, model_name, pk)
