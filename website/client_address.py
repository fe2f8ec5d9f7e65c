"""The client's address, the one rule for everything keyed by address (API throttle, sign-in limiter).

A header such as ``X-Forwarded-For`` is written by whoever sends the request, so it is believed only
as far as the proxies the site trusts wrote it. With ``WELLNESS["TRUSTED_PROXIES"] = N`` the site
sits behind N proxies, each appending the address it received from; the client is then the N-th
entry from the right of ``WELLNESS["CLIENT_IP_HEADER"]`` (``X-Forwarded-For`` by default). Entries
further left were written by the client and are ignored. ``N = 0`` (the default) trusts no header:
the address is ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from website.conf import wellness_settings


def client_ip(request: HttpRequest) -> str:
    """The client's address by the trusted-proxy rule above; ``"unknown"`` when there is none."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = int(wellness_settings.TRUSTED_PROXIES or 0)
    if proxies <= 0:
        return remote
    header = wellness_settings.CLIENT_IP_HEADER
    entries = [e.strip() for e in request.META.get(header, "").split(",") if e.strip()] if header else []
    if not entries:
        return remote
    # With fewer entries than trusted proxies the leftmost is still the one nearest the client
    # that a trusted proxy wrote.
    candidate = entries[-min(proxies, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
