"""Settings of the headless API, read from the namespaced ``WELLNESS`` dict through defaults.

A site sets only what it changes::

    WELLNESS = {"API_PAGE_SIZE": 12, "ANON_RATE": "300/min", "FRONTEND_PREVIEW_URL": "https://app.example/preview"}

Values are read on every access (never cached at import), so ``override_settings`` in tests and
settings changed between requests both take effect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Sent on public GET responses of /api/v1/ (the preview endpoint always sends "no-store").
    "API_CACHE_CONTROL": "public, max-age=60, stale-while-revalidate=300",
    # Default and hard maximum of ?limit= on paginated lists; a larger limit is a 400.
    "API_PAGE_SIZE": 20,
    "API_MAX_PAGE_SIZE": 100,
    # Largest ?offset= accepted; deeper paging is a 400 (and an unbounded OFFSET is a cheap DoS).
    "API_MAX_OFFSET": 100_000,
    # Start of every absolute URL sent to readers (canonical, JSON-LD, images, page links), e.g.
    # "https://journal.example"; "" uses WAGTAILADMIN_BASE_URL. Never taken from the request's Host.
    "PUBLIC_BASE_URL": "",
    # Largest content package ``import_content`` reads, in bytes (0: no limit).
    "CONTENT_PACKAGE_MAX_BYTES": 20 * 1024 * 1024,
    # Anonymous requests per client IP, in DRF's "number/period" form; None switches throttling off.
    "ANON_RATE": "600/min",
    # Signed preview tokens: lifetime in seconds, and where the admin's "Preview on front end" sends
    # editors ("?token=…" is appended). Empty: the API's own preview endpoint.
    "PREVIEW_TOKEN_TTL": 900,
    "FRONTEND_PREVIEW_URL": "",
    # Wagtail image filter specs of the renditions the API returns.
    "API_RENDITIONS": {
        "hero": "fill-1600x900-c75",
        "card": "fill-640x360-c75",
        "social": "fill-1200x630-c75",
        "body": "max-1200x1200",
        "portrait": "fill-240x240-c100",
        "logo": "max-320x320",
    },
    # How many related articles the bundle carries.
    "API_RELATED_LIMIT": 6,
    # The read model (``articles.readmodel``): each process keeps every visible article's row (what
    # cards show and ranking reads) and the editorial picks per content generation, up to this many
    # visible articles; above it (or 0) cards and ranking read the rows they need per request.
    "READ_MODEL_MAX_ARTICLES": 50000,
    # Seconds a rendered API response is kept in the cache under its ETag (0 switches it off). Any
    # content change renews the tag, so this bounds memory, not staleness.
    "API_RESPONSE_CACHE_TIMEOUT": 3600,
    # Per process, in front of the shared cache: the most recently served bodies up to this size.
    "API_LOCAL_RESPONSE_CACHE_BYTES": 32 * 1024 * 1024,
    # PostgreSQL only: each process LISTENs for content generation changes on one extra connection
    # instead of reading the generation on every request (website/freshness/watch.py).
    "API_GENERATION_LISTENER": False,
    # Failed admin sign-ins (website.login_throttle): failures allowed per username and per client
    # address within the window (seconds) before sign-in answers 429; None switches a counter off.
    "LOGIN_FAILURES_PER_USERNAME": 5,
    "LOGIN_FAILURES_PER_IP": 20,
    "LOGIN_FAILURE_WINDOW": 900,
    # The client address for everything keyed by address (website.client_address): how many proxies
    # in front of the site are trusted to append to CLIENT_IP_HEADER (a request.META key). 0: none,
    # the address is REMOTE_ADDR and X-Forwarded-For is ignored.
    "TRUSTED_PROXIES": 0,
    "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    # The Content-Security-Policy header of HTML pages (website.middleware); None: the strict default.
    "CONTENT_SECURITY_POLICY": None,
}


class WellnessSettings:
    """Attribute access to ``settings.WELLNESS`` with the defaults above.

    Example: ``wellness_settings.API_PAGE_SIZE`` is 20 unless ``WELLNESS["API_PAGE_SIZE"]`` is set.
    """

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown WELLNESS setting {name!r}")
        configured = getattr(settings, "WELLNESS", None) or {}
        return configured.get(name, DEFAULTS[name])


wellness_settings = WellnessSettings()
