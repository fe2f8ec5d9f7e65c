"""Anonymous rate limiting for the API, its rate read from ``WELLNESS["ANON_RATE"]``.

Requests are counted per client address as ``website.client_address`` determines it (trusted
proxies only), not by DRF's own reading of ``X-Forwarded-For``, which believes any client.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle

from website.client_address import client_ip
from website.conf import wellness_settings


class AnonymousThrottle(AnonRateThrottle):
    """Requests per client IP; ``ANON_RATE = None`` lets every request through."""

    scope = "wellness_anon"

    def get_rate(self) -> str | None:
        return wellness_settings.ANON_RATE

    def allow_request(self, request, view) -> bool:
        # The rate is re-read per request, so a changed setting applies without a restart.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        return client_ip(request)
