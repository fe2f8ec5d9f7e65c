"""Test settings: fast hashing, in-memory cache, media in a throwaway folder."""

import tempfile

from .base import *  # noqa: F401,F403
from .base import DATABASES, WELLNESS

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="wellness-test-media-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WELLNESS_DEMO_ACCOUNTS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Reader search on the database whatever the environment says; the live tests switch to the engine
# with index names of their own (tests/search/test_engine_live.py).
# Recommendations too: SEARCH_ENGINE_URL in the environment (as in CI's live run) changes nothing
# until a test's own fixture points a backend at the node.
WELLNESS = {**WELLNESS, "SEARCH_BACKEND": "database", "RECOMMENDATIONS_BACKEND": "database"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# The suite exercises reader context from a CDN's country header, as a site behind one would.
WELLNESS = {
    **WELLNESS,
    "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": "CF-IPCountry",
    "PUBLIC_BASE_URL": "http://testserver",
}
# Webhook targets on loopback and private addresses: local receivers (tests, a front end on the
# same machine). Never in production (webhooks/targets.py).
WELLNESS = {**WELLNESS, "WEBHOOK_ALLOW_PRIVATE_TARGETS": True}
