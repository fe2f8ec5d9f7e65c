"""Admin for webhooks: endpoints (with their secret page) and the delivery log, in one menu.

The delivery log is read-only apart from "Redeliver": deliveries are written by the webhooks app
only, so nobody is offered add or edit (a permission policy that refuses both). Filtering the log by
endpoint gives each endpoint's history: status, attempts, response code, duration.
"""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .admin_views import (
    REDELIVER_URL_NAME,
    SECRET_URL_NAME,
    DeliveryInspectView,
    EndpointCreateView,
    EndpointSecretView,
    redeliver_view,
)
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint


class EndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    name = "webhooks_endpoints"
    url_prefix = "webhooks/endpoints"
    icon = "link"
    menu_label = "Endpoints"
    add_view_class = EndpointCreateView
    copy_view_enabled = False
    list_display = [
        "name",
        "url",
        Column("state", label="State"),
        Column("consecutive_failures", label="Failures in a row"),
        Column("disabled_reason", label="Why disabled"),
        TitleColumn(
            "secret",
            label="Secret",
            accessor=lambda endpoint: "Show or rotate",
            get_url=lambda endpoint: reverse(SECRET_URL_NAME, args=(endpoint.pk,)),
        ),
        TitleColumn(
            "deliveries",
            label="Deliveries",
            accessor=lambda endpoint: "Delivery log",
            get_url=lambda endpoint: reverse("webhooks_deliveries:index") + f"?endpoint={endpoint.pk}",
        ),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return WebhookEndpointForm


class DeliveryPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(WebhookDelivery, DeliveryPermissionPolicy(WebhookDelivery), exact_class=True)


def _event_type(delivery: WebhookDelivery) -> str:
    return delivery.event.type


class DeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "webhooks_deliveries"
    url_prefix = "webhooks/deliveries"
    icon = "list-ul"
    menu_label = "Delivery log"
    form_fields = []
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    inspect_view_fields = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "last_attempt_at",
        "next_attempt_at",
        "error",
    ]
    list_display = [
        TitleColumn("event", label="Event", accessor=_event_type),
        "endpoint",
        Column("status", label="Status", accessor="get_status_display"),
        Column("attempts", label="Attempts"),
        Column("response_code", label="Response"),
        Column("duration_ms", label="Duration (ms)"),
        DateColumn("last_attempt_at", label="Last attempt"),
        DateColumn("next_attempt_at", label="Next attempt"),
    ]
    list_filter = ["endpoint", "status"]

    def get_queryset(self, request):
        return WebhookDelivery.objects.select_related("event", "endpoint")


class WebhooksViewSetGroup(ModelViewSetGroup):
    menu_label = "Webhooks"
    menu_icon = "link"
    menu_order = 850
    items = (EndpointViewSet, DeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_webhooks_viewsets():
    return WebhooksViewSetGroup()


@hooks.register("register_admin_urls")
def register_webhooks_urls():
    return [
        path("webhooks/endpoints/secret/<int:pk>/", EndpointSecretView.as_view(), name=SECRET_URL_NAME),
        path("webhooks/deliveries/redeliver/<int:pk>/", redeliver_view, name=REDELIVER_URL_NAME),
    ]
