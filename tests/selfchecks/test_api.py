"""``/api/v1/self-checks/``: list, definition, and scoring without storing anything."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.models import ListingType
from tests import factories

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def check():
    trust = factories.topic("Trust and betrayal")
    factories.listing("Couples Practice", specialties=(trust,), country="DE", offers_online=True)
    factories.listing("Lifeline", type_name="Crisis helpline", country="DE", offers_online=True)
    ListingType.objects.filter(name="Crisis helpline").update(is_crisis_resource=True)
    bands = [
        {"min_score": 0, "max_score": 1, "label": "Steady", "message": "Steady."},
        {
            "min_score": 2,
            "max_score": 4,
            "label": "Strain",
            "message": "Strain.",
            "concerns": [trust],
            "suggests_support": True,
        },
    ]
    return factories.self_check("trust-check", title="Trust lately", bands=bands)


def _post(client, slug, body, query=""):
    return client.post(
        f"/api/v1/self-checks/{slug}/score/{query}", json.dumps(body), content_type="application/json"
    )


def _answers(check, picks):
    return {q.id: q.options[i].id for q, i in zip(check.definition.questions, picks, strict=True)}


class TestDefinition:
    def test_the_list_shows_published_checks(self, client, check):
        factories.self_check("hidden", live=False)
        body = client.get("/api/v1/self-checks/").json()
        assert [c["slug"] for c in body["results"]] == ["trust-check"]
        assert body["results"][0]["question_count"] == 2
        assert body["results"][0]["kind_label"] == "Reflective check, not a validated instrument"

    def test_the_definition_carries_questions_options_and_bands(self, client, check):
        body = client.get("/api/v1/self-checks/trust-check/").json()
        assert body["score_range"] == {"min": 0, "max": 4}
        assert [o["label"] for o in body["questions"][1]["options"]] == ["Yes", "Mostly", "No"]
        assert body["questions"][1]["options"][2]["is_crisis_answer"] is True
        assert body["bands"][1]["concerns"] == [{"slug": "trust-and-betrayal", "name": "Trust and betrayal"}]
        assert body["not_diagnosis"].startswith("This is a reflective check, not a diagnosis.")

    def test_an_unknown_or_unpublished_check_is_a_problem_404(self, client):
        factories.self_check("hidden", live=False)
        response = client.get("/api/v1/self-checks/hidden/")
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM

    def test_editing_a_check_changes_the_list(self, client, check):
        assert client.get("/api/v1/self-checks/").json()["results"][0]["title"] == "Trust lately"
        check.title = "Trust, these days"
        check.save()
        assert client.get("/api/v1/self-checks/").json()["results"][0]["title"] == "Trust, these days"


class TestScoring:
    def test_answers_give_the_band_message_and_suggestions(self, client, check):
        response = _post(client, "trust-check", {"answers": _answers(check, [2, 1])}, "?country=DE")
        body = response.json()
        assert response.status_code == 200
        assert (body["score"], body["band"]["label"], body["crisis"]) == (3, "Strain", False)
        assert body["crisis_message"] is None and body["crisis_resources"] == []
        assert [s["listing"]["name"] for s in body["suggestions"]] == ["Couples Practice"]
        assert body["context"]["country"] == "DE"

    def test_a_crisis_answer_returns_crisis_resources_apart_and_the_message(self, client, check):
        body = _post(client, "trust-check", {"answers": _answers(check, [0, 2])}, "?country=DE").json()
        assert body["crisis"] is True
        assert body["crisis_message"].startswith("If you are thinking about harming yourself")
        assert [s["listing"]["name"] for s in body["crisis_resources"]] == ["Lifeline"]

    def test_the_score_is_never_cached_and_nothing_is_written(self, client, check):
        answers = _answers(check, [1, 1])
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, "trust-check", {"answers": answers})
        assert response.status_code == 200
        assert {"no-store", "private"} <= {p.strip() for p in response["Cache-Control"].split(",")}
        assert not [q for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", q["sql"], re.I)]

    @pytest.mark.parametrize(
        ("body", "names"),
        [
            ({}, ["answers"]),
            ({"answers": []}, ["answers"]),
            ({"answers": {}, "extra": 1}, ["extra"]),
        ],
    )
    def test_a_malformed_body_is_a_400_naming_the_field(self, client, check, body, names):
        response = _post(client, "trust-check", body)
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM
        assert [e["name"] for e in response.json()["errors"]] == names

    def test_missing_and_unknown_questions_and_options_are_named(self, client, check):
        first, second = check.definition.questions
        response = _post(
            client, "trust-check", {"answers": {first.id: "nope", "ghost": second.options[0].id}}
        )
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM
        errors = {e["name"]: e["reason"] for e in response.json()["errors"]}
        assert errors == {
            "answers.ghost": "no such question in this self-check",
            f"answers.{first.id}": "not one of this question's options",
            f"answers.{second.id}": "answer this question",
        }

    def test_invalid_json_is_a_problem_400(self, client, check):
        response = client.post(
            "/api/v1/self-checks/trust-check/score/", "{not json", content_type="application/json"
        )
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM

    def test_a_bad_context_parameter_is_named(self, client, check):
        response = _post(client, "trust-check", {"answers": _answers(check, [0, 0])}, "?country=XX1")
        assert [e["name"] for e in response.json()["errors"]] == ["country"]

    def test_get_on_the_score_endpoint_is_not_allowed(self, client, check):
        assert client.get("/api/v1/self-checks/trust-check/score/").status_code == 405


class TestInTheArticleBundle:
    def test_the_bundle_carries_the_embedded_check_as_a_card(self, client, check):
        hidden = factories.self_check("hidden", live=False)
        page = factories.article(
            title="Rebuilding trust",
            body=[
                ("self_check", {"self_check": check, "heading": ""}),
                ("self_check", {"self_check": hidden, "heading": "Never shown"}),
            ],
        )
        body = client.get(f"/api/v1/articles/{page.slug}/").json()["body"]
        blocks = [b for b in body if b["type"] == "self_check"]
        assert len(blocks) == 1
        assert blocks[0]["value"]["heading"] == "Trust lately"
        assert blocks[0]["value"]["self_check"]["url_path"] == "/self-checks/trust-check/"
        assert blocks[0]["value"]["self_check"]["question_count"] == 2
