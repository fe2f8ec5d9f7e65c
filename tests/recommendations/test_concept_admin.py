"""Editors manage the concept vocabulary as snippets: list, add with fits, and a form error for a
concept made broader than itself."""

import pytest
from django.urls import reverse

from recommendations.models import Concept
from tests import factories
from tests.articles.admin_helpers import editorial_team
from tests.experts.test_admin import edit_form_data

pytestmark = pytest.mark.django_db


def url(view: str, *args) -> str:
    return reverse(f"wagtailsnippets_recommendations_concept:{view}", args=args)


@pytest.fixture
def editor(client):
    team = editorial_team()
    client.force_login(team.editor)
    return team


def test_editors_list_and_open_the_add_form(client, editor):
    Concept.objects.create(name="Grief after loss")
    assert "Grief after loss" in client.get(url("list")).content.decode()
    assert client.get(url("add")).status_code == 200


def test_editor_adds_a_narrower_concept_with_topics(client, editor):
    parent = Concept.objects.create(name="Relationship worries")
    topic = factories.topic("Jealousy")
    data = edit_form_data(client, url("add"))
    data["name"] = "Jealousy concerns"
    data.setlist("broader", [str(parent.pk)])
    data.setlist("topics", [str(topic.pk)])
    response = client.post(url("add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    concept = Concept.objects.get(name="Jealousy concerns")
    assert list(concept.broader.all()) == [parent]
    assert list(concept.topics.all()) == [topic]


def test_a_concept_made_broader_than_itself_is_a_form_error(client, editor):
    concept = Concept.objects.create(name="Loops", synonyms="circles")
    data = edit_form_data(client, url("edit", concept.pk))
    data.setlist("broader", [str(concept.pk)])
    response = client.post(url("edit", concept.pk), data)
    assert response.status_code == 200
    assert "cannot be broader than itself" in response.content.decode()
    assert list(Concept.objects.get(pk=concept.pk).broader.all()) == []
