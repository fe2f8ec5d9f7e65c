"""The expert-review workflow end to end, through the real Wagtail admin views.

Author submits from the editor → expert reviewer approves with a summary → the ExpertReview is
pinned to the revision → editor approves the last step, which publishes → the byline is set.
"""

import pytest
from django.urls import reverse

from articles.models import ArticlePage, ExpertReview, ExpertReviewTask
from articles.roles import EXPERT_TASK_NAME, REVIEWERS, sync_reviewers
from tests import factories
from tests.articles.admin_helpers import (
    add_article_url,
    article_form_data,
    edit_url,
    editorial_team,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

APPROVAL = {
    "summary": "Accurate on attachment research; the safety advice is sound.",
    "conflict_of_interest": "",
    "confirm_no_undeclared_conflict": "on",
}


@pytest.fixture
def team():
    return editorial_team()


def submit_new_article(client, team, slug="rebuilding-trust", body_html="<p>Trust is rebuilt slowly.</p>"):
    client.force_login(team.author)
    data = article_form_data(
        title="Rebuilding trust", slug=slug, authors=[team.author_person], body_html=body_html
    )
    response = client.post(add_article_url(team.section), {**data, "action-submit": "Submit for moderation"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ArticlePage.objects.get(slug=slug)


def test_full_flow_from_author_submission_to_published_byline(client, team):
    page = submit_new_article(client, team)
    assert page.owner == team.author
    assert not page.live
    assert isinstance(page.current_workflow_task.specific, ExpertReviewTask)
    submitted_revision = page.get_latest_revision()

    # The reviewer opens the editor (not normally theirs) and approves with a summary.
    client.force_login(team.reviewer_login)
    assert client.get(edit_url(page)).status_code == 200
    response = client.post(workflow_action_url(page, "approve"), APPROVAL)
    assert response.status_code == 302

    review = ExpertReview.objects.get(article=page)
    assert review.revision_id == submitted_revision.pk
    assert review.reviewer == team.reviewer
    assert review.reviewed_by_user == team.reviewer_login
    assert review.summary == APPROVAL["summary"]
    assert review.source == ExpertReview.Source.WORKFLOW
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Editor approval"
    # Not live yet: no byline until the reviewed content is published.
    assert not page.live
    assert page.last_review is None

    client.force_login(team.editor)
    response = client.post(workflow_action_url(page, "approve"), {"comment": ""})
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.live
    assert not page.workflow_in_progress
    assert page.live_revision_id == submitted_revision.pk
    assert page.last_review == review
    assert page.last_review.reviewer.display_name == "Dr. Rhea Okafor"
    assert page.review_status == "reviewed"
    assert page.review_due_at is not None


def test_approval_needs_a_summary_and_the_declaration(client, team):
    page = submit_new_article(client, team)
    client.force_login(team.reviewer_login)
    modal = client.get(workflow_action_url(page, "approve"))
    assert "summary" in modal.json()["html"] and "conflict_of_interest" in modal.json()["html"]

    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    response = client.post(workflow_action_url(page, "approve"), {**APPROVAL, "summary": "  "}, **xhr)
    assert "This field is required" in response.json()["html"]
    response = client.post(
        workflow_action_url(page, "approve"), {**APPROVAL, "confirm_no_undeclared_conflict": ""}, **xhr
    )
    assert "This field is required" in response.json()["html"]

    assert not ExpertReview.objects.exists()
    page.refresh_from_db()
    assert page.current_workflow_task.name == EXPERT_TASK_NAME


def test_declared_conflict_is_kept_on_the_review(client, team):
    page = submit_new_article(client, team)
    client.force_login(team.reviewer_login)
    client.post(
        workflow_action_url(page, "approve"), {**APPROVAL, "conflict_of_interest": "Consults for a clinic."}
    )
    assert ExpertReview.objects.get(article=page).conflict_of_interest == "Consults for a clinic."


def test_request_changes_needs_a_comment_and_sends_the_article_back(client, team):
    page = submit_new_article(client, team)
    client.force_login(team.reviewer_login)
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    response = client.post(workflow_action_url(page, "reject"), {"comment": ""}, **xhr)
    assert "This field is required" in response.json()["html"]
    page.refresh_from_db()
    assert page.current_workflow_state.status == "in_progress"

    client.post(workflow_action_url(page, "reject"), {"comment": "Cite the 2019 meta-analysis."})
    page.refresh_from_db()
    assert page.current_workflow_state.status == "needs_changes"
    assert page.current_workflow_state.current_task_state.comment == "Cite the 2019 meta-analysis."
    assert not ExpertReview.objects.exists()
    # The author can edit again.
    client.force_login(team.author)
    assert client.get(edit_url(page)).status_code == 200


def assert_denied(response):
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


def test_only_the_tasks_reviewers_can_act(client, team):
    page = submit_new_article(client, team)
    other_login = factories.user("other-reviewer", groups=(REVIEWERS,))
    factories.person("Not On The Task", reviewer=True, user=other_login)
    task = ExpertReviewTask.objects.get(name=EXPERT_TASK_NAME)
    task.reviewers.set([team.reviewer])
    client.force_login(other_login)
    assert_denied(client.post(workflow_action_url(page, "approve"), APPROVAL))
    # Neither can the editor act on the expert step: the expert's approval is the expert's.
    client.force_login(team.editor)
    assert_denied(client.post(workflow_action_url(page, "approve"), APPROVAL))
    assert not ExpertReview.objects.exists()
    page.refresh_from_db()
    assert page.current_workflow_task.name == EXPERT_TASK_NAME


def test_reviewer_dropped_from_the_roster_loses_the_task(client, team):
    page = submit_new_article(client, team)
    team.reviewer.is_reviewer = False
    team.reviewer.save()
    sync_reviewers()
    client.force_login(team.reviewer_login)
    assert_denied(client.post(workflow_action_url(page, "approve"), APPROVAL))


def test_later_published_change_shows_changed_since_review(client, team):
    page = submit_new_article(client, team)
    client.force_login(team.reviewer_login)
    client.post(workflow_action_url(page, "approve"), APPROVAL)
    client.force_login(team.editor)
    client.post(workflow_action_url(page, "approve"), {"comment": ""})
    page.refresh_from_db()
    review = page.last_review
    assert page.review_status == "reviewed"

    data = article_form_data(
        title=page.title,
        slug=page.slug,
        authors=[team.author_person],
        article=page,
        body_html="<p>Trust is rebuilt slowly, and this sentence is new.</p>",
    )
    response = client.post(edit_url(page), {**data, "action-publish": "Publish"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.last_review == review  # the byline still names who reviewed, the status tells the truth
    assert page.review_status == "changed_since_review"


def test_reviewer_acting_from_the_editor_lands_on_the_dashboard_not_a_refusal(client, team):
    page = submit_new_article(client, team, slug="from-the-editor")
    client.force_login(team.reviewer_login)
    edit_data = article_form_data(
        title="Rebuilding trust", slug="from-the-editor", authors=[team.author_person], article=page
    )
    response = client.post(
        edit_url(page),
        {
            **edit_data,
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
            "workflow-action-extra-data": '{"summary": "Sound and careful.", "conflict_of_interest": ""}',
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert ExpertReview.objects.filter(article=page, summary="Sound and careful.").exists()
    dashboard = client.get(response["Location"], follow=True)
    assert "do not have permission" not in dashboard.content.decode()
