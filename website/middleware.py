"""Content-Security-Policy for the reader-facing HTML pages.

The public templates carry no inline scripts or styles (the JSON-LD blocks are data, which a
browser never executes), so the policy can be strict: everything from our own origin, no plugins,
no framing by other sites. The Wagtail admin and the API documentation pages ship their own
inline code and are left to send (or not send) a policy of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# Paths whose pages bring their own inline scripts and styles.
EXEMPT_PREFIXES = ("/admin/", "/django-admin/", "/api/")


def content_security_policy() -> str:
    """The policy to send: ``WELLNESS["CONTENT_SECURITY_POLICY"]`` when set, else the strict default."""
    return getattr(settings, "WELLNESS", {}).get("CONTENT_SECURITY_POLICY") or DEFAULT_POLICY


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to HTML responses outside the exempt paths."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(EXEMPT_PREFIXES):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy()
        return response
