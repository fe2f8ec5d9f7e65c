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

from website.freshness import content_changed

REVIEW_DUE_WARNING_DAYS = 30
STATUSES = ("reviewed", "changed_since_review", "review_due", "review_overdue", "not_reviewed")


class ReviewError(Exception):
    """An approval that cannot become an expert review (e.g. the user is nobody's login)."""


def content_fingerprint(article) -> str:
    """A hash of what a reviewer vouches for: title, standfirst and body blocks.

    The body is read block by block first, so that raw stored data (an imported revision, whose
    blocks lack their defaults) and the same content after a save hash alike.
    """
    body = article.body
    if body is not None:
        list(body)
    payload = {
        "title": article.title,
        "standfirst": article.standfirst,
        "body": body.get_prep_value() if body is not None else [],
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
    if article.review_due_at and article.review_due_at <= now + datetime.timedelta(
        days=REVIEW_DUE_WARNING_DAYS
    ):
        return "review_due"
    return "reviewed"


def annotate_review_status(
    queryset: models.QuerySet, now: datetime.datetime | None = None
) -> models.QuerySet:
    """Adds ``review_status_db`` so that lists can filter and order by status in the database."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=REVIEW_DUE_WARNING_DAYS)
    return queryset.annotate(
        review_status_db=Case(
            When(last_review__isnull=True, then=Value("not_reviewed")),
            When(
                ~Q(live_fingerprint="") & ~Q(live_fingerprint=F("last_review__content_fingerprint")),
                then=Value("changed_since_review"),
            ),
            When(review_due_at__lte=now, then=Value("review_overdue")),
            When(review_due_at__lte=soon, then=Value("review_due")),
            default=Value("reviewed"),
            output_field=models.CharField(),
        )
    )


def _newest_review(article_id: int, fingerprint: str | None = None):
    from .models import ExpertReview

    reviews = ExpertReview.objects.filter(article_id=article_id)
    if fingerprint is not None:
        reviews = reviews.filter(content_fingerprint=fingerprint)
    return reviews.select_related("reviewer").order_by("-reviewed_at", "-pk").first()


def reviewed_revision(task_state):
    """The revision an approval of ``task_state`` vouches for: the article's latest one.

    While the review step is open only the reviewers (and administrators) can edit, so that is the
    content the reviewer has in front of them, including any correction they saved while reviewing.
    """
    from .models import ArticlePage

    article = ArticlePage.objects.get(pk=task_state.revision.object_id)
    return article, article.get_latest_revision() or task_state.revision


def approval_refusal(task_state, user) -> str | None:
    """Why ``user`` may not approve the expert review step ``task_state``; ``None`` when they may.

    The approval is what the "Expert-Reviewed by" line claims, so it must come from the reviewer's
    own login, linked before this review started (a login relinked half-way through a review cannot
    finish it), from an expert who did not write the article at the revision under review.
    """
    from experts.models import Person

    person = Person.objects.filter(user=user, is_reviewer=True).first()
    if person is None:
        return "Only a user linked to an expert reviewer's profile can approve an expert review."
    if person.user_linked_at is None or person.user_linked_at > task_state.started_at:
        return (
            f"Your login was linked to {person.display_name} after this review started, so it cannot "
            "approve it; another reviewer can, or the article can be submitted again."
        )
    _article, revision = reviewed_revision(task_state)
    authors = {rel.person_id for rel in revision.as_object().article_authors.all()}
    if person.pk in authors:
        return (
            f"{person.display_name} is an author of this article and cannot approve its expert review; "
            "another expert reviewer must review it."
        )
    return None


@transaction.atomic
def record_review(task_state, user, summary: str, conflict_of_interest: str = ""):
    """Creates the ExpertReview for ``user``'s approval of the article in ``task_state``.

    The review is pinned to ``reviewed_revision``. The byline does not change here:
    ``refresh_review_state`` points the article at the review once the reviewed content is live.
    """
    from experts.models import Person

    from .models import ExpertReview

    refusal = approval_refusal(task_state, user)
    if refusal:
        raise ReviewError(refusal)
    if not (summary or "").strip():
        raise ReviewError("An expert review needs a summary.")
    person = Person.objects.get(user=user, is_reviewer=True)
    article, revision = reviewed_revision(task_state)
    reviewed = revision.as_object()
    review = ExpertReview.objects.create(
        article=article,
        revision=revision,
        reviewer=person,
        reviewed_by_user=user,
        summary=summary.strip(),
        conflict_of_interest=(conflict_of_interest or "").strip(),
        content_fingerprint=content_fingerprint(reviewed),
        source=ExpertReview.Source.WORKFLOW,
    )
    refresh_review_state(article)
    return review


@transaction.atomic
def record_imported_review(article, reviewer, reviewed_at, summary: str, revision=None):
    """Records a review carried over from another system; it vouches for ``article``'s content as
    given (the live content, or the imported ``revision`` about to be published)."""
    from .models import ArticlePage, ExpertReview

    review = ExpertReview.objects.create(
        article=article,
        revision=revision or article.live_revision,
        reviewer=reviewer,
        reviewed_at=reviewed_at,
        summary=summary,
        content_fingerprint=content_fingerprint(revision.as_object() if revision else article),
        source=ExpertReview.Source.IMPORTED,
    )
    newest = _newest_review(article.pk)
    ArticlePage.objects.filter(pk=article.pk).update(last_review=newest)
    refresh_review_state(article)
    return review


def refresh_review_state(article) -> None:
    """Recomputes which review the live article carries, its live fingerprint and its due date.

    Called after every publish (and after every new review). The byline follows the newest review
    of exactly the live content; when the live content was never reviewed, the previous review
    stays and the status shows ``changed_since_review``. A queryset update (no revision, no
    signal), so it declares the change itself: bylines and review badges show these fields.
    """
    from .models import ArticlePage

    live = ArticlePage.objects.select_related("last_review").get(pk=article.pk)
    fingerprint = content_fingerprint(live) if live.live else ""
    review = live.last_review
    if fingerprint:
        review = _newest_review(live.pk, fingerprint) or review
    due = add_months(review.reviewed_at, review_interval_months(live)) if review else None
    ArticlePage.objects.filter(pk=article.pk).update(
        last_review=review, live_fingerprint=fingerprint, review_due_at=due
    )
    content_changed()
    article.last_review, article.live_fingerprint, article.review_due_at = review, fingerprint, due


def refresh_section_due_dates(section) -> int:
    """Recomputes due dates of a section's articles after its review interval changed."""
    from .models import ArticlePage

    articles = (
        ArticlePage.objects.child_of(section).filter(last_review__isnull=False).select_related("last_review")
    )
    changed = 0
    for article in articles:
        due = add_months(article.last_review.reviewed_at, section.review_interval_months)
        if due != article.review_due_at:
            ArticlePage.objects.filter(pk=article.pk).update(review_due_at=due)
            changed += 1
    if changed:
        content_changed()
    return changed
