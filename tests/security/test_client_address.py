"""The client address comes from trusted proxies only, for the API throttle and the sign-in limiter;
the reader-country header is believed only when configured (issue 12, finding 3)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from recommendations.context import reader_context_from_request
from website.client_address import client_ip

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/topics/"


@pytest.fixture
def rate(settings):
    settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": "3/min", "TRUSTED_PROXIES": 0}


def test_forwarded_for_does_not_buy_a_fresh_allowance(client, rate):
    for _ in range(3):
        assert client.get(TOPICS, REMOTE_ADDR="203.0.113.5").status_code == 200
    for n in range(5):
        response = client.get(TOPICS, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")
        assert response.status_code == 429


def test_forwarded_for_cannot_spend_another_clients_allowance(client, rate):
    for _ in range(3):
        client.get(TOPICS, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert client.get(TOPICS, REMOTE_ADDR="198.51.100.77").status_code == 200


def test_behind_one_trusted_proxy_the_entry_it_appended_is_the_client(client, rate, settings):
    settings.WELLNESS = {**settings.WELLNESS, "TRUSTED_PROXIES": 1}
    proxy = "10.0.0.1"
    for _ in range(3):
        assert client.get(TOPICS, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    # The client prepends forged entries; the proxy still appends the real address last.
    for n in range(3):
        forged = f"10.9.{n}.1, 203.0.113.5"
        assert client.get(TOPICS, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert client.get(TOPICS, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "198.51.100.1", "192.0.2.1"),
        (1, "198.51.100.1, 198.51.100.2", "198.51.100.2"),
        (2, "198.51.100.1, 198.51.100.2, 10.0.0.9", "198.51.100.2"),
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
    ],
)
def test_client_ip_rule(settings, proxies, forwarded, expected):
    settings.WELLNESS = {**settings.WELLNESS, "TRUSTED_PROXIES": proxies}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_sign_in_limiter_ignores_forwarded_for_by_default(client, settings):
    from tests import factories

    settings.WELLNESS = {**settings.WELLNESS, "LOGIN_FAILURES_PER_IP": 3, "TRUSTED_PROXIES": 0}
    factories.home_page()
    for n in range(3):
        client.post(
            "/admin/login/",
            {"username": f"guess-{n}", "password": "x"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.9.{n}.1",
        )
    response = client.post(
        "/admin/login/",
        {"username": "other", "password": "x"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert response.status_code == 429


def test_country_header_is_not_trusted_unless_configured(settings):
    wellness = dict(settings.WELLNESS)
    wellness.pop("RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER", None)
    settings.WELLNESS = wellness
    request = RequestFactory().get("/", HTTP_CF_IPCOUNTRY="FR")
    assert reader_context_from_request(request).country is None
    settings.WELLNESS = {**wellness, "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": "CF-IPCountry"}
    assert reader_context_from_request(request).country == "FR"


def test_deployed_settings_trust_no_country_header_by_default():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_COUNTRY_HEADER"}
    env.update(DJANGO_SETTINGS_MODULE="website.settings.base")
    code = (
        "import website.settings.base as b; "
        "print(b.WELLNESS['RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER'], b.WELLNESS['TRUSTED_PROXIES'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "0"]
