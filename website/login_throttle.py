"""One limiter for every endpoint that checks a credential: failures counted per account and per
client address, and refused with 429 once either reaches its limit.

Endpoints guarded (``GUARDS``, by URL name), all sharing the same counters:

- the admin sign-in (``/admin/login/``) and Wagtail's sign-in for login-restricted pages
  (``/_util/login/``): the account is the username; a failure is Django's ``user_login_failed``
  signal, which both forms send through ``authenticate()``;
- the password form of password-restricted pages (``/_util/authenticate_with_password/…``): the
  account is the view restriction; a failure is the form coming back (200 instead of a redirect);
- the password reset request (``/admin/password_reset/``): every request counts against the
  address and the e-mail address given (it mails a credential);
- the password reset link (``/admin/password_reset/confirm/<uid>/<token>/``): the account is the
  user id in the link; a failure is the "invalid link" page.

Once a counter reaches its limit, requests to a guarded endpoint for that account or from that
address answer 429 with ``Retry-After`` *before* the credential is checked, so even the right one is
refused until the window has passed. A successful sign-in clears its username's counter (not the
address's: one valid account must not reset an attacker's budget for guessing others).

Counters are fixed windows that start at the first failure. Settings, in ``WELLNESS``
(defaults in ``website.conf``):

- ``LOGIN_FAILURES_PER_USERNAME`` (5) and ``LOGIN_FAILURES_PER_IP`` (20): failures allowed within
  the window; ``None`` switches that counter off.
- ``LOGIN_FAILURE_WINDOW`` (900): the window, in seconds.
- the client address comes from ``website.client_address`` (``TRUSTED_PROXIES``), the rule the
  API throttle uses too.

The cache must be shared by every worker (Redis in production) for the limits to hold across them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.html import escape

from website.client_address import client_ip
from website.conf import wellness_settings

KEY_PREFIX = "login-throttle"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalise_username(username) -> str:
    return str(username or "").strip().casefold()


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


@dataclass(frozen=True)
class Guard:
    """How one credential-checking endpoint is limited.

    ``account`` names the account a request is for (``None``: only the address counts);
    ``failed`` says whether a response was a failure the middleware must count itself (``None``:
    failures are counted elsewhere, by the sign-in signal).
    """

    methods: frozenset[str]
    account: Callable[[HttpRequest, dict], str | None]
    failed: Callable[[HttpRequest, HttpResponse], bool] | None = None


def _username(request: HttpRequest, kwargs: dict) -> str | None:
    return request.POST.get("username")


def _invalid_reset_link(response: HttpResponse) -> bool:
    """Django's reset-link view answers a bad token with its page, ``validlink`` false."""
    context = getattr(response, "context_data", None) or {}
    return response.status_code == 200 and not context.get("validlink", False)


SIGN_IN = Guard(frozenset({"POST"}), _username)
GUARDS: dict[str, Guard] = {
    "wagtailadmin_login": SIGN_IN,
    "wagtailcore_login": SIGN_IN,
    "wagtailcore_authenticate_with_password": Guard(
        frozenset({"POST"}),
        lambda request, kwargs: f"page-restriction:{kwargs.get('page_view_restriction_id')}",
        lambda request, response: response.status_code == 200,
    ),
    "wagtailadmin_password_reset": Guard(
        frozenset({"POST"}),
        lambda request, kwargs: f"password-reset:{request.POST.get('email', '')}",
        lambda request, response: True,
    ),
    "wagtailadmin_password_reset_confirm": Guard(
        frozenset({"GET", "POST"}),
        lambda request, kwargs: f"password-reset-link:{kwargs.get('uidb64', '')}",
        lambda request, response: _invalid_reset_link(response),
    ),
}


class LoginThrottleMiddleware:
    """Refuses requests to a credential-checking endpoint for a blocked account or address (429)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def _guard(self, request: HttpRequest) -> tuple[Guard, dict] | None:
        # Resolving costs a little; GETs other than a reset link never need it.
        if request.method == "GET" and "/password_reset/confirm/" not in request.path_info:
            return None
        if request.method not in ("GET", "POST"):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        guard = GUARDS.get(match.url_name or "")
        if guard is None or request.method not in guard.methods:
            return None
        return guard, match.kwargs

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = self._guard(request)
        if found is None:
            return self.get_response(request)
        guard, kwargs = found
        account, ip = guard.account(request, kwargs), client_ip(request)
        wait = blocked_for(account, ip)
        if wait:
            return too_many_attempts(wait)
        response = self.get_response(request)
        if guard.failed is not None and guard.failed(request, response):
            record_failure(account, ip)
        return response
