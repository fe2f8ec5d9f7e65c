"""Admin view for the publishing gate's override: an administrator lets one article's text be
published without expert review, with a written reason (``articles.publishing.record_override``).

Reached from the article's row in "Review status". Editors who may publish see the article's
override history there; only holders of ``articles.record_publishoverride`` (superusers, and no
group by default) get the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import ArticlePage
from .publishing import OVERRIDE_PERMISSION, publish_refusal, record_override
from .reviews import content_fingerprint


class OverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=(
            "Why this article may be published without expert review. Kept with your name, the date "
            "and the revision; the article will not show “Expert-Reviewed by”."
        ),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why this article may be published without expert review.")
        return reason


class PublishOverrideView(WagtailAdminTemplateMixin, FormView):
    template_name = "articles/admin/publish_override.html"
    form_class = OverrideForm
    page_title = "Publish without expert review"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        from .wagtail_hooks import can_publish

        if not can_publish(request.user):
            raise PermissionDenied
        self.article = get_object_or_404(ArticlePage, pk=kwargs["page_id"])
        self.may_record = request.user.has_perm(OVERRIDE_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.article.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("articles_review_status"), "label": "Review status"},
            {"url": "", "label": self.page_title, "sublabel": self.get_page_subtitle()},
        ]

    def post(self, request, *args, **kwargs):
        if not self.may_record:
            raise PermissionDenied("Only an administrator can record an override of the expert review.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        override = record_override(self.article, self.request.user, form.cleaned_data["reason"])
        messages.success(
            self.request,
            f"Override recorded: “{self.article.title}” may be published without expert review "
            f"(revision {override.revision_id}). Publish it from the editor.",
        )
        return redirect(reverse("articles_publish_override", args=(self.article.pk,)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = self.article.get_latest_revision()
        fingerprint = content_fingerprint(latest.as_object() if latest else self.article)
        overrides = list(self.article.publish_overrides.select_related("recorded_by", "revision"))
        for override in overrides:
            override.covers_latest = override.content_fingerprint == fingerprint
        context.update(
            article=self.article,
            may_record=self.may_record,
            overrides=overrides,
            latest_revision=latest,
            refusal=publish_refusal(self.article, latest),
        )
        return context
