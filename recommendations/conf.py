"""Settings of the recommendation engine, read from the namespaced ``WELLNESS`` dict.

Every key has a documented default here, so a site only sets what it changes::

    WELLNESS = {"RECOMMENDATIONS_BACKEND": "elasticsearch", "RECOMMENDATIONS_ES_URL": "http://es:9200"}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # "database" (default, always kept up to date and used as the fallback) or "elasticsearch" (the
    # search-engine backend, for Elasticsearch and OpenSearch alike).
    "RECOMMENDATIONS_BACKEND": "database",
    # Search-engine connection and index naming. Indexes are "<prefix>_<kind>_<version>" behind the
    # alias "<prefix>_<kind>", so a rebuild swaps the alias atomically.
    "RECOMMENDATIONS_ES_URL": "",
    # Which engine answers at that URL: "elasticsearch" (8 or 9), "opensearch" (2 or 3), or "auto"
    # (asked from the cluster's root endpoint when the client is first built).
    "RECOMMENDATIONS_ENGINE": "auto",
    "RECOMMENDATIONS_ES_INDEX_PREFIX": "wellness_reco",
    # Seconds. Short on purpose: a slow cluster must never hold up a reader or a publish.
    "RECOMMENDATIONS_ES_TIMEOUT": 2.0,
    # Seconds for rebuilds and repairs (index creation, bulk loads, alias swaps): a busy node can
    # take several seconds to acknowledge them, and no reader waits on them.
    "RECOMMENDATIONS_ES_WRITE_TIMEOUT": 30.0,
    "RECOMMENDATIONS_ES_BULK_CHUNK": 200,
    # Retries of documents the cluster refused with 429 (too many requests), with backoff in seconds.
    "RECOMMENDATIONS_ES_BULK_RETRIES": 3,
    "RECOMMENDATIONS_ES_BULK_BACKOFF": 0.5,
    # Circuit breaker: after this many consecutive failures, reads go to the database backend
    # for RECOMMENDATIONS_BREAKER_COOLDOWN seconds.
    "RECOMMENDATIONS_BREAKER_FAILURES": 3,
    "RECOMMENDATIONS_BREAKER_COOLDOWN": 60,
    # HTTP header a CDN in front of the site sets to the reader's ISO country, e.g. "CF-IPCountry".
    # None (the default): no header is trusted, since any client can send one.
    "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": None,
    # The database backend keeps every active, verified listing's ranking facts in each process's
    # memory (renewed with the content generation) so find-support needs no query per candidate;
    # above this many listings it asks the database on each request instead. 0 turns it off.
    "RECOMMENDATIONS_DIRECTORY_MAX_LISTINGS": 20000,
    # Neighbours kept per article in the precomputed neighbour table (written by the database side,
    # which every site keeps up to date whatever its backend).
    "RECOMMENDATIONS_NEIGHBOURS": 30,
    # Related articles on the search-engine backend: False (the default) reads the neighbour table,
    # as the database backend does, and asks the engine's ``more_like_this`` only for an article the
    # table does not hold yet; True asks the engine on every request (slower, and below the table's
    # quality on our judged set: docs/recommendations.md, "Related articles on the engine").
    "RECOMMENDATIONS_RELATED_FROM_ENGINE": False,
}


def reco_setting(name: str) -> Any:
    """The value of ``name`` from ``settings.WELLNESS``, else its default."""
    if name not in DEFAULTS:
        raise KeyError(f"Unknown recommendations setting {name!r}")
    return (getattr(settings, "WELLNESS", None) or {}).get(name, DEFAULTS[name])
