"""Admin for the editorial side: review status listing, the dashboard panel, page-type guards.

- "Review status" (menu and ``/admin/review-status/``) lists articles by expert-review status,
  filterable by status and section, for editors (users who may publish).
- A dashboard panel shows editors what is overdue, due soon or changed since its review.
- Authors may add articles but not sections: a section is a publishing decision.
- The publishing gate (``articles.publishing``) in the admin: the editor's Publish is refused with
  a message (the changes stay as a draft) and left out of the action menu while no review or
  override covers the article's text; bulk publish refuses the whole batch; administrators record
  overrides from the review status page (``articles.admin_overrides``).
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

from .admin_overrides import PublishOverrideView
from .models import ArticlePage, PublishOverride, SectionPage
from .publishing import OVERRIDE_PERMISSION, publish_refusal
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

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

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
        overrides = live_overrides(articles)
        for article in articles:
            article.review_status_label = STATUS_LABELS[article.review_status_db]
            article.publish_override = overrides.get(article.pk)
        context.update(
            articles=articles,
            status=status,
            section_id=section_id,
            statuses=STATUS_LABELS.items(),
            sections=SectionPage.objects.order_by("title").only("id", "title"),
            limit=self.paginate_by,
            may_record_overrides=self.request.user.has_perm(OVERRIDE_PERMISSION),
        )
        return context


def live_overrides(articles) -> dict[int, PublishOverride]:
    """For each article whose live text went out under an override and no review: that override."""
    unreviewed = {
        a.pk: a.live_fingerprint
        for a in articles
        if a.live_fingerprint
        and not (a.last_review and a.last_review.content_fingerprint == a.live_fingerprint)
    }
    found: dict[int, PublishOverride] = {}
    overrides = PublishOverride.objects.filter(article_id__in=unreviewed).select_related("recorded_by")
    for override in overrides.order_by("recorded_at", "pk"):
        if override.content_fingerprint == unreviewed[override.article_id]:
            found[override.article_id] = override
    return found


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
    return [
        path("review-status/", ReviewStatusView.as_view(), name="articles_review_status"),
        path(
            "review-status/<int:page_id>/override/",
            PublishOverrideView.as_view(),
            name="articles_publish_override",
        ),
    ]


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


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def back_to_the_article_after_submitting(request, page):
    """After "Submit for review" an author stays on the article (with Wagtail's success message)
    instead of landing on the section's list, where the article is one row among many."""
    if not request.POST.get("action-submit") or not isinstance(page.specific_deferred, ArticlePage):
        return None
    if not page.permissions_for_user(request.user).can_edit():
        return None
    return redirect("wagtailadmin_pages:edit", page.pk)


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


@hooks.register("before_publish_page")
def refuse_publishing_without_review(request, page):
    """The editor's Publish (create and edit views) for text no review or override covers: refused
    with the reason, the submitted text kept as a draft. The edit view runs Wagtail's publish action
    directly, so this is where it learns of the gate; ``ArticlePage.save`` would refuse anyway."""
    if not isinstance(page, ArticlePage):
        return None
    refusal = publish_refusal(page, page.get_latest_revision())
    if refusal is None:
        return None
    if page.live_revision_id is None and page.live:
        # The create view adds the page as live before publishing it: it stays a draft.
        ArticlePage.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
    messages.error(request, f"{refusal} Your changes were saved as a draft.")
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("construct_page_action_menu")
def hide_publish_without_review(menu_items, request, context):
    """No "Publish" in the action menu while the article's text has no review or override."""
    page = context.get("page")
    if context.get("view") == "create":
        # A section holds only articles, and a new article has no review yet.
        parent = context.get("parent_page")
        gated = (
            parent is not None
            and SectionPage.objects.filter(pk=parent.pk, expert_review_required=True).exists()
        )
    elif page is not None and isinstance(page.specific_deferred, ArticlePage):
        article = page.specific
        gated = publish_refusal(article, article.get_latest_revision()) is not None
    else:
        gated = False
    if gated:
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_without_review(request, action_type, objects, action_class_instance):
    """Bulk publish checks every article it would publish first, and refuses the whole batch."""
    if action_type != "publish":
        return None
    include_descendants = False
    form = getattr(action_class_instance, "cleaned_form", None)
    if form is not None:
        include_descendants = form.cleaned_data.get("include_descendants", False)
    refused = []
    for page in objects:
        candidates = [page]
        if include_descendants:
            candidates += list(page.get_descendants().not_live().type(ArticlePage))
        for candidate in candidates:
            article = candidate.specific
            if not isinstance(article, ArticlePage):
                continue
            if publish_refusal(article, article.get_latest_revision()):
                refused.append(article.title)
    if not refused:
        return None
    messages.error(
        request,
        "Nothing was published: these articles are in sections that require an expert review before "
        "publishing, and no review or override covers their text: " + ", ".join(f"“{t}”" for t in refused),
    )
    return redirect(action_class_instance.next_url)


@hooks.register("before_copy_page")
def refuse_publishing_copies_without_review(request, page):
    """A copy is a new article with no review of its own: "Publish copies" of an article into a
    section that requires review (or of such a section with its articles) is refused."""
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    specific = page.specific_deferred
    if isinstance(specific, ArticlePage):
        try:
            destination = int(request.POST.get("new_parent_page") or 0)
        except ValueError:
            return None
        gated = SectionPage.objects.filter(pk=destination, expert_review_required=True).exists()
    elif isinstance(specific, SectionPage) and request.POST.get("copy_subpages"):
        gated = (
            SectionPage.objects.filter(pk=page.pk, expert_review_required=True).exists()
            and ArticlePage.objects.child_of(page).live().exists()
        )
    else:
        gated = False
    if not gated:
        return None
    messages.error(
        request,
        "Copies were not made: a copied article has no expert review of its own, and its section "
        "requires one before publishing. Copy without “Publish copies”, then submit the copy for review.",
    )
    return redirect("wagtailadmin_pages:copy", page.pk)
