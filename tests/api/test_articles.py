"""Contract of GET /api/v1/articles/, /sections/ and /topics/: fields, every filter, bad values."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from articles.models import ArticlePage
from tests import factories

pytestmark = pytest.mark.django_db

CARD_FIELDS = {
    "id",
    "slug",
    "url_path",
    "title",
    "standfirst",
    "section",
    "topics",
    "image",
    "authors",
    "reviewer",
    "reading_time",
    "first_published_at",
    "last_published_at",
    "last_reviewed_at",
    "review_status",
}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [card["slug"] for card in response.json()["results"]]


def set_published(page, when):
    ArticlePage.objects.filter(pk=page.pk).update(first_published_at=when)


@pytest.fixture
def magazine(db):
    trends = factories.section("Trends & Signals")
    healing = factories.section("Altered Healing")
    dr_ruiz = factories.person("Ana Ruiz", reviewer=True, board=True, honorific="Dr.")
    ben = factories.person("Ben Ode")
    cleo = factories.person("Cleo Vance")
    now = timezone.now()
    trust = factories.article(trends, "Rebuilding trust", topics=["Trust"], authors=(ben,))
    sleep = factories.article(healing, "Sleep and mood", topics=["Sleep"], authors=(cleo,))
    both = factories.article(trends, "Apologies that work", topics=["Trust", "Sleep"], authors=(ben, cleo))
    set_published(trust, now - datetime.timedelta(days=30))
    set_published(sleep, now - datetime.timedelta(days=10))
    set_published(both, now - datetime.timedelta(days=1))
    trust = factories.expert_review(trust, dr_ruiz, reviewed_at=now - datetime.timedelta(days=5))
    return {
        "trends": trends,
        "healing": healing,
        "ruiz": dr_ruiz,
        "ben": ben,
        "cleo": cleo,
        "trust": trust,
        "sleep": sleep,
        "both": both,
    }


class TestArticleCards:
    def test_cards_have_the_documented_fields_newest_first(self, api, magazine):
        response = api("/api/v1/articles/")
        body = response.json()
        assert body["count"] == 3 and body["limit"] == 20 and body["offset"] == 0
        assert slugs(response) == ["apologies-that-work", "sleep-and-mood", "rebuilding-trust"]
        card = body["results"][2]
        assert set(card) == CARD_FIELDS
        assert card["url_path"] == "/trends-signals/rebuilding-trust/"
        assert card["section"] == {
            "slug": "trends-signals",
            "title": "Trends & Signals",
            "url_path": "/trends-signals/",
        }
        assert card["topics"] == [{"slug": "trust", "name": "Trust"}]
        assert card["authors"] == [
            {
                "slug": "ben-ode",
                "name": "Ben Ode",
                "honorific": "",
                "display_name": "Ben Ode",
                "board_badge": False,
            }
        ]
        assert card["reviewer"]["display_name"] == "Dr. Ana Ruiz" and card["reviewer"]["board_badge"] is True
        assert card["review_status"] == "reviewed" and card["last_reviewed_at"]

    def test_hero_image_gives_a_card_rendition(self, api, magazine):
        image = factories.image("Bench by the lake", size=(1280, 720))
        factories.article(magazine["trends"], "With picture", hero_image=image, hero_alt="A bench by a lake")
        card = api("/api/v1/articles/").json()["results"][0]
        assert card["image"]["width"] == 640 and card["image"]["height"] == 360
        assert card["image"]["alt"] == "A bench by a lake"
        assert card["image"]["url"].startswith("http://testserver/")


class TestArticleFilters:
    def test_section(self, api, magazine):
        assert slugs(api("/api/v1/articles/?section=altered-healing")) == ["sleep-and-mood"]
        assert slugs(api("/api/v1/articles/?section=no-such-section")) == []

    def test_topic_is_repeatable_any_of(self, api, magazine):
        assert slugs(api("/api/v1/articles/?topic=trust")) == ["apologies-that-work", "rebuilding-trust"]
        assert set(slugs(api("/api/v1/articles/?topic=trust&topic=sleep"))) == {
            "apologies-that-work",
            "sleep-and-mood",
            "rebuilding-trust",
        }

    def test_author_and_reviewer(self, api, magazine):
        assert slugs(api("/api/v1/articles/?author=cleo-vance")) == ["apologies-that-work", "sleep-and-mood"]
        assert slugs(api("/api/v1/articles/?reviewer=ana-ruiz")) == ["rebuilding-trust"]

    def test_review_status(self, api, magazine):
        assert slugs(api("/api/v1/articles/?review_status=reviewed")) == ["rebuilding-trust"]
        assert slugs(api("/api/v1/articles/?review_status=not_reviewed")) == [
            "apologies-that-work",
            "sleep-and-mood",
        ]

    def test_published_after_and_before(self, api, magazine):
        after = (timezone.now() - datetime.timedelta(days=15)).date().isoformat()
        before = (timezone.now() - datetime.timedelta(days=5)).date().isoformat()
        assert slugs(api(f"/api/v1/articles/?published_after={after}")) == [
            "apologies-that-work",
            "sleep-and-mood",
        ]
        assert slugs(api(f"/api/v1/articles/?published_before={before}")) == [
            "sleep-and-mood",
            "rebuilding-trust",
        ]

    def test_search_goes_through_the_search_backend(self, api, magazine):
        assert slugs(api("/api/v1/articles/?search=apologies")) == ["apologies-that-work"]
        assert slugs(api("/api/v1/articles/?search=zzzunfindable")) == []
        assert slugs(api("/api/v1/articles/?search=%22apologies%3C%2A")) == ["apologies-that-work"]
        assert slugs(api("/api/v1/articles/?search=%3C%3E")) == []

    def test_a_blank_search_is_no_search(self, api, magazine):
        """Generated clients send a cleared search box as ``search=``: the plain list, not a 400."""
        everything = slugs(api("/api/v1/articles/"))
        assert len(everything) == 3
        assert slugs(api("/api/v1/articles/?search=")) == everything
        assert slugs(api("/api/v1/articles/?search=%20%20")) == everything

    def test_ordering(self, api, magazine):
        assert slugs(api("/api/v1/articles/?ordering=title")) == [
            "apologies-that-work",
            "rebuilding-trust",
            "sleep-and-mood",
        ]
        assert slugs(api("/api/v1/articles/?ordering=published_at"))[0] == "rebuilding-trust"
        assert slugs(api("/api/v1/articles/?ordering=-last_reviewed_at"))[0] == "rebuilding-trust"

    def test_pagination_links_and_limits(self, api, magazine):
        body = api("/api/v1/articles/?limit=1&offset=1").json()
        assert body["count"] == 3 and len(body["results"]) == 1
        assert "offset=2" in body["next"] and "offset=0" in body["previous"]
        assert api("/api/v1/articles/?offset=50").json()["results"] == []


@pytest.mark.parametrize(
    "query, name",
    [
        ("section=bad%20slug", "section"),
        ("section=" + "a" * 300, "section"),
        ("topic=%00", "topic"),
        ("author=no/slash", "author"),
        ("reviewer=%3Cscript%3E", "reviewer"),
        ("review_status=great", "review_status"),
        ("published_after=not-a-date", "published_after"),
        ("published_before=2024-13-01", "published_before"),
        ("search=" + "x" * 201, "search"),
        ("search=%01", "search"),
        ("ordering=password", "ordering"),
        ("ordering=-", "ordering"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=1000000", "limit"),
        ("offset=-5", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("section=a&section=b", "section"),
        ("format=xml", "format"),
        ("format=json", "format"),
        ("no_such_param=1", "no_such_param"),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(api, db, query, name):
    response = api(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["type"].endswith("invalid-parameters")
    assert [e["name"] for e in problem["errors"]] == [name]


def test_several_bad_parameters_are_reported_together(api, db):
    problem = api("/api/v1/articles/?limit=0&ordering=x&bogus=1").json()
    assert {e["name"] for e in problem["errors"]} == {"limit", "ordering", "bogus"}


class TestSectionsAndTopics:
    def test_sections(self, api, magazine):
        body = api("/api/v1/sections/").json()
        assert [(s["slug"], s["url_path"]) for s in body["results"]] == [
            ("trends-signals", "/trends-signals/"),
            ("altered-healing", "/altered-healing/"),
        ]

    def test_topics(self, api, magazine):
        body = api("/api/v1/topics/").json()
        assert [t["slug"] for t in body["results"]] == ["sleep", "trust"]
        assert set(body["results"][0]) == {"slug", "name", "description"}

    @pytest.mark.parametrize(
        "path", ["/api/v1/sections/?limit=0", "/api/v1/topics/?offset=x", "/api/v1/topics/?q=1"]
    )
    def test_bad_parameters(self, api, db, path):
        assert api(path).status_code == 400
