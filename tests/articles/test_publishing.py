"""The publishing gate (issue 12, finding 6): in a section that requires expert review, an article
goes live only when an expert review, or an administrator's override, covers exactly its text.

One group per way of publishing; each is refused without a review, allowed with one, and allowed
with an override; the section setting off lets everything through as before.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from articles.models import ArticlePage, PublishOverride, SectionPage
from articles.publishing import ReviewRequiredError, record_override
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
    "summary": "Accurate and careful about risks.",
    "conflict_of_interest": "",
    "confirm_no_undeclared_conflict": "on",
}


@pytest.fixture
def team():
    team = editorial_team()
    team.gated = factories.section("Mind & Body", expert_review_required=True)
    team.admin = factories.user("admin", superuser=True)
    return team


def draft(section, title="Sleep and anxiety", **fields) -> ArticlePage:
    return factories.article(section, title, publish=False, **fields)


def live(page) -> bool:
    return ArticlePage.objects.get(pk=page.pk).live


def reviewed_live_article(team, title="Reviewed piece") -> ArticlePage:
    """A live article in the gated section whose text an (imported) review covers."""
    page = draft(team.gated, title)
    revision = page.get_latest_revision()
    from articles.reviews import record_imported_review

    record_imported_review(page, team.reviewer, timezone.now(), "Sound.", revision=revision)
    revision.publish()
    return ArticlePage.objects.get(pk=page.pk)


class TestSectionSetting:
    def test_new_sections_require_review_by_default(self):
        home = factories.home_page()
        section = home.add_child(instance=SectionPage(title="New", slug="new-section"))
        assert SectionPage.objects.get(pk=section.pk).expert_review_required is True

    def test_section_form_explains_the_setting(self, client, team):
        client.force_login(team.admin)
        html = client.get(edit_url(team.gated)).content.decode()
        assert "Expert review required to publish" in html
        assert "no expert review covers" not in html  # the help text, not a refusal
        assert "only if an expert review covers exactly the text being published" in html

    def test_data_migration_turns_it_on_for_existing_sections(self, team):
        import importlib

        from django.apps import apps

        migration = importlib.import_module(
            "articles.migrations.0005_existing_sections_require_expert_review"
        )
        assert not SectionPage.objects.get(pk=team.section.pk).expert_review_required
        migration.require_review_in_existing_sections(apps, None)
        assert SectionPage.objects.get(pk=team.section.pk).expert_review_required


class TestFromCode:
    def test_revision_publish_is_refused_without_review(self, team):
        page = draft(team.gated)
        with pytest.raises(ReviewRequiredError, match="requires an expert review"):
            page.get_latest_revision().publish()
        assert not live(page)
        assert ArticlePage.objects.get(pk=page.pk).live_revision is None

    def test_save_revision_publish_of_changed_text_is_refused(self, team):
        page = reviewed_live_article(team)
        live_revision_id = page.live_revision_id
        page.body = [("paragraph", "<p>A sentence the reviewer never read.</p>")]
        with pytest.raises(ReviewRequiredError):
            page.save_revision().publish()
        page.refresh_from_db()
        assert page.live_revision_id == live_revision_id
        assert page.review_status == "reviewed"

    def test_allowed_with_a_review_of_this_text_and_after_non_text_changes(self, team):
        page = reviewed_live_article(team)
        assert page.live and page.review_status == "reviewed"
        page.topics.add(factories.topic("Sleep"))
        page.save_revision().publish()  # topics are not what the reviewer vouches for
        assert ArticlePage.objects.get(pk=page.pk).live_revision_id == page.get_latest_revision().pk

    def test_allowed_with_an_override_of_this_text_only(self, team):
        page = draft(team.gated)
        record_override(page, team.admin, "Urgent safety correction; review booked.")
        page.get_latest_revision().publish()
        assert live(page)
        page = ArticlePage.objects.get(pk=page.pk)
        page.body = [("paragraph", "<p>Edited after the override.</p>")]
        with pytest.raises(ReviewRequiredError):
            page.save_revision().publish()

    def test_a_save_that_makes_an_unchecked_revision_live_is_refused(self, team):
        page = draft(team.gated)
        page.live_revision = page.get_latest_revision()
        page.live = True
        with pytest.raises(ReviewRequiredError):
            page.save()
        assert not live(page)

    def test_section_setting_off_allows_publishing(self, team):
        page = draft(team.section)
        page.get_latest_revision().publish()
        assert live(page)

    def test_record_override_needs_the_permission_and_a_reason(self, team):
        from django.core.exceptions import PermissionDenied, ValidationError

        page = draft(team.gated)
        with pytest.raises(PermissionDenied):
            record_override(page, team.editor, "Because.")
        with pytest.raises(ValidationError):
            record_override(page, team.admin, "   ")
        assert not PublishOverride.objects.exists()


class TestEditorPublishButton:
    def saved_by_the_editor(self, client, team, page) -> dict:
        """Saves ``page`` as a draft through the editor and returns the form data that posts the
        same text again, as the editor does: the stored rich text (with the block keys the editor
        added) and the block's id."""
        client.force_login(team.editor)
        client.post(edit_url(page), self.form(team, page))
        block = ArticlePage.objects.get(pk=page.pk).get_latest_revision().as_object().body[0]
        return {**self.form(team, page, block.value.source), "body-0-id": block.id}

    def form(self, team, page, body_html="<p>Some words about trust and repair.</p>"):
        return article_form_data(
            title=page.title,
            slug=page.slug,
            standfirst=page.standfirst,
            authors=page.authors,
            article=page,
            body_html=body_html,
        )

    def test_publish_is_refused_with_a_message_and_the_draft_kept(self, client, team):
        page = draft(team.gated)
        client.force_login(team.editor)
        data = self.form(team, page, "<p>Changed by the editor.</p>")
        response = client.post(edit_url(page), {**data, "action-publish": "Publish"}, follow=True)
        assert "requires an expert review before publishing" in response.content.decode()
        page.refresh_from_db()
        assert not page.live and page.live_revision is None
        assert "Changed by the editor." in str(page.get_latest_revision().as_object().body)

    def test_publish_is_not_offered_in_the_action_menu(self, client, team):
        page = draft(team.gated)
        client.force_login(team.editor)
        assert 'name="action-publish"' not in client.get(edit_url(page)).content.decode()
        reviewed = reviewed_live_article(team)
        assert 'name="action-publish"' in client.get(edit_url(reviewed)).content.decode()
        assert 'name="action-publish"' not in client.get(add_article_url(team.gated)).content.decode()
        assert 'name="action-publish"' in client.get(add_article_url(team.section)).content.decode()

    def test_publish_allowed_with_a_review_of_the_text(self, client, team):
        page = draft(team.gated)
        data = self.saved_by_the_editor(client, team, page)
        revision = ArticlePage.objects.get(pk=page.pk).get_latest_revision()
        from articles.reviews import record_imported_review

        record_imported_review(page, team.reviewer, timezone.now(), "Sound.", revision=revision)
        data["seo_title"] = "A new title for search engines"
        response = client.post(edit_url(page), {**data, "action-publish": "Publish"})
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.live_revision_id == page.get_latest_revision().pk
        assert page.seo_title == "A new title for search engines"

    def test_publish_allowed_with_an_override(self, client, team):
        page = draft(team.gated)
        data = self.saved_by_the_editor(client, team, page)
        record_override(page, team.admin, "Published ahead of review.")
        response = client.post(edit_url(page), {**data, "action-publish": "Publish"})
        assert response.status_code == 302
        assert live(page)

    def test_create_and_publish_is_refused_and_the_page_stays_a_draft(self, client, team):
        client.force_login(team.editor)
        data = article_form_data(title="New piece", slug="new-piece", authors=[team.author_person])
        response = client.post(
            add_article_url(team.gated), {**data, "action-publish": "Publish"}, follow=True
        )
        assert "requires an expert review before publishing" in response.content.decode()
        page = ArticlePage.objects.get(slug="new-piece")
        assert not page.live and page.live_revision is None
        assert not ArticlePage.objects.live().filter(pk=page.pk).exists()

    def test_section_setting_off_keeps_publish(self, client, team):
        client.force_login(team.editor)
        data = article_form_data(title="Open piece", slug="open-piece", authors=[team.author_person])
        client.post(add_article_url(team.section), {**data, "action-publish": "Publish"})
        assert ArticlePage.objects.get(slug="open-piece").live


class TestWorkflowFinalApproval:
    def submit(self, client, team, slug="in-review"):
        client.force_login(team.author)
        data = article_form_data(title="In review", slug=slug, authors=[team.author_person])
        client.post(add_article_url(team.gated), {**data, "action-submit": "Submit"})
        return ArticlePage.objects.get(slug=slug)

    def test_final_approval_refused_when_the_expert_step_was_skipped(self, client, team):
        page = self.submit(client, team)
        # Skipped: the expert task state approved without the task's own action (no review).
        page.current_workflow_task_state.approve(user=team.admin)
        page.refresh_from_db()
        assert page.current_workflow_task.name == "Editor approval"
        client.force_login(team.editor)
        html = client.get(edit_url(page)).content.decode()
        assert "requires an expert review before publishing" in html
        assert "workflow-action-name" not in html or 'data-workflow-action-name="approve"' not in html
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
        page.refresh_from_db()
        assert not page.live
        assert page.current_workflow_task.name == "Editor approval"

    def test_final_approval_refused_when_the_text_changed_after_the_review(self, client, team):
        page = self.submit(client, team, slug="changed-in-review")
        client.force_login(team.reviewer_login)
        client.post(workflow_action_url(page, "approve"), APPROVAL)
        page = ArticlePage.objects.get(pk=page.pk)
        page.body = [("paragraph", "<p>Rewritten after the expert approved.</p>")]
        page.save_revision(user=team.editor)
        client.force_login(team.editor)
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
        assert not live(page)

    def test_final_approval_publishes_the_reviewed_text(self, client, team):
        page = self.submit(client, team, slug="reviewed-in-flow")
        client.force_login(team.reviewer_login)
        client.post(workflow_action_url(page, "approve"), APPROVAL)
        client.force_login(team.editor)
        client.post(workflow_action_url(page, "approve"), {"comment": ""})
        page.refresh_from_db()
        assert page.live and page.review_status == "reviewed"


class TestBulkPublish:
    def url(self, pages, parent) -> str:
        ids = "&".join(f"id={p.pk}" for p in pages)
        next_url = reverse("wagtailadmin_explore", args=(parent.pk,))
        return (
            reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
            + f"?{ids}&next={next_url}"
        )

    def test_refuses_the_whole_batch_naming_the_articles(self, client, team):
        reviewed = draft(team.gated, "Reviewed draft")
        from articles.reviews import record_imported_review

        record_imported_review(
            reviewed, team.reviewer, timezone.now(), "Sound.", revision=reviewed.get_latest_revision()
        )
        unreviewed = draft(team.gated, "Unreviewed draft")
        client.force_login(team.editor)
        response = client.post(self.url([reviewed, unreviewed], team.gated), follow=True)
        html = response.content.decode()
        assert "Nothing was published" in html and "Unreviewed draft" in html
        assert not live(reviewed) and not live(unreviewed)

    def test_refuses_draft_articles_under_a_published_section(self, client, team):
        unreviewed = draft(team.gated, "Unreviewed child")
        client.force_login(team.admin)
        response = client.post(
            self.url([team.gated], factories.home_page()), {"include_descendants": "on"}, follow=True
        )
        assert "Unreviewed child" in response.content.decode()
        assert not live(unreviewed)

    def test_publishes_reviewed_and_overridden_articles(self, client, team):
        overridden = draft(team.gated, "Overridden draft")
        record_override(overridden, team.admin, "Approved by the editor-in-chief.")
        open_piece = draft(team.section, "Open draft")
        client.force_login(team.editor)
        client.post(self.url([overridden], team.gated))
        client.post(self.url([open_piece], team.section))
        assert live(overridden) and live(open_piece)


class TestScheduledPublishing:
    def test_scheduling_an_unreviewed_revision_is_refused(self, team):
        page = draft(team.gated, go_live_at=timezone.now() + datetime.timedelta(days=1))
        with pytest.raises(ReviewRequiredError):
            page.get_latest_revision().publish()
        assert not Revision.objects.filter(approved_go_live_at__isnull=False).exists()

    def test_go_live_is_refused_and_reported_and_other_revisions_still_go_live(self, team):
        unreviewed = draft(team.gated, "Scheduled unreviewed")
        open_piece = draft(team.section, "Scheduled open")
        past = timezone.now() - datetime.timedelta(minutes=5)
        for page in (unreviewed, open_piece):
            # Scheduled before the section required review (written directly: scheduling now is refused).
            Revision.objects.filter(pk=page.get_latest_revision().pk).update(approved_go_live_at=past)
        unreviewed_first = Revision.objects.get(pk=unreviewed.get_latest_revision().pk)
        Revision.objects.filter(pk=unreviewed_first.pk).update(
            approved_go_live_at=past - datetime.timedelta(minutes=1)
        )
        stderr = io.StringIO()
        call_command("publish_scheduled", stderr=stderr, stdout=io.StringIO())
        assert not live(unreviewed)
        assert live(open_piece)
        assert (
            "Scheduled publishing cancelled" in stderr.getvalue()
            and "Scheduled unreviewed" in stderr.getvalue()
        )
        assert Revision.objects.get(pk=unreviewed_first.pk).approved_go_live_at is None

    def test_go_live_of_a_reviewed_revision(self, team):
        page = draft(team.gated, "Scheduled reviewed")
        revision = page.get_latest_revision()
        from articles.reviews import record_imported_review

        record_imported_review(page, team.reviewer, timezone.now(), "Sound.", revision=revision)
        Revision.objects.filter(pk=revision.pk).update(
            approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        call_command("publish_scheduled", stderr=io.StringIO(), stdout=io.StringIO())
        assert live(page)


class TestOverride:
    def url(self, page) -> str:
        return reverse("articles_publish_override", args=(page.pk,))

    def test_administrator_records_an_override_which_is_audited_and_shown(self, client, team):
        page = draft(team.gated, "Urgent correction")
        revision = page.get_latest_revision()
        client.force_login(team.admin)
        listing = client.get(reverse("articles_review_status")).content.decode()
        assert self.url(page) in listing and "Publish without review…" in listing
        assert "Record override" in client.get(self.url(page)).content.decode()

        response = client.post(self.url(page), {"reason": "  "})
        assert response.status_code == 200 and not PublishOverride.objects.exists()
        before = timezone.now()
        response = client.post(self.url(page), {"reason": "Corrects a dosage error; review booked."})
        assert response.status_code == 302
        override = PublishOverride.objects.get()
        assert (override.article_id, override.revision_id, override.recorded_by) == (
            page.pk,
            revision.pk,
            team.admin,
        )
        assert override.reason == "Corrects a dosage error; review booked."
        assert override.recorded_at >= before

        revision.publish(user=team.editor)
        page.refresh_from_db()
        assert page.live and page.review_status == "not_reviewed" and page.last_review is None

        client.force_login(team.editor)
        listing = client.get(reverse("articles_review_status")).content.decode()
        assert "Published without expert review: override by admin" in listing
        assert "Corrects a dosage error; review booked." in listing
        history = client.get(self.url(page)).content.decode()
        assert "Corrects a dosage error; review booked." in history and "admin" in history

        public = client.get(page.url).content.decode()
        assert "Expert-Reviewed by" not in public

    def test_later_edits_of_the_text_keep_the_row_but_are_not_covered(self, team):
        page = draft(team.gated)
        record_override(page, team.admin, "Ahead of review.")
        page.get_latest_revision().publish()
        page = ArticlePage.objects.get(pk=page.pk)
        page.title = "Retitled after the override"
        revision = page.save_revision()
        with pytest.raises(ReviewRequiredError):
            revision.publish()
        assert PublishOverride.objects.filter(article=page).count() == 1

    def test_editor_sees_no_form_and_cannot_record_one(self, client, team):
        page = draft(team.gated)
        client.force_login(team.editor)
        listing = client.get(reverse("articles_review_status")).content.decode()
        assert "Publish without review…" not in listing
        html = client.get(self.url(page)).content.decode()
        assert "Only an administrator can record an override." in html and "Record override" not in html
        response = client.post(self.url(page), {"reason": "I decided so."})
        assert response.status_code in (302, 403)
        assert not PublishOverride.objects.exists()

    def test_authors_and_reviewers_cannot_open_the_page(self, client, team):
        page = draft(team.gated)
        for login in (team.author, team.reviewer_login):
            client.force_login(login)
            response = client.post(self.url(page), {"reason": "Please."})
            assert response.status_code in (302, 403)
        assert not PublishOverride.objects.exists()

    def test_dedicated_permission_is_granted_to_no_group(self, team):
        from django.contrib.auth.models import Group

        for group in Group.objects.all():
            assert not group.permissions.filter(codename="record_publishoverride").exists()
        assert not team.editor.has_perm("articles.record_publishoverride")
        assert team.admin.has_perm("articles.record_publishoverride")


class TestOtherAdminPaths:
    def test_admin_api_publish_action_is_refused(self, client, team):
        page = draft(team.gated)
        client.force_login(team.admin)
        response = client.post(
            f"/admin/api/main/pages/{page.pk}/action/publish/", "{}", content_type="application/json"
        )
        assert response.status_code == 403
        assert not live(page)
        record_override(page, team.admin, "Cleared by the editor-in-chief.")
        response = client.post(
            f"/admin/api/main/pages/{page.pk}/action/publish/", "{}", content_type="application/json"
        )
        assert response.status_code == 200 and live(page)

    def test_publishing_copies_into_a_section_that_requires_review_is_refused(self, client, team):
        original = reviewed_live_article(team, "Original piece")
        client.force_login(team.admin)
        response = client.post(
            reverse("wagtailadmin_pages:copy", args=(original.pk,)),
            {
                "new_title": "Copied piece",
                "new_slug": "copied-piece",
                "new_parent_page": str(team.gated.pk),
                "publish_copies": "on",
            },
            follow=True,
        )
        assert "Copies were not made" in response.content.decode()
        assert not ArticlePage.objects.filter(slug="copied-piece").exists()
        client.post(
            reverse("wagtailadmin_pages:copy", args=(original.pk,)),
            {"new_title": "Copied piece", "new_slug": "copied-piece", "new_parent_page": str(team.gated.pk)},
        )
        assert not ArticlePage.objects.get(slug="copied-piece").live
