"""Which webhook target URLs we send to: the guard against server-side request forgery (SSRF).

An editor who can add an endpoint could otherwise make the server POST to the cloud metadata
service, the database or anything else on the private network. So a target must be http or https
and every address its host resolves to must be public; this is checked when the endpoint is saved
and again at each delivery, after DNS resolution, and the connection then goes to the address that
was checked (a DNS answer that changes in between cannot redirect it). Redirects are never
followed. ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` lifts the address rule for development and tests.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .conf import webhook_setting

ALLOWED_SCHEMES = ("http", "https")


class TargetRefused(Exception):
    """The URL may not be a webhook target; the message says why, for an editor."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP address to connect to


def _refused_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return not ip.is_global or ip.is_multicast


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of a well-formed http(s) URL; ``TargetRefused`` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise TargetRefused(f"Not a valid URL: {e}.") from e
    if parts.scheme not in ALLOWED_SCHEMES:
        raise TargetRefused("Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("Put no user name or password in the URL; the signature authenticates us.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve_target(url: str) -> Target:
    """Checks ``url`` and resolves its host; the first permitted address is the one to connect to.

    Raises:
        TargetRefused: bad scheme or URL, a host that does not resolve, or (unless private targets
            are allowed) any resolved address that is not public.
    """
    scheme, host, port, path = split_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise TargetRefused(f"The host {host!r} does not resolve.") from e
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise TargetRefused(f"The host {host!r} does not resolve.")
    if not webhook_setting("WEBHOOK_ALLOW_PRIVATE_TARGETS"):
        for address in addresses:
            if _refused_address(ipaddress.ip_address(address.split("%")[0])):
                raise TargetRefused(
                    f"{host} resolves to {address}, a private, loopback, link-local or reserved "
                    "address; webhooks are only sent to public addresses."
                )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
