"""Recommendation backends: ``get_backend()`` returns the configured one (see ``interface``)."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from ..conf import reco_setting

BACKENDS = {
    "database": "recommendations.backends.database.DatabaseBackend",
    "elasticsearch": "recommendations.backends.elasticsearch.ElasticsearchBackend",
}


@cache
def _load(path: str):
    return import_string(path)()


def get_backend(name: str | None = None):
    """The backend called ``name`` (default: the ``RECOMMENDATIONS_BACKEND`` setting)."""
    name = name or reco_setting("RECOMMENDATIONS_BACKEND")
    try:
        path = BACKENDS.get(name, name)
        return _load(path)
    except ImportError as e:
        raise ValueError(f"Unknown recommendations backend {name!r}") from e


def reset_backends() -> None:
    """Forget built backends (tests that change settings call this)."""
    _load.cache_clear()
