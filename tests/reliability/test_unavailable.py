"""A database outage answers 503 with Retry-After (pages and API), never a 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_api_view_answers_503_problem_with_retry_after(client, error):
    with mock.patch("articles.api.ArticleListView.get", side_effect=error("server closed the connection")):
        response = client.get("/api/v1/articles/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json()["status"] == 503


def test_page_view_answers_503_html_with_retry_after(client):
    with mock.patch(
        "wagtail.models.Site.find_for_request", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/some-section/some-article/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content


def test_other_errors_still_reach_the_500_handler(client):
    client.raise_request_exception = False
    with mock.patch("wagtail.models.Site.find_for_request", side_effect=RuntimeError("a bug")):
        response = client.get("/some-section/some-article/")
    assert response.status_code == 500
