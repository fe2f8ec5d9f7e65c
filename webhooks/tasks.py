"""The delivery task (django-tasks). Emitting enqueues one per delivery after the commit.

It never raises into whatever enqueued it: with the immediate backend that is an editor's publish,
which must not fail because a receiver is down. What fails is retried by ``deliver_webhooks``.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .delivery import attempt_delivery

logger = logging.getLogger(__name__)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Attempts one delivery if it is due; returns its status afterwards ("skipped" if not due)."""
    try:
        delivery = attempt_delivery(delivery_id)
    except Exception:
        logger.exception("webhooks: delivery %s could not be attempted", delivery_id)
        return "error"
    return delivery.status if delivery else "skipped"
