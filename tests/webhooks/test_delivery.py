"""Webhook round trips against a live receiver that verifies signatures (tests/webhooks/receiver.py).

Deliveries are enqueued on commit, so every change runs inside ``django_capture_on_commit_callbacks
(execute=True)``, as a request's commit would; separate requests get separate blocks (within one
block, as within one transaction, an event emitted twice with the same data is sent once). Retries
are made due by moving ``next_attempt_at`` into the past, then ``deliver_webhooks`` runs as cron
would.
"""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from articles.models import ArticlePage
from tests import factories
from webhooks.delivery import redeliver
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): …`` runs the on-commit callbacks (the delivery tasks) at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def types(receiver) -> list[str]:
    return [r.payload["type"] for r in receiver.received]


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


class TestRoundTrip:
    def test_publish_is_delivered_signed_verified_and_logged(self, endpoint, receiver, committed):
        with committed():
            article = factories.article(title="Repair after a rupture")

        assert types(receiver) == ["article.published"]
        request = receiver.received[0]
        assert request.verified, request.error
        event = WebhookEvent.objects.get(type="article.published")
        assert request.headers["webhook-id"] == event.id
        assert request.headers["content-type"] == "application/json"
        assert request.payload["data"] == {
            "id": article.pk,
            "slug": "repair-after-a-rupture",
            "url": f"http://testserver{article.get_url()}",
            "api_url": "http://testserver/api/v1/articles/repair-after-a-rupture/",
        }
        assert request.payload["timestamp"] == event.created_at.isoformat()
        delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
        assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
            "succeeded",
            1,
            200,
            "",
        )
        assert delivery.duration_ms is not None and delivery.next_attempt_at is None

    def test_payload_carries_no_content(self, endpoint, receiver, committed):
        with committed():
            factories.article(title="Quiet title", standfirst="A standfirst nobody should receive.")
        body = receiver.received[0].body.decode()
        assert "standfirst" not in body and "nobody should receive" not in body and "Quiet title" not in body

    def test_a_tampered_body_fails_verification(self, endpoint, receiver, committed):
        with committed():
            factories.listing(name="Harbour Counselling")
        genuine = receiver.received[0]
        tampered = genuine.body.replace(b"saved", b"deleted")
        request = urllib.request.Request(
            receiver.url,
            data=tampered,
            method="POST",
            headers={k: v for k, v in genuine.headers.items() if k.startswith("webhook-")},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=5)
        assert answer.value.code == 401
        assert receiver.received[-1].verified is False
        assert receiver.received[-1].error == "No signature matches."

    def test_only_subscribed_events_are_sent(self, endpoint, receiver, committed):
        endpoint.events = ["listing.changed"]
        endpoint.save()
        with committed():
            factories.article()
            factories.listing()
        assert types(receiver) == ["listing.changed"]
        assert not WebhookEvent.objects.filter(type="article.published").exists()

    def test_a_rolled_back_change_sends_nothing(self, endpoint, receiver, committed):
        with committed():
            with pytest.raises(RuntimeError), transaction.atomic():
                factories.listing()
                raise RuntimeError("editor's save failed")
        assert receiver.received == []
        assert not WebhookEvent.objects.exists()


class TestEvents:
    def test_publishing_again_is_an_update(self, endpoint, receiver, committed):
        with committed():
            article = factories.article()
        with committed():
            article.title = "A new title"
            article.save_revision().publish()
        assert types(receiver) == ["article.published", "article.updated"]

    def test_unpublish_then_publish_again(self, endpoint, receiver, committed):
        with committed():
            article = factories.article()
        with committed():
            article.unpublish()
        with committed():
            ArticlePage.objects.get(pk=article.pk).save_revision().publish()
        assert types(receiver) == ["article.published", "article.unpublished", "article.published"]
        assert receiver.received[-2].payload["data"]["url"] is None
        assert all(r.verified for r in receiver.received)

    def test_nothing_is_sent_for_drafts(self, endpoint, receiver, committed):
        with committed():
            draft = factories.article(publish=False)
            draft.title = "Still a draft"
            draft.save_revision()
        assert receiver.received == []
        assert not WebhookEvent.objects.exists()

    def test_listing_saved_and_deleted(self, endpoint, receiver, committed):
        with committed():
            listing = factories.listing(name="Harbour Counselling")
        with committed():
            listing.delete()
        actions = [(r.payload["type"], r.payload["data"]["action"]) for r in receiver.received]
        assert actions[0] == ("listing.changed", "saved")
        assert actions[-1] == ("listing.changed", "deleted")
        assert receiver.received[-1].payload["data"]["slug"] == "harbour-counselling"
        assert (
            receiver.received[-1].payload["data"]["api_url"].endswith("/api/v1/listings/harbour-counselling/")
        )

    def test_review_recorded(self, endpoint, receiver, committed):
        with committed():
            article = factories.article()
        with committed():
            factories.expert_review(article)
        request = receiver.received[-1]
        assert request.payload["type"] == "review.recorded"
        assert request.payload["data"]["article"]["slug"] == article.slug

    def test_review_due_and_overdue_are_sent_once_per_due_date(self, endpoint, receiver, committed):
        now = timezone.now()
        due_soon = factories.expert_review(
            factories.article(title="Due soon"), reviewed_at=now - datetime.timedelta(days=350)
        )
        overdue = factories.expert_review(
            factories.article(title="Overdue"), reviewed_at=now - datetime.timedelta(days=400)
        )
        factories.expert_review(factories.article(title="Fresh"), reviewed_at=now)
        with committed():
            call_command("deliver_webhooks", stdout=None)
            call_command("deliver_webhooks", stdout=None)
        reminders = {
            r.payload["data"]["article"]["slug"]: r.payload["type"]
            for r in receiver.received
            if r.payload["type"].startswith("review.") and r.payload["type"] != "review.recorded"
        }
        assert reminders == {due_soon.slug: "review.due", overdue.slug: "review.overdue"}
        assert WebhookEvent.objects.filter(type__in=["review.due", "review.overdue"]).count() == 2


class TestFailures:
    def test_failing_receiver_is_retried_with_back_off_then_disabled(
        self, endpoint, receiver, committed, webhook_settings
    ):
        webhook_settings(WEBHOOK_RETRY_DELAYS=[60, 300], WEBHOOK_DISABLE_AFTER_FAILURES=3)
        admin = factories.user("ada", superuser=True)
        receiver.status = 500
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("retrying", 1, 500)
        assert delivery.next_attempt_at == delivery.last_attempt_at + datetime.timedelta(seconds=60)
        assert delivery.error.startswith("HTTP 500")

        call_command("deliver_webhooks", stdout=None)  # not due yet: nothing is sent
        assert len(receiver.received) == 1

        make_due(delivery)
        call_command("deliver_webhooks", stdout=None)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("retrying", 2)
        assert delivery.next_attempt_at == delivery.last_attempt_at + datetime.timedelta(seconds=300)

        make_due(delivery)
        call_command("deliver_webhooks", stdout=None)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
        assert len(receiver.received) == 3 and all(r.verified for r in receiver.received)

        endpoint.refresh_from_db()
        assert endpoint.is_active is False
        assert endpoint.state == "Disabled after failures"
        assert endpoint.disabled_reason == "3 failed attempts in a row."
        assert [m.to for m in mail.outbox] == [[admin.email]]
        assert "Front end" in mail.outbox[0].subject and endpoint.secret not in mail.outbox[0].body

        with committed():
            factories.listing()  # a disabled endpoint is sent nothing
        assert len(receiver.received) == 3

    def test_a_retry_that_succeeds_resets_the_failure_count(self, endpoint, receiver, committed):
        receiver.status = 503
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        assert WebhookEndpoint.objects.get().consecutive_failures == 1
        receiver.status = 204
        make_due(delivery)
        call_command("deliver_webhooks", stdout=None)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 204)
        assert WebhookEndpoint.objects.get().consecutive_failures == 0

    def test_a_slow_receiver_times_out_and_is_retried(self, endpoint, receiver, committed, webhook_settings):
        webhook_settings(WEBHOOK_TIMEOUT=0.2)
        receiver.delay = 1.0
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.response_code) == ("retrying", None)
        assert "timed out" in delivery.error.lower()

    def test_redirects_are_not_followed(self, endpoint, receiver, committed):
        receiver.status = 302
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.response_code) == ("retrying", 302)
        assert len(receiver.received) == 1

    def test_a_receiver_that_is_down_does_not_fail_the_publish(self, db, committed):
        WebhookEndpoint.objects.create(
            name="Gone", url="http://127.0.0.1:9/hook", events=["article.published"]
        )
        with committed():
            article = factories.article()
        assert ArticlePage.objects.get(pk=article.pk).live
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "retrying" and delivery.response_code is None
        assert "Error" in delivery.error or "refused" in delivery.error.lower()

    def test_delivery_time_ssrf_check_refuses_loopback(self, endpoint, receiver, committed, webhook_settings):
        webhook_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        assert receiver.received == []
        assert delivery.status == "retrying"
        assert delivery.error.startswith("Refused target: 127.0.0.1 resolves to 127.0.0.1")

    def test_redeliver_sends_the_same_event_again(self, endpoint, receiver, committed):
        with committed():
            factories.listing()
        delivery = WebhookDelivery.objects.get()
        redeliver(delivery)
        delivery.refresh_from_db()
        assert len(receiver.received) == 2
        assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
        assert (delivery.status, delivery.attempts) == ("succeeded", 1)


def test_deliver_webhooks_refuses_a_limit_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit must be at least 1"):
        call_command("deliver_webhooks", "--limit", "0")
