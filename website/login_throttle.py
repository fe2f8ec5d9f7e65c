"""Rate limiting of failed sign-ins to the Wagtail admin.

Every failed sign-in (Django's ``user_login_failed`` signal, which Wagtail's login form sends
through ``authenticate()``) adds one to two counters in the cache: one for the username tried and
one for the client's IP address. Once either counter reaches its limit, ``LoginThrottleMiddleware``
answers further sign-in POSTs for that username or from that address with a 429 and a
``Retry-After`` header, *before* the password is checked, so even the right password is refused
until the window has passed. A successful sign-in clears its username's counter (not the address's:
one valid account must not reset an attacker's budget for guessing others).

Counters are fixed windows that start at the first failure. Settings, in ``WELLNESS``
(defaults in ``website.conf``):

- ``LOGIN_FAILURES_PER_USERNAME`` (5) and ``LOGIN_FAILURES_PER_IP`` (20): failures allowed within
  the window; ``None`` switches that counter off.
- ``LOGIN_FAILURE_WINDOW`` (900): the window, in seconds.
- ``LOGIN_CLIENT_IP_HEADER`` (``""``): the ``request.META`` key holding the client address when
  the site runs behind a proxy that sets it (e.g. ``"HTTP_X_REAL_IP"``); ``REMOTE_ADDR`` otherwise.

The cache must be shared by every worker (Redis in production) for the limits to hold across them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape

from website.conf import wellness_settings

KEY_PREFIX = "login-throttle"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalise_username(username) -> str:
    return str(username or "").strip().casefold()


def client_ip(request: HttpRequest) -> str:
    """The client's address: the configured proxy header's first entry, else ``REMOTE_ADDR``."""
    header = wellness_settings.LOGIN_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() if value else ""
    return value or request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str | None, ip: str | None) -> list[tuple[str, int | None]]:
    """``(cache key, limit)`` of each counter that applies; a counter switched off is left out."""
    keys = []
    if username:
        limit = wellness_settings.LOGIN_FAILURES_PER_USERNAME
        if limit is not None:
            keys.append((f"{KEY_PREFIX}:user:{_digest(normalise_username(username))}", limit))
    if ip:
        limit = wellness_settings.LOGIN_FAILURES_PER_IP
        if limit is not None:
            keys.append((f"{KEY_PREFIX}:ip:{_digest(ip)}", limit))
    return keys


def record_failure(username: str | None, ip: str | None) -> None:
    """Counts one failed sign-in against ``username`` and ``ip``."""
    window = int(wellness_settings.LOGIN_FAILURE_WINDOW)
    for key, _limit in _keys(username, ip):
        # ``add`` starts a window only when none is running; ``incr`` is atomic on Redis and keeps
        # the key's expiry. The window's end is kept beside the count for Retry-After.
        if cache.add(f"{key}:until", time.time() + window, timeout=window):
            cache.set(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # the count expired between the two calls: a new window
            cache.set(key, 1, timeout=window)
            cache.set(f"{key}:until", time.time() + window, timeout=window)


def blocked_for(username: str | None, ip: str | None) -> int:
    """Seconds until ``username`` or ``ip`` may try again; 0 when neither is blocked."""
    wait = 0
    for key, limit in _keys(username, ip):
        values = cache.get_many([key, f"{key}:until"])
        if values.get(key, 0) >= limit:
            until = values.get(f"{key}:until") or time.time() + 1
            wait = max(wait, max(1, math.ceil(until - time.time())))
    return wait


def clear_username(username: str | None) -> None:
    if username and wellness_settings.LOGIN_FAILURES_PER_USERNAME is not None:
        key = f"{KEY_PREFIX}:user:{_digest(normalise_username(username))}"
        cache.delete_many([key, f"{key}:until"])


def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    if request is None:
        return  # not a web sign-in (a management command, a test calling authenticate())
    record_failure((credentials or {}).get("username"), client_ip(request))


def on_logged_in(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        clear_username(user.get_username())


def connect_signals() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="website.login_throttle.failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="website.login_throttle.logged_in")


def too_many_attempts(wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too many sign-in attempts'
        "</title></head><body><main><h1>Too many sign-in attempts</h1><p>"
        + escape(f"Sign-in is paused after several failed attempts. Try again in {minutes} minute(s).")
        + "</p></main></body></html>"
    )
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


class LoginThrottleMiddleware:
    """Refuses sign-in POSTs to the admin login page for a blocked username or address (429)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._login_path: str | None = None

    def login_path(self) -> str:
        if self._login_path is None:
            self._login_path = reverse("wagtailadmin_login")
        return self._login_path

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == self.login_path():
            wait = blocked_for(request.POST.get("username"), client_ip(request))
            if wait:
                return too_many_attempts(wait)
        return self.get_response(request)
