"""Settings of reader search, read from the namespaced ``WELLNESS`` dict.

Every key has a documented default here, so a site only sets what it changes::

    WELLNESS = {"SEARCH_BACKEND": "engine", "SEARCH_ENGINE_URL": "http://127.0.0.1:9200"}

The site settings (``website/settings/base.py``) fill the engine keys from ``SEARCH_ENGINE_URL``,
``SEARCH_ENGINE`` and ``SEARCH_INDEX_PREFIX``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # "database" (the embedded default: Wagtail's database search index, no service needed) or
    # "engine" (Elasticsearch 8/9 or OpenSearch 2/3). The engine runs behind a circuit breaker
    # that falls back to the database implementation.
    "SEARCH_BACKEND": "database",
    "SEARCH_ENGINE_URL": "",
    # "elasticsearch", "opensearch" or "auto" (asked from the cluster's root endpoint).
    "SEARCH_ENGINE": "auto",
    # The alias readers search; each rebuild loads a new "<alias>_<timestamp>" index behind it.
    "SEARCH_INDEX": "wellness_search_articles",
    # Seconds. Short: a slow engine must not hold up a reader (the database answers instead).
    "SEARCH_ENGINE_TIMEOUT": 2.0,
    # The reader's words: a longer query is refused with a message (400); past the word limit only
    # the first words are searched.
    "SEARCH_MAX_QUERY_LENGTH": 200,
    "SEARCH_MAX_WORDS": 32,
    # The database implementation ranks at most this many matches (counts and facets are over them).
    "SEARCH_MAX_MATCHES": 1000,
    # Results per page of the HTML search page (the API has limit/offset).
    "SEARCH_PAGE_SIZE": 10,
}


def search_setting(name: str) -> Any:
    """The value of ``name`` from ``settings.WELLNESS``, else its default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown search setting {name!r}")
    return (getattr(settings, "WELLNESS", None) or {}).get(name, DEFAULTS[name])
