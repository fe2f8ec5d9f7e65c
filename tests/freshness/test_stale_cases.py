"""The two stale answers of issue 13: writes that sent no signal left the API serving old content."""

from __future__ import annotations

import pytest

from articles.content_package import import_package
from tests.articles.test_content_package import package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.WELLNESS = {**getattr(settings, "WELLNESS", {}), "ANON_RATE": None}


def article(client, slug="rebuilding-trust") -> dict:
    response = client.get(f"/api/v1/articles/{slug}/")
    assert response.status_code == 200
    return response.json()


class TestReimport:
    def test_a_changed_review_summary_alone_shows_in_the_next_response(self, client):
        import_package(package())
        assert article(client)["review"]["summary"] == "Sound."  # now cached under its tag
        data = package()
        data["articles"][0]["reviews"][0]["summary"] = "Sound, and kind to readers."
        result = import_package(data)
        assert result.counts["articles"]["updated"] == 1
        assert article(client)["review"]["summary"] == "Sound, and kind to readers."

    def test_a_changed_published_at_alone_shows_in_the_next_response(self, client):
        import_package(package())
        assert article(client)["first_published_at"].startswith("2026-01-27T")
        data = package()
        data["articles"][0]["published_at"] = "2026-02-03T09:00:00Z"
        import_package(data)
        assert article(client)["first_published_at"].startswith("2026-02-03T")

    def test_a_changed_conflict_declaration_alone_shows_in_the_next_response(self, client):
        import_package(package())
        assert article(client)["review"]["conflict_of_interest"] == ""
        data = package()
        data["articles"][0]["reviews"][0]["conflict_of_interest"] = "Trained one of the authors."
        import_package(data)
        assert article(client)["review"]["conflict_of_interest"] == "Trained one of the authors."
