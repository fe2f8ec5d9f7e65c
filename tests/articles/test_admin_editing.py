"""The article editor for editors: the author filled in, panel order and labels, where "Submit"
leads, and the headings of the review pages."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.models import ArticlePage
from tests import factories
from tests.articles.admin_helpers import add_article_url, article_form_data, edit_url, editorial_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return editorial_team()


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def breadcrumbs(soup) -> list[str]:
    return [" ".join(li.get_text().split()) for li in soup.select(".w-breadcrumbs li")]


def author_input(soup):
    return soup.find("input", attrs={"name": "article_authors-0-person"})


class TestNewArticleForm:
    def test_the_signed_in_authors_person_is_the_first_author(self, client, team):
        team.author_person.user = team.author
        team.author_person.save()
        client.force_login(team.author)
        soup = soup_of(client.get(add_article_url(team.section)))
        assert author_input(soup)["value"] == str(team.author_person.pk)
        assert soup.find("input", attrs={"name": "article_authors-TOTAL_FORMS"})["value"] == "1"

    def test_no_person_linked_leaves_the_author_empty(self, client, team):
        client.force_login(team.author)
        soup = soup_of(client.get(add_article_url(team.section)))
        assert not author_input(soup).get("value")

    def test_editing_an_article_keeps_its_own_authors(self, client, team):
        team.author_person.user = team.editor
        team.author_person.save()
        other = factories.person("Other Writer")
        page = factories.article(team.section, "Existing piece", authors=(other,))
        client.force_login(team.editor)
        soup = soup_of(client.get(edit_url(page)))
        assert author_input(soup)["value"] == str(other.pk)

    def test_authors_come_before_the_hero_image_and_topics_are_called_topics(self, client, team):
        client.force_login(team.author)
        html = client.get(add_article_url(team.section)).content.decode()
        assert html.index('name="article_authors-TOTAL_FORMS"') < html.index('name="hero_image"')
        label = BeautifulSoup(html, "html.parser").find("label", attrs={"for": "id_topics"})
        assert " ".join(label.get_text().split()).startswith("Topics")
        assert "Tags" not in label.get_text()


class TestSubmitForReview:
    def test_submitting_a_new_article_returns_to_its_edit_page(self, client, team):
        client.force_login(team.author)
        data = article_form_data(
            title="Rebuilding trust", slug="rebuilding-trust", authors=[team.author_person]
        )
        response = client.post(add_article_url(team.section), {**data, "action-submit": "Submit"})
        page = ArticlePage.objects.get(slug="rebuilding-trust")
        assert response.status_code == 302 and response["Location"] == edit_url(page)
        assert page.workflow_in_progress

    def test_submitting_an_edit_returns_to_the_edit_page(self, client, team):
        client.force_login(team.author)
        data = article_form_data(
            title="Rebuilding trust", slug="rebuilding-trust", authors=[team.author_person]
        )
        client.post(add_article_url(team.section), data)
        page = ArticlePage.objects.get(slug="rebuilding-trust")
        data = article_form_data(
            title="Rebuilding trust", slug="rebuilding-trust", authors=[team.author_person], article=page
        )
        response = client.post(edit_url(page), {**data, "action-submit": "Submit"})
        assert response.status_code == 302 and response["Location"] == edit_url(page)

    def test_saving_a_draft_keeps_wagtails_own_redirect(self, client, team):
        client.force_login(team.author)
        data = article_form_data(
            title="Rebuilding trust", slug="rebuilding-trust", authors=[team.author_person]
        )
        response = client.post(add_article_url(team.section), data)
        page = ArticlePage.objects.get(slug="rebuilding-trust")
        assert response.status_code == 302 and response["Location"] == edit_url(page)
        assert not page.workflow_in_progress


class TestReviewPageHeadings:
    def test_review_status_page_is_headed_review_status(self, client, team):
        client.force_login(team.editor)
        soup = soup_of(client.get(reverse("articles_review_status")))
        assert soup.find("h1").get_text(strip=True) == "Review status"
        # The visible header is the breadcrumb trail: it ended at "Home" before.
        assert breadcrumbs(soup) == ["Home", "Review status"]

    def test_override_page_names_itself_and_the_article(self, admin_client, team):
        page = factories.article(team.section, "Override me")
        soup = soup_of(admin_client.get(reverse("articles_publish_override", args=(page.pk,))))
        trail = breadcrumbs(soup)
        assert trail[:2] == ["Home", "Review status"]
        assert trail[2].startswith("Publish without expert review") and "Override me" in trail[2]
