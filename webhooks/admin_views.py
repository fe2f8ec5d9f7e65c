"""Admin views of webhooks beyond the generic ones: the secret (shown once, rotatable) and redelivery."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import CreateView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .delivery import redeliver
from .models import WebhookDelivery, WebhookEndpoint

SECRET_URL_NAME = "webhooks_endpoint_secret"
REDELIVER_URL_NAME = "webhooks_delivery_redeliver"


def _can_change_endpoints(user) -> bool:
    return user.has_perm("webhooks.change_webhookendpoint")


class EndpointCreateView(CreateView):
    """After creation, the editor is taken to the page that shows the new secret once."""

    def get_success_url(self):
        return reverse(SECRET_URL_NAME, args=(self.object.pk,))


class EndpointSecretView(WagtailAdminTemplateMixin, TemplateView):
    """GET shows the secret if it was never shown; POST rotates it and shows the new one.

    The secret goes only into this response (no message, no log, no URL), and once shown it is
    masked for good: whoever lost it rotates it.
    """

    template_name = "webhooks/admin/endpoint_secret.html"
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not _can_change_endpoints(request.user):
            raise PermissionDenied
        self.endpoint = get_object_or_404(WebhookEndpoint, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Secret of {self.endpoint.name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("webhooks_endpoints:index"), "label": "Webhook endpoints"},
            {
                "url": reverse("webhooks_endpoints:edit", args=(self.endpoint.pk,)),
                "label": self.endpoint.name,
            },
            {"url": "", "label": "Secret"},
        ]

    def get(self, request, *args, **kwargs):
        shown = None
        if not self.endpoint.secret_revealed:
            # Marked shown only if it still was not: two tabs cannot both see it.
            if WebhookEndpoint.objects.filter(pk=self.endpoint.pk, secret_revealed=False).update(
                secret_revealed=True
            ):
                shown = self.endpoint.secret
        return self.render_to_response(self.get_context_data(secret=shown))

    def post(self, request, *args, **kwargs):
        self.endpoint.rotate_secret()
        WebhookEndpoint.objects.filter(pk=self.endpoint.pk).update(secret_revealed=True)
        return self.render_to_response(self.get_context_data(secret=self.endpoint.secret, rotated=True))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "endpoint": self.endpoint,
            "edit_url": reverse("webhooks_endpoints:edit", args=(self.endpoint.pk,)),
        }


class DeliveryInspectView(InspectView):
    template_name = "webhooks/admin/delivery_inspect.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "redeliver_url": reverse(REDELIVER_URL_NAME, args=(self.object.pk,)),
            "can_redeliver": _can_change_endpoints(self.request.user),
            "payload": json.dumps(self.object.event.payload, indent=2, ensure_ascii=False),
        }


def redeliver_view(request, pk: int):
    """POST only: sends the delivery again now, as a new series of attempts."""
    if request.method != "POST":
        return redirect("webhooks_deliveries:inspect", pk)
    if not _can_change_endpoints(request.user):
        raise PermissionDenied
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint", "event"), pk=pk)
    if not delivery.endpoint.is_active:
        messages.error(request, f"“{delivery.endpoint}” is switched off; switch it on to redeliver.")
        return redirect("webhooks_deliveries:inspect", pk)
    redeliver(delivery)
    delivery.refresh_from_db()
    messages.success(request, f"Redelivered {delivery.event.type}: {delivery.get_status_display().lower()}.")
    return redirect("webhooks_deliveries:inspect", pk)
