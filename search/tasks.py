"""Indexing tasks of reader search (django-tasks). Receivers enqueue them; they never run inline.

Article tasks take ``(app_label, model_name, pk)``, like the recommendations' tasks. Only the engine
has an index of its own to keep (Wagtail keeps the database one). A failure is logged and counted by
the search breaker, never raised into the request that enqueued the task (with the immediate task
backend, that is an editor's publish); ``rebuild_search`` repairs whatever a failed task left.

Each run declares the change (``content_changed``): it runs after the writer's commit, and search
responses cached in between would otherwise keep the results of the index as it was.
"""

from __future__ import annotations

import logging

from django_tasks import task

from website.freshness import content_changed

from .backends import get_backend
from .conf import search_setting

logger = logging.getLogger(__name__)


def _run(method: str, *args) -> str:
    from .interface import breaker

    if search_setting("SEARCH_BACKEND") == "database":
        return "not indexed: search runs on the database"
    try:
        outcome = getattr(get_backend(), method)(*args)
    except Exception as e:
        breaker.record_failure(e)
        logger.exception("search: %s%r failed", method, args)
        return f"failed: {e!r}"
    finally:
        _declare_change()
    breaker.record_success()
    return outcome


def _declare_change() -> None:
    try:
        content_changed()
    except Exception:  # the index is updated; cached search responses age out (logged)
        logger.exception("search: could not renew the content generation")


@task()
def index_object(app_label: str, model_name: str, pk: int) -> str:
    """(Re)index one article; an article a reader may no longer see is removed."""
    return _run("index_object", app_label, model_name, pk)


@task()
def remove_object(app_label: str, model_name: str, pk: int) -> str:
    """Remove one article from the search index."""
    return _run("remove_object", app_label, model_name, pk)


@task()
def rebuild_index() -> str:
    """Rebuild the whole index behind its alias: topic names and synonyms are in its analyzers."""
    report = _run("rebuild", lambda *a: None)
    return report if isinstance(report, str) else f"rebuilt, {len(report.get('failed', []))} failed"
