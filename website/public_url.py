"""The site's public root URL, the start of every absolute URL the site sends to readers.

Absolute URLs (canonical URLs, JSON-LD, image renditions, pagination links) end up in shared
caches, so they must never be built from the request's ``Host`` header: one request with a forged
host would otherwise be served to every later reader. They come from ``WELLNESS["PUBLIC_BASE_URL"]``
(environment ``PUBLIC_BASE_URL``), or, when that is empty, from ``WAGTAILADMIN_BASE_URL``.
"""

from __future__ import annotations

from django.conf import settings

from website.conf import wellness_settings


def public_root() -> str:
    """``https://example.org`` (no trailing slash) from configuration, never from a request."""
    root = wellness_settings.PUBLIC_BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return root.rstrip("/")
