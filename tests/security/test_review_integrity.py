"""What "Expert-Reviewed by" rests on: who may link a login to a person, who may approve which step.

Driven through the real admin views (snippet edit form, the login-change view, workflow actions),
judged by what ends up in the database.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from articles.models import ExpertReview
from experts.logins import LoginChangeRefused, change_login
from experts.models import Person, PersonLoginChange
from tests import factories
from tests.articles.admin_helpers import edit_url, editorial_team, workflow_action_url
from tests.articles.test_workflow import APPROVAL, submit_new_article
from tests.experts.test_admin import edit_form_data, snippet_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return editorial_team()


def login_url(person) -> str:
    return reverse("experts_person_login", args=(person.pk,))


class TestLinkingALogin:
    def test_editor_cannot_link_their_login_through_the_person_form(self, client, team):
        client.force_login(team.editor)
        url = snippet_url("person", "edit", team.reviewer.pk)
        data = edit_form_data(client, url)
        assert "user" not in data
        data["user"] = str(team.editor.pk)  # as a crafted POST would
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:1500]
        team.reviewer.refresh_from_db()
        assert team.reviewer.user == team.reviewer_login
        assert not PersonLoginChange.objects.exists()

    def test_editor_cannot_open_the_login_change_view(self, client, team):
        client.force_login(team.editor)
        response = client.post(login_url(team.reviewer), {"user": str(team.editor.pk), "reason": "mine"})
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        team.reviewer.refresh_from_db()
        assert team.reviewer.user == team.reviewer_login

    def test_administrator_change_is_audited_and_shown_on_the_person(self, client, team):
        admin = factories.user("ada", superuser=True)
        newcomer = factories.user("rhea-new")
        client.force_login(admin)
        response = client.post(login_url(team.reviewer), {"user": str(newcomer.pk), "reason": "New account"})
        assert response.status_code == 302
        team.reviewer.refresh_from_db()
        assert team.reviewer.user == newcomer
        assert team.reviewer.user_linked_at is not None
        change = PersonLoginChange.objects.get(person=team.reviewer)
        assert (change.changed_by, change.changed_by_username) == (admin, "ada")
        assert (change.old_username, change.new_username, change.reason) == (
            "rhea",
            "rhea-new",
            "New account",
        )
        page = client.get(snippet_url("person", "edit", team.reviewer.pk)).content.decode()
        assert "rhea-new" in page and "New account" in page and "data-login-change" in page

    def test_change_needs_a_reason(self, client, team):
        client.force_login(factories.user("ada", superuser=True))
        response = client.post(login_url(team.reviewer), {"user": "", "reason": " "})
        assert response.status_code == 200 and "This field is required" in response.content.decode()
        team.reviewer.refresh_from_db()
        assert team.reviewer.user == team.reviewer_login

    def test_login_cannot_change_while_the_person_has_an_open_review(self, client, team):
        page = submit_new_article(client, team)
        admin = factories.user("ada", superuser=True)
        client.force_login(admin)
        response = client.post(login_url(team.reviewer), {"user": str(admin.pk), "reason": "Covering"})
        assert response.status_code == 200
        assert "1 article(s) in review" in response.content.decode()
        team.reviewer.refresh_from_db()
        assert team.reviewer.user == team.reviewer_login
        assert not PersonLoginChange.objects.exists()
        assert page.current_workflow_state.status == "in_progress"

    def test_only_superusers_may_call_the_service(self, team):
        with pytest.raises(LoginChangeRefused, match="Only an administrator"):
            change_login(team.reviewer, team.editor, by=team.editor, reason="because")


class TestApprovingTheExpertStep:
    def test_login_linked_after_the_review_started_cannot_approve(self, client, team):
        """The reported attack: the link is changed (here by the shell) once the review is open."""
        page = submit_new_article(client, team)
        Person.objects.filter(pk=team.reviewer.pk).update(user=None)
        person = Person.objects.get(pk=team.reviewer.pk)
        person.user = team.editor
        person.save()
        client.force_login(team.editor)
        html = client.get(edit_url(page)).content.decode()
        assert "after this review started" in html
        response = client.post(workflow_action_url(page, "approve"), APPROVAL)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        assert not ExpertReview.objects.exists()
        page.refresh_from_db()
        assert page.current_workflow_task.name == "Expert review"

    def test_link_dated_after_the_task_start_is_refused_by_record_review(self, client, team):
        from articles.reviews import ReviewError, record_review

        page = submit_new_article(client, team)
        task_state = page.current_workflow_task_state
        Person.objects.filter(pk=team.reviewer.pk).update(
            user_linked_at=task_state.started_at + datetime.timedelta(seconds=1)
        )
        with pytest.raises(ReviewError, match="after this review started"):
            record_review(task_state, team.reviewer_login, summary="Fine.")
        assert not ExpertReview.objects.exists()

    def test_reviewer_who_wrote_the_article_cannot_approve(self, client, team):
        """Finding 5: the expert is an author of the revision under review."""
        client.force_login(team.author)
        from articles.models import ArticlePage
        from tests.articles.admin_helpers import add_article_url, article_form_data

        data = article_form_data(title="Own work", slug="own-work", authors=[team.reviewer])
        client.post(add_article_url(team.section), {**data, "action-submit": "Submit"})
        page = ArticlePage.objects.get(slug="own-work")
        client.force_login(team.reviewer_login)
        html = client.get(edit_url(page)).content.decode()
        assert "is an author of this article and cannot approve its expert review" in html
        response = client.post(workflow_action_url(page, "approve"), APPROVAL)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        assert not ExpertReview.objects.exists()
        # Requesting changes stays open to them.
        client.post(workflow_action_url(page, "reject"), {"comment": "Someone else should review this."})
        page.refresh_from_db()
        assert page.current_workflow_state.status == "needs_changes"


class TestSeparationOfDuties:
    def test_expert_approver_cannot_also_approve_the_editor_step(self, client, team):
        """One account approving both steps (here a reviewer who is also an editor)."""
        from django.contrib.auth.models import Group

        from articles.roles import EDITORS

        team.reviewer_login.groups.add(Group.objects.get(name=EDITORS))
        page = submit_new_article(client, team)
        client.force_login(team.reviewer_login)
        assert client.post(workflow_action_url(page, "approve"), APPROVAL).status_code == 302
        page.refresh_from_db()
        assert page.current_workflow_task.name == "Editor approval"

        html = client.get(edit_url(page)).content.decode()
        assert "another editor must approve this one" in html
        response = client.post(workflow_action_url(page, "approve"), {"comment": ""})
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
        page.refresh_from_db()
        assert not page.live and page.current_workflow_task.name == "Editor approval"

        client.force_login(team.editor)
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
        page.refresh_from_db()
        assert page.live
        finishers = set(TaskState.objects.filter(status="approved").values_list("finished_by", flat=True))
        assert finishers == {team.reviewer_login.pk, team.editor.pk}


def test_login_link_time_is_stamped_whatever_changes_it(team):
    person = factories.person("Ivo Brandt", reviewer=True)
    assert person.user_linked_at is None
    before = timezone.now()
    person.user = factories.user("ivo")
    person.save()
    person.refresh_from_db()
    assert person.user_linked_at >= before
    person.user = None
    person.save(update_fields=["user"])
    person.refresh_from_db()
    assert person.user_linked_at is None
