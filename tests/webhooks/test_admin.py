"""The webhooks admin: endpoint form (SSRF check), the secret shown once, the delivery log, redelivery."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ADD_URL = "webhooks_endpoints:add"


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user("root", superuser=True))
    return client


def form_data(**fields):
    return {
        "name": "Web front end",
        "url": "https://93.184.216.34/api/revalidate",
        "events": ["article.published", "article.updated"],
        "is_active": "on",
        **fields,
    }


class TestEndpointForm:
    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:3000/hook", "http://169.254.169.254/latest/", "http://[::1]/hook"]
    )
    def test_private_targets_are_a_form_error(self, admin_client, webhook_settings, url):
        webhook_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
        response = admin_client.post(reverse(ADD_URL), form_data(url=url))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["url"]
        assert "only sent to public addresses" in errors["url"][0]
        assert not WebhookEndpoint.objects.exists()

    def test_other_schemes_are_a_form_error(self, admin_client):
        response = admin_client.post(reverse(ADD_URL), form_data(url="ftp://203.0.113.10/hook"))
        assert response.status_code == 200
        assert "url" in response.context["form"].errors
        assert not WebhookEndpoint.objects.exists()

    def test_an_event_is_required(self, admin_client):
        response = admin_client.post(reverse(ADD_URL), {**form_data(), "events": []})
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["events"]

    def test_switching_a_disabled_endpoint_back_on_resets_its_failures(self, admin_client):
        endpoint = WebhookEndpoint.objects.create(
            name="Cache",
            url="https://203.0.113.10/hook",
            events=["listing.changed"],
            is_active=False,
            consecutive_failures=15,
            disabled_reason="15 failed attempts in a row.",
            disabled_at="2026-12-01T00:00:00Z",
        )
        response = admin_client.post(
            reverse("webhooks_endpoints:edit", args=(endpoint.pk,)), form_data(events=["listing.changed"])
        )
        assert response.status_code == 302
        endpoint.refresh_from_db()
        assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at) == (True, 0, None)
        assert endpoint.state == "Active"


class TestSecret:
    def test_created_endpoint_shows_its_secret_once_then_rotates(self, admin_client, webhook_settings):
        webhook_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
        response = admin_client.post(reverse(ADD_URL), form_data())
        endpoint = WebhookEndpoint.objects.get()
        secret_url = reverse("webhooks_endpoint_secret", args=(endpoint.pk,))
        assert response.status_code == 302 and response["Location"] == secret_url
        assert endpoint.events == ["article.published", "article.updated"]
        assert endpoint.secret.startswith("whsec_")

        first = admin_client.get(secret_url).content.decode()
        assert endpoint.secret in first
        again = admin_client.get(secret_url).content.decode()
        assert endpoint.secret not in again and "already shown" in again

        rotated = admin_client.post(secret_url).content.decode()
        endpoint_after = WebhookEndpoint.objects.get()
        assert endpoint_after.secret != endpoint.secret
        assert endpoint_after.secret in rotated and endpoint.secret not in rotated
        assert endpoint_after.secret not in admin_client.get(secret_url).content.decode()

    def test_secret_is_not_on_the_list_or_edit_pages(self, admin_client, endpoint):
        for url in (
            reverse("webhooks_endpoints:index"),
            reverse("webhooks_endpoints:edit", args=(endpoint.pk,)),
        ):
            assert endpoint.secret not in admin_client.get(url).content.decode()

    def test_users_who_cannot_change_endpoints_cannot_see_the_secret(self, client, endpoint):
        from articles.roles import EDITORS
        from tests.articles.admin_helpers import editorial_team

        editorial_team()
        client.force_login(factories.user("ed", groups=(EDITORS,)))
        response = client.get(reverse("webhooks_endpoint_secret", args=(endpoint.pk,)))
        assert response.status_code in (302, 403)
        assert endpoint.secret not in response.content.decode()


class TestDeliveryLog:
    def test_log_shows_status_attempts_code_and_redelivers(
        self, admin_client, endpoint, receiver, django_capture_on_commit_callbacks
    ):
        receiver.status = 500
        with django_capture_on_commit_callbacks(execute=True):
            factories.listing(name="Harbour Counselling")
        delivery = WebhookDelivery.objects.get()

        listing = admin_client.get(reverse("webhooks_deliveries:index") + f"?endpoint={endpoint.pk}")
        html = listing.content.decode()
        assert listing.status_code == 200
        assert "listing.changed" in html and "Failed, will retry" in html and "500" in html
        assert reverse("webhooks_deliveries:add") not in html

        inspect = admin_client.get(reverse("webhooks_deliveries:inspect", args=(delivery.pk,)))
        assert inspect.status_code == 200 and "harbour-counselling" in inspect.content.decode()

        receiver.status = 200
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse("webhooks_delivery_redeliver", args=(delivery.pk,)))
        assert response.status_code == 302
        delivery.refresh_from_db()
        assert (delivery.status, delivery.response_code) == ("succeeded", 200)
        assert len(receiver.received) == 2 and receiver.received[1].verified

    def test_deliveries_cannot_be_added_or_edited(self, admin_client, endpoint):
        assert admin_client.get(reverse("webhooks_deliveries:add")).status_code in (302, 403)
