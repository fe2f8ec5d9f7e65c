"""Expert review bookkeeping: recording approvals, fingerprints of reviewed content, status.

Status of an article, most urgent first:

- ``not_reviewed``: no expert review on record;
- ``changed_since_review``: the live title, standfirst or body differ from the reviewed revision;
- ``review_overdue``: the section's review interval has passed since the last review;
- ``review_due``: it passes within ``REVIEW_DUE_WARNING_DAYS``;
- ``reviewed``: the live content is what the expert approved, and the review is current.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

REVIEW_DUE_WARNING_DAYS = 30
STATUSES = ("reviewed", "changed_since_review", "review_due", "review_overdue", "not_reviewed")


class ReviewError(Exception):
    """An approval that cannot become an expert review (e.g. the user is nobody's login)."""


def content_fingerprint(article) -> str:
    """A hash of what a reviewer vouches for: title, standfirst and body blocks."""
    payload = {
        "title": article.title,
        "standfirst": article.standfirst,
        "body": article.body.get_prep_value() if article.body is not None else [],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def review_interval_months(article) -> int:
    from .models import SectionPage

    section = SectionPage.objects.filter(pk=article.get_parent().pk).only("review_interval_months").first()
    return section.review_interval_months if section else 12


def review_status(article, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    review = article.last_review
    if review is None:
        return "not_reviewed"
    if article.live and article.live_fingerprint and article.live_fingerprint != review.content_fingerprint:
        return "changed_since_review"
    if article.review_due_at and article.review_due_at <= now:
        return "review_overdue"
    if article.review_due_at and article.review_due_at <= now + datetime.timedelta(days=REVIEW_DUE_WARNING_DAYS):
        return "review_due"
    return "reviewed"


def annotate_review_status(queryset: models.QuerySet, now: datetime.datetime | None = None) -> models.QuerySet:
    """Adds ``review_status_db`` so that lists can filter and order by status in the database."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=REVIEW_DUE_WARNING_DAYS)
    return queryset.annotate(
        review_status_db=Case(
            When(last_review__isnull=True, then=Value("not_reviewed")),
            When(~Q(live_fingerprint="") & ~Q(live_fingerprint=F("last_review__content_fingerprint")),
                 then=Value("changed_since_review")),
            When(review_due_at__lte=now, then=Value("review_overdue")),
            When(review_due_at__lte=soon, then=Value("review_due")),
            default=Value("reviewed"),
            output_field=models.CharField(),
        )
    )


def _apply_review(article, review) -> None:
    """Points the article at its newest review; a queryset update, so no new revision or signal."""
    from .models import ArticlePage, ExpertReview

    latest = ExpertReview.objects.filter(article_id=article.pk).order_by("-reviewed_at", "-pk").first()
    if latest is None or latest.pk != review.pk:
        review = latest
    due = add_months(review.reviewed_at, review_interval_months(article)) if review else None
    ArticlePage.objects.filter(pk=article.pk).update(last_review=review, review_due_at=due)
    article.last_review, article.review_due_at = review, due


@transaction.atomic
def record_review(task_state, user, summary: str, conflict_of_interest: str = ""):
    """Creates the ExpertReview for an approval of ``task_state``'s revision by ``user``."""
    from experts.models import Person

    from .models import ArticlePage, ExpertReview

    person = Person.objects.filter(user=user, is_reviewer=True).first()
    if person is None:
        raise ReviewError("Only a user linked to an expert reviewer's profile can approve an expert review.")
    if not (summary or "").strip():
        raise ReviewError("An expert review needs a summary.")
    revision = task_state.revision
    reviewed = revision.as_object()
    article = ArticlePage.objects.get(pk=revision.object_id)
    review = ExpertReview.objects.create(
        article=article, revision=revision, reviewer=person, reviewed_by_user=user,
        summary=summary.strip(), conflict_of_interest=(conflict_of_interest or "").strip(),
        content_fingerprint=content_fingerprint(reviewed), source=ExpertReview.Source.WORKFLOW,
    )
    _apply_review(article, review)
    return review


@transaction.atomic
def record_imported_review(article, reviewer, reviewed_at, summary: str):
    """Records a review carried over from another system; it vouches for the current live content."""
    from .models import ExpertReview

    review = ExpertReview.objects.create(
        article=article, revision=article.live_revision, reviewer=reviewer, reviewed_at=reviewed_at,
        summary=summary, content_fingerprint=content_fingerprint(article), source=ExpertReview.Source.IMPORTED,
    )
    _apply_review(article, review)
    refresh_review_state(article)
    return review


def refresh_review_state(article) -> None:
    """Recomputes the live fingerprint and due date after a publish (or any live change)."""
    from .models import ArticlePage

    live = ArticlePage.objects.get(pk=article.pk)
    fingerprint = content_fingerprint(live) if live.live else ""
    due = None
    if live.last_review_id:
        due = add_months(live.last_review.reviewed_at, review_interval_months(live))
    ArticlePage.objects.filter(pk=article.pk).update(live_fingerprint=fingerprint, review_due_at=due)
    article.live_fingerprint, article.review_due_at = fingerprint, due
