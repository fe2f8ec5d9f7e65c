"""The branded 404 page, under development settings too (website/not_found.py)."""

import pytest
from bs4 import BeautifulSoup

from tests import factories

pytestmark = pytest.mark.django_db

DEV_MIDDLEWARE = "website.not_found.BrandedNotFoundMiddleware"


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, DEV_MIDDLEWARE]
    factories.home_page()
    return settings


def test_development_settings_use_the_middleware():
    from website.settings import dev

    assert dev.DEBUG and dev.MIDDLEWARE[-1] == DEV_MIDDLEWARE


def test_a_missing_page_shows_the_branded_page_with_debug_on(client, development):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text() == "Page not found"
    assert soup.select_one(".error-code").get_text() == "404"
    assert soup.select_one(".site-name").get_text() == "Clear Mind Journal"
    assert soup.select_one("form.search-form")["action"] == "/search/"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_admin_and_api_keep_their_own_not_found_answers(admin_client, development):
    response = admin_client.get("/api/v1/articles/999999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
