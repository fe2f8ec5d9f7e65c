"""The OpenAPI schema: served, valid, and true of every endpoint's real responses.

``test_real_responses_match_the_schema`` validates actual responses of every endpoint (success and
error) against the component schemas with ``jsonschema``; ``test_schemathesis_finds_nothing`` runs
schemathesis with every check and phase (bounded) against a live server; the committed copy of the
schema (``docs/openapi.json``) must equal the live one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator

from tests import factories
from tests.api.conftest import rich_body
from website.api.articles.preview import mint_preview_token

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
        "/api/v1/",
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
        "/api/v1/self-checks/",
        "/api/v1/self-checks/{slug}/",
        "/api/v1/self-checks/{slug}/score/",
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


# Bounded so the suite stays quick; every phase and every check still runs against every operation.
SCHEMATHESIS_EXAMPLES = 8


# serialized_rollback: an earlier transactional test on this worker may have flushed the tree root.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_nothing(live_server, content, tmp_path):
    """schemathesis' own runner, as a front-end team would run it: all checks (positive and
    negative data, headers, status codes, media types, unsupported methods…) in every phase, the
    stateful one included (links between operations are inferred from the responses)."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url}/api/v1/schema/?format=json",
        "--checks=all",
        "--phases=examples,coverage,fuzzing,stateful",
        f"--max-examples={SCHEMATHESIS_EXAMPLES}",
        "--seed=15",
        "--workers=1",
        "--generation-database=none",
        f"--report-dir={tmp_path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "Stateful" in result.stdout and "failures" not in result.stdout.split("SUMMARY")[-1]


def test_committed_schema_is_the_live_one(client, db):
    """``docs/openapi.json`` is the contract under review: a change to it is a visible diff."""
    committed = (Path(settings.BASE_DIR) / "docs" / "openapi.json").read_text()
    live = client.get("/api/v1/schema/?format=json").content.decode()
    assert live == committed, "the schema changed: run `make schema` and commit docs/openapi.json"
