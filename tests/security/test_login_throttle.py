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
        "TRUSTED_PROXIES": 0,
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

    settings.WELLNESS = {**settings.WELLNESS, "TRUSTED_PROXIES": 1, "CLIENT_IP_HEADER": "HTTP_X_REAL_IP"}
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


# Every endpoint that checks a credential shares the limiter (issue 12, finding 2).

UTIL_LOGIN = "/_util/login/"


def util_sign_in(client, username, password, ip="203.0.113.7"):
    return client.post(UTIL_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_page_sign_in_is_limited_like_the_admin_sign_in(client, editor):
    for _ in range(3):
        assert util_sign_in(client, "edna", "wrong").status_code == 200
    response = util_sign_in(client, "edna", "pw")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert not signed_in(client)
    # The same counter: the admin sign-in is refused too.
    assert sign_in(client, "edna", "pw", ip="198.51.100.8").status_code == 429


def test_admin_block_holds_at_the_page_sign_in(client, editor):
    for _ in range(3):
        sign_in(client, "edna", "wrong")
    assert sign_in(client, "edna", "pw").status_code == 429
    assert util_sign_in(client, "edna", "pw", ip="198.51.100.9").status_code == 429
    assert not signed_in(client)


def test_page_passwords_are_limited_per_restriction_and_address(client, editor):
    from wagtail.models import PageViewRestriction

    section = factories.section("Private")
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    url = f"/_util/authenticate_with_password/{restriction.pk}/{section.pk}/"

    def guess(password, ip):
        return client.post(url, {"password": password, "return_url": section.url}, REMOTE_ADDR=ip)

    for i in range(3):  # from three addresses: the restriction's own counter reaches its limit
        assert guess("wrong", f"198.51.100.{i}").status_code == 200
    assert guess("letmein", "198.51.100.50").status_code == 429
    passed = client.session.get(restriction.passed_view_restrictions_session_key, [])
    assert restriction.pk not in passed


def test_password_reset_requests_are_limited(client, editor, mailoutbox):
    url = reverse("wagtailadmin_password_reset")
    for i in range(3):
        assert (
            client.post(url, {"email": "edna@example.org"}, REMOTE_ADDR=f"198.51.100.{i}").status_code == 302
        )
    assert client.post(url, {"email": "edna@example.org"}, REMOTE_ADDR="198.51.100.9").status_code == 429
    assert len(mailoutbox) == 3


def test_password_reset_links_with_a_bad_token_are_limited(client, editor):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(editor.pk))

    def link(token):
        return reverse("wagtailadmin_password_reset_confirm", args=(uid, token))

    for i in range(3):
        assert client.get(link(f"bad-{i}"), REMOTE_ADDR="198.51.100.1").status_code == 200
    good = default_token_generator.make_token(editor)
    assert client.get(link(good), REMOTE_ADDR="198.51.100.2").status_code == 429
