"""Webhook endpoints, the events we emit, and one delivery per (event, endpoint).

An event is written once, in the transaction of the change it reports (a rolled-back publish
leaves none); a delivery row holds everything the admin's delivery log shows and what the retry
schedule needs (``next_attempt_at``). Endpoint secrets are stored as they are (they key the HMAC),
never logged, and shown to an editor once, after creation or rotation.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from .signing import generate_secret


class EventType(models.TextChoices):
    ARTICLE_PUBLISHED = "article.published", "Article published"
    ARTICLE_UPDATED = "article.updated", "Article updated (published again)"
    ARTICLE_UNPUBLISHED = "article.unpublished", "Article unpublished"
    REVIEW_RECORDED = "review.recorded", "Expert review recorded"
    REVIEW_DUE = "review.due", "Expert review due soon"
    REVIEW_OVERDUE = "review.overdue", "Expert review overdue"
    LISTING_CHANGED = "listing.changed", "Listing changed"


def _new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """A URL of a front end or cache that receives signed events."""

    name = models.CharField(max_length=120, help_text="Who receives these, e.g. “Web front end (ISR)”.")
    url = models.URLField("URL", max_length=500, help_text="An https URL on a public address.")
    events = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    secret = models.CharField(max_length=100, default=generate_secret, editable=False)
    secret_revealed = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(
        "active", default=True, help_text="Off: nothing is sent (deliveries wait until it is on again)."
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.name

    def rotate_secret(self) -> None:
        self.secret = generate_secret()
        self.secret_revealed = False
        self.save(update_fields=["secret", "secret_revealed", "updated_at"])

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in (self.events or [])

    @property
    def state(self) -> str:
        if self.is_active:
            return "Active"
        return "Disabled after failures" if self.disabled_at else "Off"


class WebhookEvent(models.Model):
    """Something that happened, with the JSON payload every subscribed endpoint receives."""

    id = models.CharField(primary_key=True, max_length=40, default=_new_event_id, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    # Events that must be sent once per occasion (review due/overdue per due date) carry a key.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "webhook event"

    def __str__(self):
        return f"{self.type} {self.id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: its attempts so far and when the next is due."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Failed, will retry"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed, gave up"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_event_endpoint_uniq")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self):
        return f"{self.event.type} → {self.endpoint}"
