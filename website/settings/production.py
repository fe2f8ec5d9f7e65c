"""Production: every secret and service location comes from the environment.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated). Optional: ``DATABASE_URL``,
``REDIS_URL``, ``ELASTICSEARCH_URL``, ``CORS_ALLOWED_ORIGINS``, ``CSRF_TRUSTED_ORIGINS``,
``PUBLIC_BASE_URL`` (the public root of absolute URLs; ``WAGTAILADMIN_BASE_URL`` otherwise),
``TRUSTED_PROXIES`` (proxies appending to X-Forwarded-For; 0) and ``TRUSTED_COUNTRY_HEADER``
(a CDN's reader-country header, e.g. ``CF-IPCountry``; none trusted otherwise),
``FRONTEND_CACHE_PURGE_URL`` (a CDN or cache's HTTP purge endpoint: purged on publish, docs/api.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (at least 50 characters).")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment.")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
WELLNESS_DEMO_ACCOUNTS = False
WELLNESS["API_GENERATION_LISTENER"] = (  # noqa: F405
    os.environ.get("API_GENERATION_LISTENER", "true").lower() == "true"
)

if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
