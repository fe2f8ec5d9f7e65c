"""Review bookkeeping: which review the article carries, drift, due dates, and the admin views
that show editors what needs attention."""

import datetime

import pytest
from django.urls import reverse

from articles.models import ArticlePage, ExpertReview
from articles.reviews import (
    add_months,
    annotate_review_status,
    content_fingerprint,
    record_review,
    review_status,
)
from tests import factories
from tests.articles.admin_helpers import article_form_data, edit_url, editorial_team

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(year, month, day):
    return datetime.datetime(year, month, day, 9, 0, tzinfo=UTC)


def status_in_db(page, now):
    return annotate_review_status(ArticlePage.objects.filter(pk=page.pk), now=now).get().review_status_db


class TestDueDates:
    def test_due_date_follows_the_section_interval(self):
        section = factories.section("Altered Healing", review_interval_months=6)
        page = factories.expert_review(factories.article(section), reviewed_at=at(2026, 1, 10))
        assert page.review_due_at == at(2026, 7, 10)

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (at(2026, 3, 1), "reviewed"),
            (at(2026, 6, 20), "review_due"),  # within 30 days of the due date
            (at(2026, 7, 10), "review_overdue"),
            (at(2027, 1, 1), "review_overdue"),
        ],
    )
    def test_status_moves_with_time_in_python_and_in_the_database(self, now, expected):
        section = factories.section("Altered Healing", review_interval_months=6)
        page = factories.expert_review(factories.article(section), reviewed_at=at(2026, 1, 10))
        assert review_status(page, now=now) == expected
        assert status_in_db(page, now) == expected

    def test_default_interval_is_twelve_months(self):
        page = factories.expert_review(factories.article(), reviewed_at=at(2025, 2, 1))
        assert page.review_due_at == at(2026, 2, 1)

    def test_changing_the_section_interval_moves_due_dates_when_published(self):
        section = factories.section("Altered Healing")
        page = factories.expert_review(factories.article(section), reviewed_at=at(2026, 1, 10))
        assert page.review_due_at == at(2027, 1, 10)
        section.review_interval_months = 3
        section.save_revision().publish()
        page.refresh_from_db()
        assert page.review_due_at == at(2026, 4, 10)

    def test_month_arithmetic_clamps_to_the_end_of_month(self):
        assert add_months(at(2026, 1, 31), 1) == at(2026, 2, 28)
        assert add_months(at(2026, 11, 30), 3) == at(2027, 2, 28)


class TestDrift:
    def test_unreviewed_article(self):
        page = factories.article()
        assert page.review_status == "not_reviewed"
        assert status_in_db(page, at(2026, 1, 1)) == "not_reviewed"

    def test_published_change_after_review(self):
        page = factories.expert_review(factories.article(), reviewed_at=at(2026, 1, 10))
        now = at(2026, 2, 1)
        assert review_status(page, now=now) == "reviewed"
        page.body = [("paragraph", "<p>A new claim nobody checked.</p>")]
        page.save_revision().publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert review_status(page, now=now) == "changed_since_review"
        assert status_in_db(page, now) == "changed_since_review"

    def test_draft_change_does_not_count_until_published(self):
        page = factories.expert_review(factories.article(), reviewed_at=at(2026, 1, 10))
        page.body = [("paragraph", "<p>Draft only.</p>")]
        page.save_revision()
        page = ArticlePage.objects.get(pk=page.pk)
        assert review_status(page, now=at(2026, 2, 1)) == "reviewed"

    def test_change_of_topics_alone_is_not_drift(self):
        page = factories.expert_review(factories.article(), reviewed_at=at(2026, 1, 10))
        page.topics.add(factories.topic("Attachment"))
        page.save_revision().publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert review_status(page, now=at(2026, 2, 1)) == "reviewed"

    def test_republishing_the_reviewed_content_restores_reviewed(self):
        page = factories.expert_review(factories.article(), reviewed_at=at(2026, 1, 10))
        reviewed_revision = page.live_revision
        page.body = [("paragraph", "<p>A new claim nobody checked.</p>")]
        page.save_revision().publish()
        reviewed_revision.publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert review_status(page, now=at(2026, 2, 1)) == "reviewed"


class TestBylineCannotBeTyped:
    def test_review_fields_are_not_in_the_editor_form(self):
        form_class = ArticlePage.get_edit_handler().get_form_class()
        for name in ("last_review", "live_fingerprint", "review_due_at", "reading_time"):
            assert name not in form_class.base_fields

    def test_posting_review_fields_to_the_editor_changes_nothing(self, client):
        team = editorial_team()
        page = factories.article(team.section, "Rest and repair", authors=(team.author_person,))
        other = factories.expert_review(factories.article(team.section), reviewer=team.reviewer)
        client.force_login(team.editor)
        data = article_form_data(title=page.title, slug=page.slug, authors=[team.author_person], article=page)
        data.update(
            last_review=str(other.last_review_id), review_due_at="2099-01-01 00:00", live_fingerprint="x"
        )
        response = client.post(edit_url(page), {**data, "action-publish": "Publish"})
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.last_review is None
        assert page.review_due_at is None
        assert page.live_fingerprint == content_fingerprint(page)

    def test_publishing_an_older_revision_keeps_the_review(self):
        page = factories.article(body=[("paragraph", "<p>First draft, never reviewed.</p>")])
        old_revision = page.live_revision
        page.body = [("paragraph", "<p>The version the expert read.</p>")]
        page.save_revision().publish()
        page = factories.expert_review(ArticlePage.objects.get(pk=page.pk), reviewed_at=at(2026, 1, 10))
        review = page.last_review
        assert review is not None

        assert old_revision.as_object().last_review_id == review.pk
        old_revision.publish()
        page = ArticlePage.objects.get(pk=page.pk)
        assert page.last_review == review
        assert review_status(page, now=at(2026, 2, 1)) == "changed_since_review"


class TestRecordReview:
    def test_review_of_a_draft_waits_for_publication(self):
        team = editorial_team()
        page = factories.article(team.section, publish=False)
        workflow = page.get_workflow()
        workflow_state = workflow.start(page, team.author)
        review = record_review(workflow_state.current_task_state, team.reviewer_login, summary="Sound.")
        page.refresh_from_db()
        assert review.revision_id == page.get_latest_revision().pk
        assert page.last_review is None
        page.get_latest_revision().publish()
        page.refresh_from_db()
        assert page.last_review == review

    def test_newer_review_of_the_live_content_takes_the_byline(self):
        first = factories.person("First Reviewer", reviewer=True)
        second = factories.person("Second Reviewer", reviewer=True)
        page = factories.expert_review(factories.article(), first, reviewed_at=at(2025, 1, 1))
        page = factories.expert_review(page, second, reviewed_at=at(2026, 1, 1))
        assert page.last_review.reviewer == second
        assert page.review_due_at == at(2027, 1, 1)
        assert ExpertReview.objects.filter(article=page).count() == 2


class TestAdminViews:
    @pytest.fixture
    def articles(self):
        team = editorial_team()
        now = datetime.datetime.now(tz=UTC)
        overdue = factories.expert_review(
            factories.article(team.section, "Overdue piece"), reviewed_at=now - datetime.timedelta(days=400)
        )
        due = factories.expert_review(
            factories.article(team.section, "Due piece"), reviewed_at=now - datetime.timedelta(days=350)
        )
        fresh = factories.expert_review(factories.article(team.section, "Fresh piece"), reviewed_at=now)
        changed = factories.expert_review(factories.article(team.section, "Changed piece"), reviewed_at=now)
        changed.body = [("paragraph", "<p>Edited after review.</p>")]
        changed.save_revision().publish()
        unreviewed = factories.article(team.section, "Unreviewed piece")
        return team, {"overdue": overdue, "due": due, "fresh": fresh, "changed": changed, "none": unreviewed}

    def test_review_status_listing_filters_by_status(self, client, articles):
        team, pages = articles
        client.force_login(team.editor)
        url = reverse("articles_review_status")
        response = client.get(url, {"status": "review_overdue"})
        assert response.status_code == 200
        assert [a.title for a in response.context["articles"]] == ["Overdue piece"]
        response = client.get(url, {"status": "changed_since_review"})
        assert [a.title for a in response.context["articles"]] == ["Changed piece"]
        response = client.get(url, {"status": "not_reviewed"})
        assert [a.title for a in response.context["articles"]] == ["Unreviewed piece"]
        response = client.get(url)
        assert len(response.context["articles"]) == 5
        assert edit_url(pages["due"]) in response.content.decode()

    def test_review_status_listing_ignores_unknown_filters(self, client, articles):
        team, _ = articles
        client.force_login(team.editor)
        response = client.get(reverse("articles_review_status"), {"status": "bogus", "section": "x"})
        assert response.status_code == 200
        assert len(response.context["articles"]) == 5

    def test_review_status_listing_is_for_editors(self, client, articles):
        team, _ = articles
        for login in (team.author, team.reviewer_login):
            client.force_login(login)
            response = client.get(reverse("articles_review_status"))
            assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")

    def test_dashboard_panel_lists_what_needs_attention(self, client, articles):
        team, pages = articles
        client.force_login(team.editor)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "Expert reviews needing attention" in html
        start = html.index('id="review-attention-section"')
        panel = html[start : html.index("</section>", start)]
        for key in ("overdue", "due", "changed"):
            assert edit_url(pages[key]) in panel
        for key in ("fresh", "none"):
            assert edit_url(pages[key]) not in panel
        assert panel.index("Overdue piece") < panel.index("Changed piece") < panel.index("Due piece")

    def test_dashboard_panel_hidden_from_authors(self, client, articles):
        team, _ = articles
        client.force_login(team.author)
        assert (
            "Expert reviews needing attention"
            not in client.get(reverse("wagtailadmin_home")).content.decode()
        )


def test_review_status_menu_item_only_for_editors(client):
    team = editorial_team()
    url = reverse("articles_review_status")
    client.force_login(team.editor)
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(team.author)
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()
