"""Editors write self-checks in the admin and place them in articles."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from articles.roles import EDITORS, setup_roles
from selfchecks.models import SelfCheck
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    factories.home_page()
    setup_roles()
    user = factories.user("editor", groups=(EDITORS,))
    client.force_login(user)
    return user


def _question(text, *options):
    return {
        "text": text,
        "help_text": "",
        "options": streamfield(
            [
                ("item", {"label": label, "score": str(score), "is_crisis_answer": crisis})
                for label, score, crisis in options
            ]
        ),
    }


def _band(lo, hi, label, concerns=()):
    return {
        "min_score": str(lo),
        "max_score": str(hi),
        "label": label,
        "message": f"{label}: what it may mean.",
        "next_step": "",
        "concerns": streamfield([("item", str(t.pk)) for t in concerns]),
        "suggests_support": bool(concerns),
        "shows_crisis_resources": "",
    }


def _form(bands, **extra):
    data = {
        "title": "How is trust feeling lately?",
        "slug": "trust-lately",
        "kind": "reflective",
        "intro": "A few questions about trust.",
        "not_diagnosis": "This is a reflective check, not a diagnosis.",
        "questions": streamfield(
            [
                (
                    "question",
                    _question("I can relax around my partner.", ("Often", 0, ""), ("Rarely", 2, "")),
                ),
                ("question", _question("I feel safe at home.", ("Yes", 0, ""), ("No", 2, "on"))),
            ]
        ),
        "bands": streamfield([("band", band) for band in bands]),
        "crisis_message": "Contact a crisis service now.",
        "source": "",
        "licence": "",
        "live": "on",
    }
    data.update(extra)
    return nested_form_data(data)


ADD_URL = reverse("wagtailsnippets_selfchecks_selfcheck:add")


class TestEditorWritesOne:
    def test_an_editor_creates_a_self_check_through_the_admin_form(self, client, editor):
        trust = factories.topic("Trust and betrayal")
        response = client.post(ADD_URL, _form([_band(0, 1, "Steady"), _band(2, 4, "Strained", [trust])]))
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        check = SelfCheck.objects.get(slug="trust-lately")
        data = check.definition
        assert [q.text for q in data.questions] == ["I can relax around my partner.", "I feel safe at home."]
        assert data.questions[1].options[1].is_crisis_answer is True
        assert data.score_range == (0, 4)
        assert [b.label for b in data.bands] == ["Steady", "Strained"]
        assert list(data.bands[1].concerns) == [trust]

    def test_bands_with_a_gap_are_a_form_error_and_nothing_is_saved(self, client, editor):
        response = client.post(ADD_URL, _form([_band(0, 1, "Steady"), _band(3, 4, "Strained")]))
        assert response.status_code == 200
        assert "No band covers the scores 2 to 2." in response.content.decode()
        assert not SelfCheck.objects.exists()

    def test_overlapping_bands_are_a_form_error(self, client, editor):
        response = client.post(ADD_URL, _form([_band(0, 2, "Steady"), _band(2, 4, "Strained")]))
        assert "overlaps another band on 2 to 2" in response.content.decode()
        assert not SelfCheck.objects.exists()

    def test_a_question_with_one_option_is_a_form_error(self, client, editor):
        data = _form([_band(0, 2, "All")])
        data.update(
            nested_form_data(
                {
                    "questions": streamfield(
                        [
                            ("question", _question("Only one way to answer", ("Yes", 0, ""))),
                            ("question", _question("Two ways", ("Yes", 0, ""), ("No", 2, ""))),
                        ]
                    )
                }
            )
        )
        response = client.post(ADD_URL, data)
        assert response.status_code == 200
        assert not SelfCheck.objects.exists()
        error = response.context["form"].errors["questions"].as_data()[0]
        options_error = error.block_errors[0].block_errors["options"]
        assert "The minimum number of items is 2" in str(options_error.non_block_errors)


class TestPlacedInAnArticle:
    def test_the_article_embeds_the_form_posting_to_the_check(self, client):
        check = factories.self_check("trust-check", title="Trust lately")
        page = factories.article(
            title="Rebuilding trust",
            body=[
                ("paragraph", "<p>Words.</p>"),
                ("self_check", {"self_check": check, "heading": "Check in with yourself"}),
            ],
        )
        html = client.get(page.url).content.decode()
        assert "Check in with yourself" in html
        assert 'action="/self-checks/trust-check/"' in html and 'method="post"' in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert f'name="return_to" value="{page.url}"' in html
        assert 'href="/self-checks/">See all' in html
        assert "This is a reflective check, not a diagnosis." in html

    def test_an_unpublished_check_is_left_out_of_the_article(self, client):
        check = factories.self_check("later", title="Not yet", live=False)
        page = factories.article(
            title="Rebuilding", body=[("self_check", {"self_check": check, "heading": ""})]
        )
        assert "Not yet" not in client.get(page.url).content.decode()
