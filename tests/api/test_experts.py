"""Contract of /api/v1/experts/ and /api/v1/listings/: public fields, every filter, bad values."""

from __future__ import annotations

import pytest

from experts.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def listings(db):
    sleep, trust = factories.topic("Sleep"), factories.topic("Trust")
    berlin = factories.listing(
        "Anna Berlin",
        country="DE",
        languages=("de", "en"),
        specialties=(trust,),
        city="Berlin",
        latitude=52.52,
        longitude=13.405,
        offers_online=True,
    )
    potsdam = factories.listing(
        "Ben Potsdam",
        country="DE",
        languages=("de",),
        specialties=(sleep,),
        latitude=52.39,
        longitude=13.06,
        accepting_clients=False,
    )
    paris = factories.listing(
        "Cleo Paris",
        country="FR",
        languages=("fr",),
        type_name="Clinic",
        kind="organisation",
        latitude=48.8566,
        longitude=2.3522,
        verified=False,
    )
    online = factories.listing(
        "Dana Online", country="GB", offers_in_person=False, offers_online=True, specialties=(sleep, trust)
    )
    factories.listing("Gone Away", country="DE", is_active=False)
    for listing in (berlin, potsdam, paris, online):
        listing.save()  # commits the parental many-to-many values the factory set in memory
    return {"berlin": berlin, "potsdam": potsdam, "paris": paris, "online": online}


class TestListings:
    def test_cards_are_active_listings_by_name(self, api, listings):
        response = api("/api/v1/listings/")
        assert slugs(response) == ["anna-berlin", "ben-potsdam", "cleo-paris", "dana-online"]
        card = response.json()["results"][0]
        assert card["languages"] == [{"code": "en", "name": "English"}, {"code": "de", "name": "German"}]
        assert card["modalities"] == ["in_person", "online"] and card["country_name"] == "Germany"
        assert card["listing_type"] == {"slug": "couples-therapist", "name": "Couples therapist"}

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("listing_type=clinic", ["cleo-paris"]),
            (
                "listing_type=clinic&listing_type=couples-therapist",
                ["anna-berlin", "ben-potsdam", "cleo-paris", "dana-online"],
            ),
            ("kind=organisation", ["cleo-paris"]),
            ("country=de", ["anna-berlin", "ben-potsdam"]),
            ("modality=online", ["anna-berlin", "dana-online"]),
            ("modality=in_person", ["anna-berlin", "ben-potsdam", "cleo-paris"]),
            ("language=fr", ["cleo-paris"]),
            ("specialty=sleep", ["ben-potsdam", "dana-online"]),
            ("specialty=sleep&specialty=trust", ["anna-berlin", "ben-potsdam", "dana-online"]),
            ("verified=false", ["cleo-paris"]),
            ("accepting_clients=false", ["ben-potsdam"]),
            ("ordering=-name", ["dana-online", "cleo-paris", "ben-potsdam", "anna-berlin"]),
            ("near=52.5,13.4&radius_km=50", ["anna-berlin", "ben-potsdam"]),
            ("near=52.5,13.4&radius_km=5", ["anna-berlin"]),
            ("near=48.85,2.35", ["cleo-paris", "ben-potsdam", "anna-berlin", "dana-online"]),
            # Without near no listing has a distance: outside any radius, and distance order is by name.
            ("radius_km=10", []),
            ("ordering=distance", ["anna-berlin", "ben-potsdam", "cleo-paris", "dana-online"]),
        ],
    )
    def test_filters(self, api, listings, query, expected):
        assert slugs(api(f"/api/v1/listings/?{query}")) == expected

    def test_near_gives_distances(self, api, listings):
        results = api("/api/v1/listings/?near=52.52,13.405").json()["results"]
        assert results[0]["distance_km"] == 0.0
        assert 20 < results[1]["distance_km"] < 40 and results[-1]["distance_km"] is None

    @pytest.mark.parametrize(
        "query, name",
        [
            ("listing_type=%3Cb%3E", "listing_type"),
            ("kind=robot", "kind"),
            ("country=ZZ", "country"),
            ("country=Germany", "country"),
            ("modality=phone", "modality"),
            ("language=zz", "language"),
            ("specialty=a%20b", "specialty"),
            ("verified=maybe", "verified"),
            ("accepting_clients=2", "accepting_clients"),
            ("near=999,999", "near"),
            ("near=abc", "near"),
            ("near=1,2&radius_km=0", "radius_km"),
            ("near=1,2&radius_km=99999", "radius_km"),
            ("ordering=email", "ordering"),
            ("limit=101", "limit"),
            ("search=x", "search"),
        ],
    )
    def test_bad_values_are_a_400_naming_the_parameter(self, api, db, query, name):
        response = api(f"/api/v1/listings/?{query}")
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
        assert [e["name"] for e in response.json()["errors"]] == [name]

    def test_detail(self, api, listings):
        detail = api("/api/v1/listings/anna-berlin/").json()
        assert detail["latitude"] == 52.52 and detail["bio"] == {"html": "", "text": ""}
        assert api("/api/v1/listings/gone-away/").status_code == 404
        assert api("/api/v1/listings/no-such/").status_code == 404


class TestExperts:
    @pytest.fixture
    def people(self, db):
        trust = factories.topic("Trust")
        reviewer = factories.person(
            "Ana Ruiz",
            reviewer=True,
            board=True,
            author=False,
            honorific="Dr.",
            bio="<p>Clinician.<script>x()</script></p>",
            contact_email="ana@private.example",
            internal_notes="secret",
        )
        reviewer.expertise.add(trust)
        reviewer.save()
        # save() refuses a javascript: link; a row written around it must still not reach the API.
        Person.objects.filter(pk=reviewer.pk).update(linkedin_url="javascript:alert(1)")
        author = factories.person("Ben Ode")
        factories.person("Backstage Editor", author=False)
        page = factories.article(None, "Reviewed piece", authors=(author,))
        factories.expert_review(page, reviewer)
        return {"reviewer": reviewer, "author": author}

    def test_list_shows_people_with_a_public_role(self, api, people):
        response = api("/api/v1/experts/")
        assert slugs(response) == ["ana-ruiz", "ben-ode"]
        ana = response.json()["results"][0]
        assert ana["roles"] == {"author": False, "reviewer": True, "board_member": True}
        assert ana["expertise"] == [{"slug": "trust", "name": "Trust"}] and ana["board_badge"] is True
        assert set(ana["credentials"][0]) == {"title", "kind", "issuing_body", "country", "valid"}

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("role=reviewer", ["ana-ruiz"]),
            ("role=author", ["ben-ode"]),
            ("role=board_member", ["ana-ruiz"]),
            ("topic=trust", ["ana-ruiz"]),
        ],
    )
    def test_filters(self, api, people, query, expected):
        assert slugs(api(f"/api/v1/experts/?{query}")) == expected

    @pytest.mark.parametrize(
        "query, name", [("role=editor", "role"), ("topic=%00", "topic"), ("offset=x", "offset")]
    )
    def test_bad_values(self, api, db, query, name):
        assert [e["name"] for e in api(f"/api/v1/experts/?{query}").json()["errors"]] == [name]

    def test_detail_has_sanitised_bio_and_articles(self, api, people):
        detail = api("/api/v1/experts/ana-ruiz/").json()
        assert detail["bio"]["html"] == "<p>Clinician.</p>" and detail["linkedin_url"] is None
        assert [a["slug"] for a in detail["articles_reviewed"]] == ["reviewed-piece"]
        assert [a["slug"] for a in api("/api/v1/experts/ben-ode/").json()["articles_written"]] == [
            "reviewed-piece"
        ]
        assert api("/api/v1/experts/backstage-editor/").status_code == 404
