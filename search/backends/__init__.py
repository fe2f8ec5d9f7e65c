"""Search implementations: ``get_backend()`` returns the configured one (see ``search.interface``)."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from ..conf import search_setting

BACKENDS = {
    "database": "search.backends.database.DatabaseSearch",
    "engine": "search.backends.engine.EngineSearch",
}


@cache
def _load(path: str):
    return import_string(path)()


def get_backend(name: str | None = None):
    """The implementation called ``name`` (default: the ``SEARCH_BACKEND`` setting)."""
    name = name or search_setting("SEARCH_BACKEND")
    if name not in BACKENDS:
        raise ValueError(f"Unknown search backend {name!r}: expected one of {', '.join(BACKENDS)}")
    return _load(BACKENDS[name])


def reset_backends() -> None:
    """Forget built implementations (tests that change settings call this)."""
    _load.cache_clear()
