"""Emitting webhook events: the payload of each event type, and one delivery per subscriber.

``emit`` runs inside the transaction of the change it reports and only writes rows; the first
attempt of each delivery is enqueued on commit (one batch per transaction), so a publish never
waits on a receiver inside its transaction and a rolled-back change sends nothing. Payloads carry
ids, slugs and URLs of what changed, never content: a receiver fetches the public API (which shows
only what is live).

Payload, for every type::

    {"type": "article.published", "timestamp": "2026-12-04T10:00:00+00:00",
     "data": {"id": 42, "slug": "repair-after-betrayal", "url": "https://…/trends/repair-after-betrayal/",
              "api_url": "https://…/api/v1/articles/repair-after-betrayal/"}}
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from website.public_url import public_root

from .models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)


def _absolute(url: str | None) -> str | None:
    if not url:
        return None
    return public_root() + url if url.startswith("/") else url


def article_data(article) -> dict[str, Any]:
    """``id``, ``slug``, the public page ``url`` (None while not live) and the API ``api_url``."""
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": _absolute(article.get_url()) if article.live else None,
        "api_url": _absolute(reverse("api_v1:article-detail", kwargs={"slug": article.slug})),
    }


def review_data(review) -> dict[str, Any]:
    article = review.article
    return {
        "id": review.pk,
        "reviewed_at": review.reviewed_at.isoformat(),
        "article": article_data(article),
    }


def review_reminder_data(article, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "review_due_at": article.review_due_at.isoformat() if article.review_due_at else None,
        "article": article_data(article),
    }


def listing_data(listing, action: str) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "slug": listing.slug,
        "action": action,
        "is_active": listing.is_active,
        "api_url": _absolute(reverse("api_v1:listing-detail", kwargs={"slug": listing.slug})),
    }


def build_payload(event_type: str, data: dict[str, Any], moment: datetime.datetime) -> dict[str, Any]:
    return {"type": event_type, "timestamp": moment.isoformat(), "data": data}


def subscribers(event_type: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(is_active=True) if event_type in (e.events or [])]


class _TransactionBatch:
    """The deliveries emitted in one transaction, enqueued together when it commits.

    Registered as an on-commit callback, so it lives exactly as long as the transaction: Django
    drops it on rollback and calls it on commit. It also coalesces an event emitted twice with the
    same data in one transaction (a listing saved, then saved again for its many-to-many fields).
    """

    def __init__(self):
        self.keys: set[tuple[str, str]] = set()
        self.delivery_ids: list[int] = []
        self.done = False

    def __call__(self):
        self.done = True
        enqueue_deliveries(self.delivery_ids)


def _transaction_batch() -> _TransactionBatch | None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _TransactionBatch) and not callback.done:
            return callback
    batch = _TransactionBatch()
    transaction.on_commit(batch)
    return batch


def emit(
    event_type: EventType | str, data: dict[str, Any], *, dedupe_key: str | None = None
) -> WebhookEvent | None:
    """Records an event and a delivery to each active endpoint subscribed to it.

    Returns the event, or None when nothing was written: no endpoint wants it, an event with
    ``dedupe_key`` was already emitted, or the same event was already emitted in this transaction.
    """
    event_type = str(event_type)
    endpoints = subscribers(event_type)
    if not endpoints:
        return None
    if dedupe_key and WebhookEvent.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    batch = _transaction_batch()
    key = (event_type, json.dumps(data, sort_keys=True, default=str))
    if batch is not None:
        if key in batch.keys:
            return None
        batch.keys.add(key)
    now = timezone.now()
    event = WebhookEvent.objects.create(
        type=event_type, payload=build_payload(event_type, data, now), created_at=now, dedupe_key=dedupe_key
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)
            for endpoint in endpoints
        ]
    )
    ids = [d.pk for d in deliveries]
    if batch is not None:
        batch.delivery_ids.extend(ids)
    else:
        enqueue_deliveries(ids)
    return event


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Enqueues one task per delivery; a queue that fails leaves them to ``deliver_webhooks``."""
    from .tasks import deliver_webhook

    for pk in delivery_ids:
        try:
            deliver_webhook.enqueue(pk)
        except Exception:
            logger.exception("webhooks: could not enqueue delivery %s; deliver_webhooks will send it", pk)
