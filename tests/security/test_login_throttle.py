"""Failed admin sign-ins are limited per username and per client address (website.login_throttle)."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.WELLNESS = {
        **settings.WELLNESS,
        "LOGIN_FAILURES_PER_USERNAME": 3,
        "LOGIN_FAILURES_PER_IP": 5,
        "LOGIN_FAILURE_WINDOW": 600,
        "LOGIN_CLIENT_IP_HEADER": "",
    }


@pytest.fixture
def editor(db):
    factories.home_page()
    return factories.user("edna", superuser=True)


def sign_in(client, username, password, ip="203.0.113.7", **meta):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **meta)


def signed_in(client) -> bool:
    return client.get(reverse("wagtailadmin_home")).status_code == 200


def test_login_url_is_the_one_the_middleware_guards():
    assert reverse("wagtailadmin_login") == LOGIN


def test_wrong_passwords_up_to_the_limit_get_the_normal_form(client, editor):
    for _ in range(2):
        response = sign_in(client, "edna", "wrong")
        assert response.status_code == 200 and b"password" in response.content.lower()
    assert sign_in(client, "edna", "pw").status_code == 302
    assert signed_in(client)


def test_after_the_limit_even_the_right_password_is_refused(client, editor):
    for _ in range(3):
        assert sign_in(client, "edna", "wrong").status_code == 200
    response = sign_in(client, "edna", "pw")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert b"Too many sign-in attempts" in response.content
    assert not signed_in(client)


def test_username_counter_ignores_case_spaces_and_address(client, editor):
    for i, name in enumerate(("edna", "EDNA", " Edna ")):
        sign_in(client, name, "wrong", ip=f"198.51.100.{i}")
    assert sign_in(client, "edna", "pw", ip="198.51.100.99").status_code == 429


def test_other_usernames_are_not_blocked_by_one_users_failures(client, editor):
    factories.user("olu", superuser=True)
    for _ in range(3):
        sign_in(client, "edna", "wrong")
    assert sign_in(client, "olu", "pw").status_code == 302


def test_one_address_guessing_many_usernames_is_blocked(client, editor):
    for i in range(5):
        assert sign_in(client, f"guess-{i}", "wrong").status_code == 200
    assert sign_in(client, "edna", "pw").status_code == 429
    assert sign_in(client, "edna", "pw", ip="192.0.2.50").status_code == 302


def test_success_clears_the_username_counter_but_not_the_address_counter(client, editor):
    for _ in range(2):
        sign_in(client, "edna", "wrong")
    assert sign_in(client, "edna", "pw").status_code == 302
    client.logout()
    for _ in range(2):
        assert sign_in(client, "edna", "wrong").status_code == 200
    assert sign_in(client, "edna", "pw").status_code == 302  # 2 fresh failures, not 4
    client.logout()
    assert sign_in(client, "someone", "wrong").status_code == 200  # 5th failure from this address
    assert sign_in(client, "edna", "pw").status_code == 429


def test_window_expiry_lifts_the_block(client, editor, monkeypatch):
    import time

    for _ in range(3):
        sign_in(client, "edna", "wrong")
    blocked = sign_in(client, "edna", "pw")
    assert blocked.status_code == 429
    now = time.time()
    # The local-memory cache expires keys by time.time(), as Redis does by its own clock.
    monkeypatch.setattr(time, "time", lambda: now + 601)
    assert sign_in(client, "edna", "pw").status_code == 302


def test_proxy_header_is_used_only_when_configured(client, editor, settings):
    for i in range(5):
        sign_in(client, f"guess-{i}", "wrong", ip="10.0.0.1", HTTP_X_REAL_IP=f"203.0.113.{i}")
    # Without the setting the proxy's own address is the client: all five came from 10.0.0.1.
    assert sign_in(client, "edna", "pw", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.200").status_code == 429

    settings.WELLNESS = {**settings.WELLNESS, "LOGIN_CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
    from django.core.cache import cache

    cache.clear()
    for i in range(5):
        sign_in(client, f"guess-{i}", "wrong", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert sign_in(client, "edna", "pw", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9").status_code == 429
    assert sign_in(client, "edna", "pw", ip="10.0.0.1", HTTP_X_REAL_IP="203.0.113.10").status_code == 302


def test_counters_can_be_switched_off(client, editor, settings):
    settings.WELLNESS = {
        **settings.WELLNESS,
        "LOGIN_FAILURES_PER_USERNAME": None,
        "LOGIN_FAILURES_PER_IP": None,
    }
    for _ in range(8):
        sign_in(client, "edna", "wrong")
    assert sign_in(client, "edna", "pw").status_code == 302


def test_get_of_the_login_page_is_never_blocked(client, editor):
    for _ in range(3):
        sign_in(client, "edna", "wrong")
    assert client.get(LOGIN, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_failures_outside_a_request_are_not_counted(editor, client):
    for _ in range(5):
        assert authenticate(username="edna", password="wrong") is None
    assert sign_in(client, "edna", "pw").status_code == 302
