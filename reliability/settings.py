"""Settings of the soak and fault runs: the benchmark's production-like settings, on the real URLs.

From ``website.settings.bench``: DEBUG off, cached templates, anonymous throttling off (the load
generator must measure the site, not the rate limiter), errors logged. Differences:

- ``ROOT_URLCONF`` is the site's own (``website.urls``), not the benchmark's extra baselines;
- ``RELIABILITY_ES_URL`` switches the recommendations (only them, not Wagtail search) to the
  search-engine backend at that address, for the "search cluster down or hanging" and "real node"
  faults (``RELIABILITY_ES_ENGINE``: the engine's name, default "auto"; ``RELIABILITY_BREAKER_COOLDOWN``:
  seconds the circuit stays open);
- ``RELIABILITY_NO_RESPONSE_CACHE=1`` turns the API's response cache off, so every request asks
  the recommendations (and so the engine) again;
- the cache is Redis when ``REDIS_URL`` is set (through ``website.settings.base``), else local memory.
"""

import os

from website.settings.bench import *  # noqa: F401,F403
from website.settings.bench import WELLNESS

ROOT_URLCONF = "website.urls"

_es_url = os.environ.get("RELIABILITY_ES_URL", "")
if _es_url:
    WELLNESS = {
        **WELLNESS,
        "RECOMMENDATIONS_BACKEND": "elasticsearch",
        "RECOMMENDATIONS_ES_URL": _es_url,
        "RECOMMENDATIONS_ES_TIMEOUT": float(os.environ.get("RELIABILITY_ES_TIMEOUT", "2.0")),
        "RECOMMENDATIONS_ENGINE": os.environ.get("RELIABILITY_ES_ENGINE", "auto"),
        "RECOMMENDATIONS_BREAKER_COOLDOWN": float(os.environ.get("RELIABILITY_BREAKER_COOLDOWN", "60")),
    }
if os.environ.get("RELIABILITY_NO_RESPONSE_CACHE") == "1":
    WELLNESS = {**WELLNESS, "API_RESPONSE_CACHE_TIMEOUT": 0, "API_LOCAL_RESPONSE_CACHE_BYTES": 0}

# Warnings too (fallbacks, circuit breaker, database outages, cache outages), without one line per 404.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
