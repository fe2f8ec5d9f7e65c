"""Benchmark server: production-like (DEBUG off, no debug toolbar, cached templates) on loopback.

Only ``bench/run.py`` uses this. It mounts Wagtail's API v2 and v3 beside ours (``bench.urls``) so
they are measured on the same pages and server, and turns anonymous throttling off so the load
generator measures speed, not the rate limiter. The database comes from ``DATABASE_URL`` (the runner
points it at the generated corpus); the cache is per-process local memory unless ``REDIS_URL`` is set.
"""

from .base import *  # noqa: F401,F403
from .base import INSTALLED_APPS, WELLNESS

DEBUG = False
SECRET_KEY = "bench-only-loopback-secret-not-for-any-deployment-4f9c2e7a1b"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
# "bench" first: its ready() gives ArticlePage the api_fields the v2/v3 baselines serialise
# (see bench/baselines.py) before Wagtail builds the v3 schemas.
INSTALLED_APPS = ["bench", *INSTALLED_APPS, "wagtail.api.v2", "wagtail.api.v3"]
WAGTAILAPI_BASE_URL = "http://127.0.0.1:8000"
# As in production: on PostgreSQL, content changes arrive by LISTEN/NOTIFY (website/freshness/watch.py).
WELLNESS = {**WELLNESS, "ANON_RATE": None, "API_GENERATION_LISTENER": True}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
