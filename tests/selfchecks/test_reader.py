"""Readers taking a self-check without JavaScript: a form post answered with the result page."""

import logging
import re

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from website.freshness import content_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_with_support():
    trust = factories.topic("Trust and betrayal")
    factories.listing("Couples Practice", specialties=(trust,), country="DE", offers_online=True)
    factories.listing("Other Country Practice", specialties=(trust,), country="FR")
    factories.listing(
        "Lifeline Berlin",
        type_name="Crisis helpline",
        country="DE",
        offers_online=True,
        offers_in_person=False,
    )
    from experts.models import ListingType

    ListingType.objects.filter(name="Crisis helpline").update(is_crisis_resource=True)
    bands = [
        {"min_score": 0, "max_score": 1, "label": "Steady", "message": "Things seem steady."},
        {
            "min_score": 2,
            "max_score": 3,
            "label": "Some strain",
            "message": "There is some strain.",
            "next_step": "Talk it through.",
            "concerns": [trust],
            "suggests_support": True,
        },
        {
            "min_score": 4,
            "max_score": 4,
            "label": "Heavy strain",
            "message": "A lot of strain.",
            "concerns": [trust],
            "suggests_support": True,
        },
    ]
    return factories.self_check("trust-check", bands=bands)


def _ids(self_check):
    data = self_check.definition
    return [(q.id, [o.id for o in q.options]) for q in data.questions]


def _answers(self_check, picks):
    return {f"answer-{qid}": options[i] for (qid, options), i in zip(_ids(self_check), picks, strict=True)}


def _take(client, self_check, picks, **extra):
    page = client.get(self_check.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(
        self_check.get_absolute_url(), {"csrfmiddlewaretoken": token, **_answers(self_check, picks)}, **extra
    )


class TestTakingIt:
    def test_the_page_shows_every_question_and_the_not_a_diagnosis_line(self, client, check_with_support):
        response = client.get("/self-checks/trust-check/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "How often do you feel uneasy?" in html and "Do you feel safe at home?" in html
        assert "This is a reflective check, not a diagnosis." in html
        assert html.count('type="radio"') == 6

    def test_a_form_post_with_csrf_returns_the_band_message_and_suggestions(self, check_with_support):
        client = Client(enforce_csrf_checks=True, HTTP_CF_IPCOUNTRY="DE")
        response = _take(client, check_with_support, [2, 0])  # 2 + 0 = "Some strain"
        html = response.content.decode()
        assert response.status_code == 200
        assert "Some strain" in html and "There is some strain." in html and "Talk it through." in html
        assert "This is a reflective check, not a diagnosis." in html
        assert "Couples Practice" in html
        assert "Other Country Practice" not in html  # the reader's country narrows, as on articles
        assert "Support right now" not in html and "Lifeline Berlin" not in html
        assert 'href="/find-support/?concern=trust-and-betrayal&amp;country=DE"' in html

    def test_a_suggested_listing_shows_its_photo_with_the_cards_rendition(self, check_with_support):
        """The engine's suggestions are card rows: the result page loads their images itself."""
        from experts.models import Listing

        photo = factories.image("Couples Practice logo")
        Listing.objects.filter(name="Couples Practice").update(image=photo)
        content_changed()
        client = Client(HTTP_CF_IPCOUNTRY="DE")
        html = _take(client, check_with_support, [2, 0]).content.decode()
        card = BeautifulSoup(html, "html.parser").select_one(".find-support .listing-card")
        assert card.select_one(".card-title").get_text() == "Couples Practice"
        assert card.select_one("img.card-photo")["src"] == photo.get_rendition("fill-96x96").url

    def test_a_post_without_the_csrf_token_is_refused(self, check_with_support):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/self-checks/trust-check/", _answers(check_with_support, [0, 0]))
        assert response.status_code == 403

    def test_a_low_band_without_support_shows_no_suggestions(self, client, check_with_support):
        html = _take(client, check_with_support, [0, 0]).content.decode()
        assert "Steady" in html and "Couples Practice" not in html and "Find support" not in html

    def test_a_crisis_answer_puts_crisis_resources_first(self, check_with_support):
        client = Client(HTTP_CF_IPCOUNTRY="DE")
        html = _take(
            client, check_with_support, [0, 2]
        ).content.decode()  # 0 + 2 = Some strain, "No" is a crisis answer
        crisis, band, practice = (
            html.index("Support right now"),
            html.index("There is some strain."),
            html.index("Couples Practice"),
        )
        assert html.index("Lifeline Berlin") < band < practice
        assert crisis < band
        assert "If you are thinking about harming yourself" in html

    def test_missing_answers_show_the_form_again_with_an_error_per_question(self, client, check_with_support):
        (first_id, first_options), _ = _ids(check_with_support)
        response = client.post("/self-checks/trust-check/", {f"answer-{first_id}": first_options[1]})
        html = response.content.decode()
        assert response.status_code == 400
        assert html.count("Answer this question.") == 1
        assert f'value="{first_options[1]}" checked' in html

    def test_an_unknown_option_is_an_error_not_a_500(self, client, check_with_support):
        (first_id, _), (second_id, second_options) = _ids(check_with_support)
        response = client.post(
            "/self-checks/trust-check/",
            {f"answer-{first_id}": "bogus", f"answer-{second_id}": second_options[0]},
        )
        assert response.status_code == 400
        assert "Not one of this question&#x27;s options." in response.content.decode()

    def test_an_unpublished_check_is_not_found(self, client):
        factories.self_check("hidden", live=False)
        assert client.get("/self-checks/hidden/").status_code == 404

    def test_the_index_lists_published_checks_only(self, client, check_with_support):
        factories.self_check("hidden", title="Hidden check", live=False)
        html = client.get("/self-checks/").content.decode()
        assert check_with_support.title in html and "Hidden check" not in html

    def test_the_return_link_goes_back_to_a_local_article_only(self, client, check_with_support):
        answers = _answers(check_with_support, [0, 0])
        local = client.post("/self-checks/trust-check/", {**answers, "return_to": "/a/b/"}).content.decode()
        foreign = client.post(
            "/self-checks/trust-check/", {**answers, "return_to": "//evil.example/"}
        ).content.decode()
        assert 'href="/a/b/">Back to the article' in local
        assert "evil.example" not in foreign


class TestLeavesNoTrace:
    def _row_counts(self):
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }

    def test_taking_it_writes_nothing_and_logs_no_answer(self, check_with_support, caplog):
        client = Client(enforce_csrf_checks=True, HTTP_CF_IPCOUNTRY="DE")
        page = client.get(check_with_support.get_absolute_url())
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        answers = _answers(check_with_support, [0, 2])  # includes the crisis answer
        before = self._row_counts()
        caplog.set_level(logging.DEBUG)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                check_with_support.get_absolute_url(), {"csrfmiddlewaretoken": token, **answers}
            )
        assert response.status_code == 200 and "Some strain" in response.content.decode()
        writes = [
            q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", q["sql"], re.I)
        ]
        assert writes == []
        assert self._row_counts() == before
        logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
        for option_id in answers.values():
            assert option_id not in logged
        assert "sessionid" not in response.cookies

    def test_the_result_is_never_cached(self, client, check_with_support):
        response = _take(client, check_with_support, [1, 1])
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control

    def test_errors_are_never_cached_either(self, client, check_with_support):
        response = client.post("/self-checks/trust-check/", {})
        assert "no-store" in response["Cache-Control"]

    def test_answers_are_not_accepted_in_the_url(self, client, check_with_support):
        query = "&".join(f"{k}={v}" for k, v in _answers(check_with_support, [2, 2]).items())
        html = client.get(f"/self-checks/trust-check/?{query}").content.decode()
        assert "Heavy strain" not in html and "Your result" not in html
