"""The admin form of a webhook endpoint: event checkboxes and the SSRF check of its URL."""

from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .models import EventType, WebhookEndpoint
from .targets import TargetRefused, resolve_target


class WebhookEndpointForm(WagtailAdminModelForm):
    url = forms.URLField(
        label="URL", max_length=500, assume_scheme="https", help_text="An https URL on a public address."
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What this endpoint is sent. Payloads: docs/api.md, “Webhooks”.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            resolve_target(url)
        except TargetRefused as e:
            raise forms.ValidationError(str(e)) from e
        return url

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        if endpoint.is_active and endpoint.disabled_at:
            # Switched back on by an editor: the failure count starts again.
            endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, "", 0
        if commit:
            endpoint.save()
        return endpoint
