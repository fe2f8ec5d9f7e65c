"""Wagtail's search backend for whichever engine ``SEARCH_ENGINE_URL`` points at.

Wagtail (through modelsearch) has one backend per engine and client library: ``elasticsearch8`` for
Elasticsearch 8/9 (elasticsearch-py) and ``opensearch3`` for OpenSearch 2/3 (opensearch-py). The
``ENGINE`` parameter names the engine; "auto" asks the cluster's root endpoint, once per process,
and this module hands back the matching backend. It is a factory, not a wrapper: the object
returned is Wagtail's own backend, with the same parameters (``INDEX_PREFIX`` among them).
"""

from __future__ import annotations

import logging
from functools import cache

from django.utils.module_loading import import_string

from recommendations.engine import EngineError, detect_kind

logger = logging.getLogger(__name__)

BACKENDS = {
    "elasticsearch": "modelsearch.backends.elasticsearch8.SearchBackend",
    "opensearch": "modelsearch.backends.opensearch3.SearchBackend",
}


@cache
def _detected(url: str, timeout: float) -> str:
    return detect_kind(url, timeout)


def engine_kind(kind: str, url: str, timeout: float = 2.0) -> str:
    """``kind``, or for "auto" the engine at ``url``; "elasticsearch" if it cannot be asked now
    (nothing is remembered then, so the next backend built asks again)."""
    if kind != "auto":
        if kind not in BACKENDS:
            raise ValueError(f"SEARCH_ENGINE must be one of {', '.join(BACKENDS)} or 'auto', not {kind!r}")
        return kind
    try:
        return _detected(url, timeout)
    except EngineError as e:
        logger.warning("search: could not tell which engine is at %s (%s); assuming Elasticsearch", url, e)
        return "elasticsearch"


def SearchBackend(params: dict):  # noqa: N802 (the name modelsearch looks up in a backend module)
    params = dict(params)
    kind = engine_kind(params.pop("ENGINE", "auto"), (params.get("URLS") or [""])[0])
    return import_string(BACKENDS[kind])(params)
