"""The OpenAPI ``webhooks`` section: every event type documented, and true of real deliveries."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator

from tests import factories
from webhooks.models import EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def request_validator(openapi: dict, event_type: str) -> Draft202012Validator:
    schema = openapi["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": openapi["components"]})


def test_every_event_type_is_documented_with_the_signature_headers(openapi):
    assert set(openapi["webhooks"]) == {choice.value for choice in EventType}
    for operations in openapi["webhooks"].values():
        headers = {p["name"] for p in operations["post"]["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_the_type_of_each_payload_is_its_event(openapi):
    for event_type in EventType:
        validator = request_validator(openapi, event_type.value)
        other = next(t for t in EventType if t != event_type)
        payload = {"type": other.value, "timestamp": "2026-12-04T10:00:00Z", "data": {}}
        assert any(e.path and e.path[0] == "type" for e in validator.iter_errors(payload))


def test_real_deliveries_match_the_schema(openapi, endpoint, receiver, django_capture_on_commit_callbacks):
    """Every event type once, through the real receivers; each payload is validated."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        article = factories.article(title="Validated article")
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        factories.expert_review(article, reviewed_at=now - datetime.timedelta(days=350))
    with django_capture_on_commit_callbacks(execute=True):
        other = factories.article(title="Overdue article")
    with django_capture_on_commit_callbacks(execute=True):
        factories.expert_review(other, reviewed_at=now - datetime.timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("deliver_webhooks", stdout=None)
    with django_capture_on_commit_callbacks(execute=True):
        other.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        factories.listing(name="Validated listing")

    seen = set()
    for request in receiver.received:
        payload = request.payload
        errors = [e.message for e in request_validator(openapi, payload["type"]).iter_errors(payload)]
        assert errors == [], (payload["type"], errors)
        seen.add(payload["type"])
    assert seen == {choice.value for choice in EventType}
