"""Review due and overdue events: found by a scan, since no save marks the moment a date passes.

``deliver_webhooks`` runs the scan each time (from cron). Each live article whose review status is
``review_due`` or ``review_overdue`` is reported once per due date and status (the event's
``dedupe_key``), so a new review, which moves the due date, starts afresh.
"""

from __future__ import annotations

from articles.models import ArticlePage
from articles.reviews import annotate_review_status

from .events import emit, review_reminder_data, subscribers
from .models import EventType

STATUS_EVENTS = {"review_due": EventType.REVIEW_DUE, "review_overdue": EventType.REVIEW_OVERDUE}


def emit_review_reminders() -> int:
    """Emits the review due/overdue events not sent yet; returns how many were emitted."""
    wanted = {status: event for status, event in STATUS_EVENTS.items() if subscribers(event)}
    if not wanted:
        return 0
    articles = annotate_review_status(ArticlePage.objects.live()).filter(review_status_db__in=list(wanted))
    emitted = 0
    for article in articles.order_by("pk"):
        status = article.review_status_db
        key = f"{wanted[status].value}:{article.pk}:{article.review_due_at.isoformat()}"
        if emit(wanted[status], review_reminder_data(article, status), dedupe_key=key):
            emitted += 1
    return emitted
