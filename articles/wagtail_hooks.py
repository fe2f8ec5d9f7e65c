"""Admin for the editorial side: review status listing, the dashboard panel, page-type guards.

- "Review status" (menu and ``/admin/review-status/``) lists articles by expert-review status,
  filterable by status and section, for editors (users who may publish).
- A dashboard panel shows editors what is overdue, due soon or changed since its review.
- Authors may add articles but not sections: a section is a publishing decision.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import ArticlePage, SectionPage
from .reviews import annotate_review_status

STATUS_LABELS = {
    "review_overdue": "Review overdue",
    "changed_since_review": "Changed since review",
    "review_due": "Review due soon",
    "not_reviewed": "Not reviewed",
    "reviewed": "Reviewed",
}
# Statuses that need an editor's attention, most urgent first.
ATTENTION_STATUSES = ("review_overdue", "changed_since_review", "review_due")
DASHBOARD_LIMIT = 20


def can_publish(user) -> bool:
    return PagePermissionPolicy().user_has_permission(user, "publish")


def review_status_queryset(status: str | None = None, section_id: int | None = None):
    """Articles with ``review_status_db``, their section and reviewer, most urgent first."""
    articles = annotate_review_status(
        ArticlePage.objects.select_related("last_review__reviewer").order_by("review_due_at", "title")
    )
    if status:
        articles = articles.filter(review_status_db=status)
    if section_id:
        section = SectionPage.objects.filter(pk=section_id).first()
        articles = articles.child_of(section) if section else articles.none()
    return articles


class ReviewStatusView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "articles/admin/review_status.html"
    page_title = "Review status"
    header_icon = "tasks"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not can_publish(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status") or ""
        if status not in STATUS_LABELS:
            status = ""
        try:
            section_id = int(self.request.GET.get("section") or 0)
        except ValueError:
            section_id = 0
        articles = list(review_status_queryset(status or None, section_id or None)[: self.paginate_by])
        for article in articles:
            article.review_status_label = STATUS_LABELS[article.review_status_db]
        context.update(
            articles=articles,
            status=status,
            section_id=section_id,
            statuses=STATUS_LABELS.items(),
            sections=SectionPage.objects.order_by("title").only("id", "title"),
            limit=self.paginate_by,
        )
        return context


class ReviewAttentionPanel(Component):
    """Dashboard panel: articles whose expert review needs an editor's attention."""

    name = "review_attention"
    template_name = "articles/admin/review_attention_panel.html"
    order = 110

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        articles = list(
            review_status_queryset()
            .filter(review_status_db__in=ATTENTION_STATUSES)
            .order_by("review_due_at", "title")[:DASHBOARD_LIMIT]
        )
        rank = {status: i for i, status in enumerate(ATTENTION_STATUSES)}
        articles.sort(key=lambda a: rank[a.review_status_db])
        for article in articles:
            article.review_status_label = STATUS_LABELS[article.review_status_db]
        context.update(articles=articles, review_status_url=reverse("articles_review_status"))
        return context


@hooks.register("register_admin_urls")
def register_review_status_url():
    return [path("review-status/", ReviewStatusView.as_view(), name="articles_review_status")]


class ReviewStatusMenuItem(MenuItem):
    def is_shown(self, request):
        return can_publish(request.user)


@hooks.register("register_admin_menu_item")
def register_review_status_menu_item():
    return ReviewStatusMenuItem(
        "Review status", reverse("articles_review_status"), icon_name="tasks", order=220
    )


@hooks.register("construct_homepage_panels")
def add_review_attention_panel(request, panels):
    if can_publish(request.user):
        panels.append(ReviewAttentionPanel())


@hooks.register("before_create_page")
def only_editors_add_sections(request, parent_page: Page, page_class):
    if issubclass(page_class, ArticlePage) or request.user.is_superuser:
        return None
    if not parent_page.permissions_for_user(request.user).can_publish_subpage():
        raise PermissionDenied("Only editors can add sections and other non-article pages.")
    return None


@hooks.register("after_edit_page")
def send_reviewers_to_dashboard_after_acting(request, page):
    """Expert reviewers have no page permissions of their own, so Wagtail's usual redirect to the
    section's explorer after a workflow action would greet them with "no permission"."""
    if not request.POST.get("action-workflow-action") or request.user.is_superuser:
        return None
    if PagePermissionPolicy().explorable_root_instance(request.user) is not None:
        return None
    return redirect("wagtailadmin_home")


@hooks.register("before_edit_page")
def explain_withheld_approval(request, page):
    """Someone who may act on the current step but not approve it is told why the editor offers
    only "Request changes" (an author reviewing their own article, a login relinked mid-review, the
    expert also trying to approve as editor)."""
    if request.method != "GET" or not isinstance(page.specific_deferred, ArticlePage):
        return None
    task = page.current_workflow_task
    if task is None or not hasattr(task, "approval_refusal") or not task.get_actions(page, request.user):
        return None
    refusal = task.approval_refusal(page, request.user)
    if refusal:
        messages.warning(request, refusal)
    return None
