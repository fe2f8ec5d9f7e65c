"""The separate endpoints: /api/v1/articles/{slug}/related/ and /support/."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def lone_article(db):
    from tests import factories

    return factories.article(title="Lone article")


def get(client, path, **headers):
    response = client.get(path, **headers)
    return response.status_code, response.json()


class TestRelatedEndpoint:
    def test_lists_related_with_reasons_never_itself(self, client, catalogue):
        status, body = get(client, "/api/v1/articles/rebuilding-trust-after-an-affair/related/")
        assert status == 200
        found = [r["slug"] for r in body["results"]]
        assert found[:2] == ["jealousy-and-trust", "arguing-well-as-a-couple"]
        assert "rebuilding-trust-after-an-affair" not in found
        assert all(r["reasons"] and r["source"] == "automatic" for r in body["results"])
        assert body["results"][0]["card"]["title"] == "Jealousy and trust"

    def test_limit(self, client, catalogue):
        status, body = get(client, "/api/v1/articles/rebuilding-trust-after-an-affair/related/?limit=1")
        assert status == 200 and len(body["results"]) == 1

    def test_bad_parameters_are_400_naming_them(self, client, lone_article):
        for query in ("limit=0", "limit=x", "color=blue"):
            status, body = get(client, f"/api/v1/articles/{lone_article.slug}/related/?{query}")
            assert status == 400, query
            assert [e["name"] for e in body["errors"]] == [query.split("=")[0]], query

    def test_unknown_or_draft_article_is_404(self, client, catalogue):
        from tests import factories

        factories.article(title="Draft only", publish=False)
        assert get(client, "/api/v1/articles/no-such-article/related/")[0] == 404
        assert get(client, "/api/v1/articles/draft-only/related/")[0] == 404


class TestSupportEndpoint:
    url = "/api/v1/articles/rebuilding-trust-after-an-affair/support/"

    def test_an_answer_on_the_directory_reads_no_listing(self, client, catalogue):
        """The directory holds the card rows of every listing it may suggest: once it is built,
        an answer's cards cost no listing query (only their images are read)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # Another article, so that none of the flagship's cards could come from an earlier answer.
        status, _ = get(client, "/api/v1/articles/insomnia-basics/support/?country=GB&count=2")
        assert status == 200
        with CaptureQueriesContext(connection) as queries:
            status, body = get(client, self.url + "?country=DE&count=2")
        assert status == 200 and len(body["results"]) == 2
        assert body["results"][0]["listing"]["languages"] and body["results"][0]["listing"]["specialties"]
        listing_queries = [
            q["sql"]
            for q in queries.captured_queries
            if '"experts_listing"' in q["sql"] or '"experts_listing_' in q["sql"]
        ]
        assert listing_queries == []

    def test_every_context_parameter(self, client, catalogue):
        berlin = catalogue["listings"]["berlin"]
        berlin.latitude, berlin.longitude = 52.52, 13.40
        berlin.save()
        status, body = get(
            client, self.url + "?country=DE&language=de&modality=in_person&near=52.5,13.4&count=2"
        )
        assert status == 200
        assert body["context"] == {
            "country": "DE",
            "language": "de",
            "modality": "in_person",
            "near": [52.5, 13.4],
        }
        first = body["results"][0]
        assert first["listing"]["slug"] == "berlin-couples"
        assert {"Specialises in couples therapy", "Based in Germany", "Speaks German"} <= set(
            first["reasons"]
        )
        assert any("km from you" in r for r in first["reasons"])
        assert 0 < first["listing"]["distance_km"] < 5
        assert all(
            "in_person" in r["listing"]["modalities"] and r["listing"]["country"] == "DE"
            for r in body["results"]
        )
        # The engine's listing objects are shared by later requests: a reader who gives no
        # position is never shown the distance computed for an earlier one.
        status, body = get(client, self.url + "?country=DE&language=de&modality=in_person&count=2")
        assert status == 200 and body["results"][0]["listing"]["slug"] == "berlin-couples"
        assert body["results"][0]["listing"]["distance_km"] is None

    def test_online_widening_is_reported(self, client, catalogue):
        status, body = get(client, self.url + "?country=DE&language=de&modality=online&count=2")
        assert status == 200
        assert body["widened_to"] == "everywhere" and "other countries" in body["notice"]
        assert all("online" in r["listing"]["modalities"] for r in body["results"])

    def test_context_from_headers_when_no_parameters(self, client, catalogue):
        status, body = get(client, self.url, HTTP_CF_IPCOUNTRY="GB", HTTP_ACCEPT_LANGUAGE="en-GB")
        assert status == 200
        assert body["context"]["country"] == "GB" and body["context"]["language"] == "en"
        # The best match (online, from Germany) first; the British one next, boosted by locality.
        assert [r["listing"]["slug"] for r in body["results"][:2]] == ["berlin-couples", "london-couples"]

    def test_items_are_support_cards_as_in_the_bundle_and_the_schema(self, client, catalogue):
        from jsonschema import Draft202012Validator

        openapi = client.get("/api/v1/schema/?format=json").json()
        status, body = get(client, self.url + "?country=DE&count=3")
        assert status == 200 and len(body["results"]) == 3
        card_keys = set(openapi["components"]["schemas"]["ListingCard"]["properties"])
        for item in body["results"]:
            assert set(item) == {"listing", "reasons", "sponsored"} and item["reasons"]
            assert set(item["listing"]) == card_keys
        operation = openapi["paths"]["/api/v1/articles/{slug}/support/"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": openapi["components"]})
        assert list(validator.iter_errors(body)) == []

    def test_sponsored_flag_is_shown(self, client, catalogue):
        status, body = get(client, self.url + "?country=GB&count=4")
        assert {r["listing"]["slug"]: r["sponsored"] for r in body["results"]}["london-couples"] is True

    def test_listing_type_and_products(self, client, catalogue):
        url = "/api/v1/articles/insomnia-basics/support/?country=DE&count=5"
        assert [
            r["listing"]["slug"] for r in get(client, url + "&listing_type=psychologist")[1]["results"]
        ] == ["sleep-psychologist"]
        assert "sleepy-brand" not in [r["listing"]["slug"] for r in get(client, url)[1]["results"]]
        assert "sleepy-brand" in [
            r["listing"]["slug"] for r in get(client, url + "&include_products=true")[1]["results"]
        ]

    def test_bad_values_are_400_naming_the_parameter(self, client, lone_article):
        cases = [
            ("country=XX1", ["country"]),
            ("language=german", ["language"]),
            ("modality=teleport", ["modality"]),
            ("near=north", ["near"]),
            ("near=91,10", ["near"]),
            ("count=0", ["count"]),
            ("listing_type=no%20slug", ["listing_type"]),
            ("include_products=maybe", ["include_products"]),
            ("country=XX1&modality=teleport", ["country", "modality"]),
            ("colour=red", ["colour"]),
        ]
        for query, names in cases:
            status, body = get(client, f"/api/v1/articles/{lone_article.slug}/support/?{query}")
            assert status == 400, query
            assert sorted(e["name"] for e in body["errors"]) == names, query
            assert body["status"] == 400 and body["detail"]
