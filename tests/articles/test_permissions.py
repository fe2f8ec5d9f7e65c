"""Each editorial group can do what it should and nothing more; ``setup_roles`` is idempotent."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from articles.models import ArticlePage, EditorApprovalTask, ExpertReviewTask, HomePage
from articles.roles import (
    AUTHORS,
    EDITORS,
    EXPERT_TASK_NAME,
    REVIEWERS,
    WORKFLOW_NAME,
    setup_roles,
)
from experts.models import Listing
from tests import factories
from tests.articles.admin_helpers import (
    add_article_url,
    article_form_data,
    edit_url,
    editorial_team,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db


def denied(response) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard."""
    return response.status_code in (302, 403) and (
        response.status_code == 403 or response.url == reverse("wagtailadmin_home")
    )


def page_permissions(group_name):
    return sorted(
        (p.page.specific_class.__name__, p.permission.codename)
        for p in GroupPagePermission.objects.filter(group__name=group_name).select_related(
            "page", "permission"
        )
    )


class TestSetupRoles:
    def test_creates_home_page_in_place_of_wagtails_welcome_page(self):
        assert not HomePage.objects.exists()
        report = setup_roles()
        home = HomePage.objects.get()
        assert report.home_created
        assert Site.objects.get(is_default_site=True).root_page_id == home.pk
        assert home.slug == "home" and home.live
        assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
        assert not setup_roles().home_created
        assert HomePage.objects.count() == 1

    def test_running_twice_changes_nothing(self):
        factories.section()
        setup_roles()
        counts = lambda: (  # noqa: E731
            Group.objects.count(),
            GroupPagePermission.objects.count(),
            Workflow.objects.count(),
            WorkflowTask.objects.count(),
            ExpertReviewTask.objects.count(),
            GroupApprovalTask.objects.count(),
            EditorApprovalTask.objects.count(),
        )
        before = counts()
        setup_roles()
        assert counts() == before

    def test_group_permissions_are_exactly_the_declared_ones(self):
        home = factories.home_page()
        setup_roles()
        assert page_permissions(AUTHORS) == [("HomePage", "add_page"), ("HomePage", "change_page")]
        assert page_permissions(REVIEWERS) == []
        assert page_permissions(EDITORS) == sorted(
            ("HomePage", f"{action}_page")
            for action in ("add", "change", "publish", "bulk_delete", "lock", "unlock")
        )
        # Wagtail's own "Editors" group came with rights on the tree root; those are gone.
        assert not GroupPagePermission.objects.filter(group__name=EDITORS).exclude(page=home).exists()
        editor_perms = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
        assert {
            "change_listing",
            "add_person",
            "delete_topic",
            "change_approach",
            "add_listingtype",
        } <= editor_perms
        assert (
            not Group.objects.get(name=AUTHORS).permissions.filter(content_type__app_label="experts").exists()
        )
        assert (
            not Group.objects.get(name=REVIEWERS)
            .permissions.filter(content_type__app_label="experts")
            .exists()
        )

    def test_default_workflow_on_the_home_page(self):
        home = factories.home_page()
        section = factories.section()
        article = factories.article(section)
        setup_roles()
        workflow = Workflow.objects.get(name=WORKFLOW_NAME)
        assert WorkflowPage.objects.get(page=home).workflow == workflow
        assert [t.specific.__class__ for t in workflow.tasks] == [ExpertReviewTask, EditorApprovalTask]
        assert workflow.tasks[1].specific.groups.get().name == EDITORS
        assert article.get_workflow() == workflow and section.get_workflow() == workflow

    def test_rerun_picks_up_newly_linked_reviewers(self):
        factories.home_page()
        setup_roles()
        task = ExpertReviewTask.objects.get(name=EXPERT_TASK_NAME)
        assert not task.reviewers.exists()
        login = factories.user("new-reviewer")
        reviewer = factories.person("New Reviewer", reviewer=True, user=login)
        factories.person("Reviewer Without Login", reviewer=True)
        factories.person("Author With Login", user=factories.user("writer"))
        setup_roles()
        assert list(task.reviewers.all()) == [reviewer]
        assert login.groups.filter(name=REVIEWERS).exists()

    def test_command_runs(self):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("setup_roles", stdout=out)
        call_command("setup_roles", stdout=out)
        assert "Roles are set up." in out.getvalue()
        assert HomePage.objects.count() == 1


@pytest.fixture
def team():
    return editorial_team()


def publish_attempt(client, page, authors):
    data = article_form_data(
        title=page.title, slug=page.slug, authors=authors, article=page, body_html="<p>New.</p>"
    )
    return client.post(edit_url(page), {**data, "action-publish": "Publish"})


class TestAuthors:
    def test_can_create_and_submit_but_not_publish(self, client, team):
        client.force_login(team.author)
        data = article_form_data(
            title="Sleep and stress", slug="sleep-and-stress", authors=[team.author_person]
        )
        response = client.post(add_article_url(team.section), {**data, "action-publish": "Publish"})
        assert response.status_code == 302
        page = ArticlePage.objects.get(slug="sleep-and-stress")
        assert not page.live  # saved as a draft: the publish button is not theirs
        assert not page.permissions_for_user(team.author).can_publish()

        data = article_form_data(title=page.title, slug=page.slug, authors=[team.author_person], article=page)
        response = client.post(edit_url(page), {**data, "action-submit": "Submit for moderation"})
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.workflow_in_progress and not page.live

    def test_cannot_publish_an_existing_article(self, client, team):
        page = factories.article(team.section, "Already live", authors=(team.author_person,))
        client.force_login(team.author)
        publish_attempt(client, page, [team.author_person])
        page.refresh_from_db()
        assert "New." in str(page.get_latest_revision().as_object().body)  # kept as a draft
        assert "New." not in str(page.body)  # live content unchanged

    def test_cannot_add_sections(self, client, team):
        client.force_login(team.author)
        home = HomePage.objects.get()
        url = reverse("wagtailadmin_pages:add", args=("articles", "sectionpage", home.pk))
        assert denied(client.get(url))

    def test_cannot_edit_listings_or_people(self, client, team):
        listing = factories.listing("Calm Harbour Clinic")
        client.force_login(team.author)
        assert denied(client.get(reverse("wagtailsnippets_experts_listing:edit", args=(listing.pk,))))
        assert denied(client.get(reverse("wagtailsnippets_experts_person:add")))

    def test_can_choose_images(self, client, team):
        client.force_login(team.author)
        assert client.get(reverse("wagtailimages_chooser:choose")).status_code == 200


class TestExpertReviewers:
    def test_can_approve_the_review_task_but_not_publish(self, client, team):
        page = factories.article(team.section, "Under review", authors=(team.author_person,), publish=False)
        page.get_workflow().start(page, team.author)
        page.refresh_from_db()
        client.force_login(team.reviewer_login)
        publish_attempt(client, page, [team.author_person])
        page.refresh_from_db()
        assert not page.live
        assert not page.permissions_for_user(team.reviewer_login).can_publish()

        response = client.post(
            workflow_action_url(page, "approve"),
            {"summary": "Sound.", "conflict_of_interest": "", "confirm_no_undeclared_conflict": "on"},
        )
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.current_workflow_task.name == "Editor approval"
        assert not page.live

    def test_cannot_open_articles_outside_their_task(self, client, team):
        page = factories.article(team.section, "Not in review")
        client.force_login(team.reviewer_login)
        assert denied(client.get(edit_url(page)))

    def test_cannot_edit_listings_or_people(self, client, team):
        listing = factories.listing("Calm Harbour Clinic")
        client.force_login(team.reviewer_login)
        assert denied(client.get(reverse("wagtailsnippets_experts_listing:edit", args=(listing.pk,))))
        assert denied(client.get(reverse("wagtailsnippets_experts_person:edit", args=(team.reviewer.pk,))))
        assert denied(client.post(reverse("wagtailsnippets_experts_listing:delete", args=(listing.pk,))))
        assert Listing.objects.filter(pk=listing.pk).exists()


class TestEditors:
    def test_can_publish(self, client, team):
        page = factories.article(team.section, "Editor's change", authors=(team.author_person,))
        client.force_login(team.editor)
        assert publish_attempt(client, page, [team.author_person]).status_code == 302
        page.refresh_from_db()
        assert "New." in str(page.body)

    def test_can_add_sections(self, client, team):
        client.force_login(team.editor)
        home = HomePage.objects.get()
        url = reverse("wagtailadmin_pages:add", args=("articles", "sectionpage", home.pk))
        assert client.get(url).status_code == 200

    def test_can_manage_listings_and_vocabularies(self, client, team):
        listing = factories.listing("Calm Harbour Clinic")
        client.force_login(team.editor)
        for name in ("listing", "person", "topic", "approach", "listingtype"):
            assert client.get(reverse(f"wagtailsnippets_experts_{name}:list")).status_code == 200
            assert client.get(reverse(f"wagtailsnippets_experts_{name}:add")).status_code == 200
        assert (
            client.get(reverse("wagtailsnippets_experts_listing:edit", args=(listing.pk,))).status_code == 200
        )

    def test_cannot_act_on_the_expert_step(self, client, team):
        page = factories.article(team.section, "Under review", authors=(team.author_person,), publish=False)
        page.get_workflow().start(page, team.author)
        page.refresh_from_db()
        assert page.current_workflow_task.specific.get_actions(page, team.editor) == []
