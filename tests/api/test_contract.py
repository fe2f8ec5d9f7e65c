"""The front-end contract: what the OpenAPI schema promises is exactly what the server does.

One class per promise of issue 15: the suggestion endpoints' shapes, revalidation (304, ETag,
CORS), problem+json for every error, parameters no looser than the server, headers and enums in
the schema, the schema endpoint and the index at ``/api/v1/``.
"""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from tests import factories
from website.api.params import MAX_VALUES, parse_query
from website.api.serializers import MODALITIES, RELATED_SOURCES, WIDENINGS

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/schema/?format=json").json()


def component(openapi: dict, name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": openapi["components"]})


def response_validator(openapi: dict, path: str, status: int = 200) -> Draft202012Validator:
    responses = openapi["paths"][path]["get"]["responses"][str(status)]
    schema = next(iter(responses["content"].values()))["schema"]
    return Draft202012Validator({**schema, "components": openapi["components"]})


@pytest.fixture
def suggestions(site_content):
    """An article with a pick and a listing the find-support engine can suggest."""
    listing = site_content["listing"]
    listing.offers_online = True
    listing.save()
    page = factories.article(
        site_content["section"], "Contract article", topics=["Trust"], picks=(site_content["other"],)
    )
    return {**site_content, "page": page}


class TestSupportEndpoint:
    """Its items' shape against real suggestions: ``tests/recommendations/test_api.py``."""

    def test_items_are_the_bundles_support_cards(self, openapi):
        schema = openapi["components"]["schemas"]["SupportResponse"]
        assert schema["properties"]["results"]["items"] == {"$ref": "#/components/schemas/SupportCard"}
        assert schema["properties"]["context"] == {"$ref": "#/components/schemas/ReaderContext"}
        bundle_group = openapi["components"]["schemas"]["FindSupportValue"]["properties"]["cards"]
        assert bundle_group["items"] == {"$ref": "#/components/schemas/SupportCard"}

    def test_an_unknown_listing_type_gets_no_suggestions(self, api, suggestions):
        response = api(f"/api/v1/articles/{suggestions['page'].slug}/support/?listing_type=no-such-type")
        assert response.status_code == 200
        assert response.json()["results"] == [] and response.json()["widened_to"] is None


class TestRelatedEndpoint:
    def test_card_is_an_article_card_and_source_the_shared_enum(self, api, suggestions, openapi):
        body = api(f"/api/v1/articles/{suggestions['page'].slug}/related/").json()
        assert [r["source"] for r in body["results"]][:1] == ["editorial_pick"]
        schemas = openapi["components"]["schemas"]
        item = schemas["RelatedItem"]["properties"]
        assert item["card"] == {"$ref": "#/components/schemas/ArticleCard"}
        assert item["source"] == {"$ref": "#/components/schemas/RelatedSourceEnum"}
        assert schemas["RelatedArticle"]["properties"]["source"] == item["source"]
        assert schemas["RelatedSourceEnum"]["enum"] == list(RELATED_SOURCES)
        for result in body["results"]:
            assert list(component(openapi, "ArticleCard").iter_errors(result["card"])) == []
        assert list(response_validator(openapi, "/api/v1/articles/{slug}/related/").iter_errors(body)) == []


@pytest.mark.parametrize(
    "view_name, path", [("RelatedArticlesView", "related/"), ("SupportView", "support/?country=DE")]
)
def test_suggestions_are_served_exactly_as_their_schema_serializer_would_write_them(
    api, suggestions, monkeypatch, view_name, path
):
    """The suggestion views skip the serializer pass: that is only right while it changes nothing."""
    from rest_framework.renderers import JSONRenderer

    from experts.models import Topic
    from website.api import suggestions as module

    listing = suggestions["listing"]
    listing.specialties.add(Topic.objects.get(name="Trust"))  # a card to suggest
    listing.save()  # parental many-to-many relations are written on save
    view = getattr(module, view_name)
    built = []
    get_data = view.get_data
    monkeypatch.setattr(
        view, "get_data", lambda self, *a, **k: built.append(get_data(self, *a, **k)) or built[-1]
    )
    served = api(f"/api/v1/articles/{suggestions['page'].slug}/{path}").content
    assert built[0]["results"]
    assert served == JSONRenderer().render(view.response_serializer(built[0]).data)


class TestRevalidation:
    def test_every_get_with_an_etag_documents_its_304(self, openapi):
        for path, operations in openapi["paths"].items():
            if "get" not in operations:
                # A POST that scores without storing (self-checks): never cached, no ETag.
                assert "304" not in operations["post"]["responses"], path
                continue
            responses = operations["get"]["responses"]
            if path == "/api/v1/preview/":
                assert "304" not in responses and "ETag" not in responses["200"]["headers"]
                continue
            assert "content" not in responses["304"], path
            assert responses["304"]["headers"]["ETag"]["required"] is True, path
            assert responses["200"]["headers"]["ETag"]["required"] is True, path

    def test_every_get_with_an_etag_documents_its_412_problem(self, openapi):
        for path, operations in openapi["paths"].items():
            responses = operations.get("get", operations.get("post"))["responses"]
            if "304" not in responses:
                assert "412" not in responses, path  # no validators, no precondition to fail
                continue
            assert list(responses["412"]["content"]) == ["application/problem+json"], path
            assert "If-Match" in responses["412"]["description"], path

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/",
            "/api/v1/articles/",
            "/api/v1/articles/{slug}/",
            "/api/v1/articles/{slug}/related/",
            "/api/v1/articles/{slug}/support/",
            "/api/v1/topics/",
            "/api/v1/schema/?format=json",
        ],
    )
    def test_a_304_carries_validators_and_no_content_type(self, api, suggestions, url):
        url = url.replace("{slug}", suggestions["page"].slug)
        first = api(url)
        assert first.status_code == 200 and re.fullmatch(r'W/"[0-9a-f]{40}"', first["ETag"])
        assert first["Cache-Control"]
        again = api(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert "Content-Type" not in again
        assert again["ETag"] == first["ETag"] and again["Cache-Control"] == first["Cache-Control"]

    def test_suggestion_etags_change_with_the_reader_context(self, api, suggestions):
        url = f"/api/v1/articles/{suggestions['page'].slug}/support/"
        german = api(url, HTTP_CF_IPCOUNTRY="DE")
        french = api(url, HTTP_CF_IPCOUNTRY="FR")
        assert german["ETag"] != french["ETag"]
        assert api(url, HTTP_CF_IPCOUNTRY="FR", HTTP_IF_NONE_MATCH=german["ETag"]).status_code == 200

    def test_the_cors_preflight_allows_revalidation_headers(self, client, db, settings):
        settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
        response = client.options(
            "/api/v1/articles/",
            HTTP_ORIGIN="https://app.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, if-modified-since",
        )
        allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
        assert {"if-none-match", "if-modified-since"} <= allowed


class TestProblemsEverywhere:
    @pytest.mark.parametrize(
        "path",
        ["/api/v1/articles/x%0A/", "/api/v1/%0A", "/api/v1/articles/a%0Ab/related/", "/api/v1/nope%0D%0A"],
    )
    def test_paths_with_line_breaks_get_a_problem_404(self, client, db, path):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
        assert response.json()["status"] == 404

    def test_the_schema_ignores_accept_and_reports_bad_formats_as_json_problems(self, client, db):
        html = client.get("/api/v1/schema/", HTTP_ACCEPT="text/html")
        assert html.status_code == 200 and html["Content-Type"] == "application/vnd.oai.openapi"
        assert html.content.startswith(b"openapi: 3.1")
        bad = client.get("/api/v1/schema/?format=openapi")
        assert bad.status_code == 400 and bad["Content-Type"] == PROBLEM
        assert [e["name"] for e in bad.json()["errors"]] == ["format"]

    def test_throttled_retry_after_matches_the_text(self, client, db, settings):
        settings.WELLNESS = {**settings.WELLNESS, "ANON_RATE": "2/min"}
        responses = [client.get("/api/v1/topics/", REMOTE_ADDR="10.9.9.9") for _ in range(3)]
        throttled = responses[-1]
        assert throttled.status_code == 429 and throttled["Content-Type"] == PROBLEM
        seconds = int(throttled["Retry-After"])
        assert 1 <= seconds <= 60
        assert (
            throttled.json()["detail"] == f"Too many requests from this client; retry in {seconds} seconds."
        )


def _accepted(params, name: str, value: str) -> bool:
    from django.test import RequestFactory

    from website.api.errors import InvalidParameters

    try:
        parse_query(RequestFactory().get("/", {name: value}), params)
    except InvalidParameters:
        return False
    return True


class TestParametersAreExact:
    """The parameter schemas accept exactly what the parsers accept, on the values that differed."""

    def parameter(self, openapi, path: str, name: str) -> dict:
        found = [p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found[0]["schema"]

    @pytest.mark.parametrize(
        "path, name, value",
        [
            ("/api/v1/listings/", "country", "AA"),
            ("/api/v1/listings/", "country", "de"),
            ("/api/v1/listings/", "country", "DE"),
            ("/api/v1/listings/", "country", "De"),
            ("/api/v1/listings/", "language", "xx"),
            ("/api/v1/listings/", "language", "EN"),
            ("/api/v1/articles/", "search", "a\x01b"),
            ("/api/v1/articles/", "search", ""),
            ("/api/v1/articles/", "search", " " * 201),
            ("/api/v1/articles/", "search", "sleep"),
            ("/api/v1/listings/", "near", "91,0"),
            ("/api/v1/listings/", "near", "90,-180"),
            ("/api/v1/listings/", "near", "-90.5,10"),
            ("/api/v1/listings/", "near", " 52.5,13.4"),
            ("/api/v1/listings/", "near", "52.5,180.0"),
            ("/api/v1/listings/", "near", "52.5,180.1"),
            ("/api/v1/listings/", "verified", "TRUE"),
            ("/api/v1/listings/", "verified", "1"),
            ("/api/v1/listings/", "radius_km", "5_0"),
            ("/api/v1/listings/", "radius_km", "1e1"),
            ("/api/v1/articles/", "published_after", "2024-W01-1"),
            ("/api/v1/articles/", "published_after", "2024-02-29"),
        ],
    )
    def test_schema_and_parser_agree(self, openapi, path, name, value):
        from website.api.articles.filters import ARTICLE_PARAMS
        from website.api.experts.filters import LISTING_PARAMS

        params = ARTICLE_PARAMS if path == "/api/v1/articles/" else LISTING_PARAMS
        schema = self.parameter(openapi, path, name)
        if schema.get("type") == "number":
            schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"}
            assert self.parameter(openapi, path, name)["minimum"] == 0.1
        by_schema = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        assert by_schema.is_valid(value) == _accepted(params, name, value), (name, value)

    def test_repeatable_parameters_declare_the_limit(self, api, openapi):
        topic = self.parameter(openapi, "/api/v1/articles/", "topic")
        assert topic["maxItems"] == MAX_VALUES
        many = "&".join(f"topic=t{i}" for i in range(MAX_VALUES))
        assert api(f"/api/v1/articles/?{many}").status_code == 200
        assert api(f"/api/v1/articles/?{many}&topic=one-more").status_code == 400

    def test_format_is_not_a_parameter_and_stays_out_of_links(self, api, suggestions):
        response = api("/api/v1/articles/?format=json")
        assert response.status_code == 400 and response.json()["errors"][0]["name"] == "format"
        page = api("/api/v1/articles/?limit=1").json()
        assert page["next"] and "format" not in page["next"]


class TestSchemaTypes:
    def test_enums_are_named_components(self, openapi):
        schemas = openapi["components"]["schemas"]
        assert schemas["WidenedToEnum"]["enum"] == list(WIDENINGS)
        assert schemas["ModalityEnum"]["enum"] == list(MODALITIES)
        widened = schemas["FindSupportValue"]["properties"]["widened_to"]
        assert {"$ref": "#/components/schemas/WidenedToEnum"} in widened["oneOf"]
        assert schemas["SupportResponse"]["properties"]["widened_to"] == widened
        modality = schemas["ReaderContext"]["properties"]["modality"]
        assert {"$ref": "#/components/schemas/ModalityEnum"} in modality["oneOf"]

    def test_near_is_a_pair(self, openapi):
        near = openapi["components"]["schemas"]["ReaderContext"]["properties"]["near"]
        assert [item["type"] for item in near["prefixItems"]] == ["number", "number"]
        assert near["items"] is False and near["type"] == ["array", "null"]

    def test_jsonld_objects_are_typed_by_their_type(self, openapi):
        schemas = openapi["components"]["schemas"]
        assert schemas["JsonLd"]["discriminator"]["propertyName"] == "@type"
        assert sorted(schemas["JsonLd"]["discriminator"]["mapping"]) == ["FAQPage", "MedicalWebPage"]
        medical = schemas["JsonLdMedicalWebPage"]
        assert medical["properties"]["@type"] == {"type": "string", "const": "MedicalWebPage"}
        assert {"@context", "@type", "headline", "author", "publisher"} <= set(medical["required"])
        assert "reviewedBy" not in medical["required"]

    def test_body_blocks_have_a_fallback_for_later_types(self, openapi):
        schemas = openapi["components"]["schemas"]
        items = schemas["ArticleBundle"]["properties"]["body"]["items"]
        assert {"$ref": "#/components/schemas/UnknownBlock"} in items["anyOf"]
        unknown = component(openapi, "UnknownBlock")
        assert unknown.is_valid({"type": "poll", "id": "x"})
        assert not unknown.is_valid({"type": "heading", "id": "x"})
        body_item = Draft202012Validator({**items, "components": openapi["components"]})
        assert body_item.is_valid({"type": "poll", "id": "x", "value": {"question": "?"}})
        assert not body_item.is_valid({"type": "heading", "id": "x", "value": {"text": 1}})

    def test_documented_headers(self, openapi):
        for path, operations in openapi["paths"].items():
            (responses,) = [operation["responses"] for operation in operations.values()]
            assert responses["200"]["headers"]["Cache-Control"]["required"] is True, path
            for code in ("429", "503"):
                retry = responses[code]["headers"]["Retry-After"]
                assert retry["required"] is True and retry["schema"]["pattern"] == "^[0-9]+$"
            if path.startswith("/api/v1/articles/{slug}/"):
                assert responses["200"]["headers"]["Vary"]["required"] is True, path

    def test_real_headers_follow_the_documentation(self, api, suggestions, openapi):
        slug = suggestions["page"].slug
        for path in ("/api/v1/articles/{slug}/", "/api/v1/articles/{slug}/support/", "/api/v1/listings/"):
            response = api(path.replace("{slug}", slug))
            for name, header in openapi["paths"][path]["get"]["responses"]["200"]["headers"].items():
                if header.get("required"):
                    assert response.has_header(name), (path, name)
                if response.has_header(name) and "pattern" in header["schema"]:
                    assert re.search(header["schema"]["pattern"], response[name]), (path, name)


class TestIndex:
    def test_the_api_root_lists_every_operation_and_links_the_contract(self, api, db, openapi):
        response = api("/api/v1/")
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        index = response.json()
        assert index["schema"] == "http://testserver/api/v1/schema/?format=json"
        assert index["docs"] == "http://testserver/api/v1/docs/"
        assert {(e["method"], e["path"]) for e in index["endpoints"]} == {
            (method.upper(), path) for path, operations in openapi["paths"].items() for method in operations
        }
        articles = next(e for e in index["endpoints"] if e["operation_id"] == "articles_list")
        assert articles["summary"] == "Article cards, newest first, with filters, search and pagination."
        assert list(response_validator(openapi, "/api/v1/").iter_errors(index)) == []
        assert api("/api/v1/?x=1").status_code == 400
