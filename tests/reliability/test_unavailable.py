"""A database outage answers 503 with Retry-After (pages and API); a bad query stays a 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connections

from website.api.articles.views import ArticleListView
from website.unavailable import is_database_unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection_down():
    """The default connection no longer answers (as after a PostgreSQL restart)."""
    with mock.patch.object(type(connections["default"]), "is_usable", return_value=False):
        yield


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_api_view_answers_503_problem_with_retry_after(client, connection_down, error):
    with mock.patch.object(ArticleListView, "get", side_effect=error("server closed the connection")):
        response = client.get("/api/v1/articles/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json()["status"] == 503


def test_page_view_answers_503_html_with_retry_after(client, connection_down):
    with mock.patch(
        "wagtail.models.Site.find_for_request", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/some-section/some-article/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content


def test_query_error_on_a_working_connection_stays_a_500(client):
    client.raise_request_exception = False
    with mock.patch.object(ArticleListView, "get", side_effect=OperationalError("fts5: syntax error")):
        assert client.get("/api/v1/articles/").status_code == 500
    with mock.patch("wagtail.models.Site.find_for_request", side_effect=OperationalError("no such table: x")):
        assert client.get("/some-section/some-article/").status_code == 500


def test_outage_kinds():
    assert is_database_unavailable(InterfaceError("connection already closed"))
    assert is_database_unavailable(OperationalError("database is locked"))
    assert not is_database_unavailable(ValueError("not a database error"))


def test_other_errors_still_reach_the_500_handler(client):
    client.raise_request_exception = False
    with mock.patch("wagtail.models.Site.find_for_request", side_effect=RuntimeError("a bug")):
        response = client.get("/some-section/some-article/")
    assert response.status_code == 500
