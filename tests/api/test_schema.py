"""The OpenAPI schema: served, valid, and true of every endpoint's real responses.

``test_real_responses_match_the_schema`` validates actual responses of every endpoint (success and
error) against the component schemas with ``jsonschema``; ``test_fuzz`` lets schemathesis generate
requests from the schema (bounded) and checks for server errors and schema violations.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.preview import mint_preview_token
from tests import factories
from tests.api.conftest import rich_body
from website.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(site_content):
    image = factories.image("Schema image", size=(300, 200))
    page = factories.article(
        site_content["section"],
        "Schema article",
        topics=["Trust"],
        hero_image=image,
        picks=(site_content["other"],),
        body=rich_body(2, listings=[site_content["listing"]], images=[image], link_to=site_content["other"]),
    )
    factories.expert_review(page, site_content["reviewer"])
    return {**site_content, "page": page}


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def validator_for(openapi: dict, path: str, status: int, media_type: str) -> Draft202012Validator:
    operation = openapi["paths"][path]["get"]
    schema = operation["responses"][str(status)]["content"][media_type]["schema"]
    return Draft202012Validator({**schema, "components": openapi["components"]})


def test_schema_is_openapi_3_and_limited_to_the_api(openapi, client):
    assert openapi["openapi"].startswith("3.1")
    assert set(openapi["paths"]) == {
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/sections/",
        "/api/v1/topics/",
        "/api/v1/experts/",
        "/api/v1/experts/{slug}/",
        "/api/v1/listings/",
        "/api/v1/listings/{slug}/",
        "/api/v1/preview/",
        "/api/v1/search/",
    } | {p for p in openapi["paths"] if p.endswith(("/related/", "/support/"))}
    assert set(openapi["components"]["schemas"]["BodyBlock"]["oneOf"][0]) == {"$ref"}
    assert openapi["components"]["schemas"]["BodyBlock"]["discriminator"]["propertyName"] == "type"
    assert client.get("/api/v1/schema/").status_code == 200


def test_docs_page_uses_local_assets(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200 and b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content


def test_real_responses_match_the_schema(api, content, openapi):
    page, listing, reviewer = content["page"], content["listing"], content["reviewer"]
    token = mint_preview_token(page.pk, page.latest_revision.pk)
    cases = [
        ("/api/v1/articles/", "/api/v1/articles/?topic=trust"),
        ("/api/v1/articles/{slug}/", f"/api/v1/articles/{page.slug}/?country=DE&near=52.5,13.4"),
        ("/api/v1/sections/", "/api/v1/sections/"),
        ("/api/v1/topics/", "/api/v1/topics/"),
        ("/api/v1/experts/", "/api/v1/experts/"),
        ("/api/v1/experts/{slug}/", f"/api/v1/experts/{reviewer.slug}/"),
        ("/api/v1/listings/", "/api/v1/listings/?near=52.5,13.4"),
        ("/api/v1/listings/{slug}/", f"/api/v1/listings/{listing.slug}/"),
        ("/api/v1/preview/", f"/api/v1/preview/?token={token}"),
        ("/api/v1/search/", "/api/v1/search/?q=schema+article&topic=trust"),
    ]
    for path, url in cases:
        response = api(url)
        assert response.status_code == 200, url
        errors = [
            e.message
            for e in validator_for(openapi, path, 200, "application/json").iter_errors(response.json())
        ]
        assert errors == [], (url, errors[:3])
        bad = api(url + ("&" if "?" in url else "?") + "bogus=1")
        assert bad.status_code == 400
        validator_for(openapi, path, 400, "application/problem+json").validate(bad.json())
    missing = api("/api/v1/articles/no-such-article/")
    validator_for(openapi, "/api/v1/articles/{slug}/", 404, "application/problem+json").validate(
        missing.json()
    )
    bundle = api(f"/api/v1/articles/{page.slug}/").json()
    assert {b["type"] for b in bundle["body"]} == {
        "heading",
        "paragraph",
        "quote",
        "citation",
        "safety_note",
        "faq",
        "find_support",
        "image",
    }


def test_a_response_that_breaks_the_schema_is_caught(api, content, openapi):
    body = api("/api/v1/articles/").json()
    body["results"][0]["review_status"] = "approved-ish"
    del body["results"][0]["slug"]
    assert (
        len(list(validator_for(openapi, "/api/v1/articles/", 200, "application/json").iter_errors(body))) == 2
    )


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def in_process_connections():
    """The in-process WSGI calls must not close pytest-django's connection (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_fuzz(case, content, in_process_connections):
    case.call_and_validate(
        headers={"Host": "localhost"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
