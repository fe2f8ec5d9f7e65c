"""The publishing gate: no article goes live in a section that requires expert review unless an
expert review, or an administrator's recorded override, covers exactly the text being published.

What covers a revision is decided the way the byline is (``articles.reviews``): by the content
fingerprint of its title, standfirst and body. A workflow approval pins the reviewed revision's
fingerprint; an imported review pins the imported content's. So a later change of topics, authors
or images keeps the article publishable, and any change of the text needs a new review. An override
(``PublishOverride``) is pinned the same way: it covers the text of the revision it was recorded
for, never a later edit of it.

Every way of publishing passes through here: ``ArticlePage.publish`` (``revision.publish()``, the
create view, the workflow's final approval, bulk publish, scheduled go-live, the importer) checks
before anything is written; the ``before_publish_page`` admin hook checks the edit view (which runs
Wagtail's publish action directly) and answers with a message; and ``ArticlePage.save`` checks
again any save that makes a new revision live, the last line for code that bypasses both.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.actions.publish_page_revision import PublishPagePermissionError

from .reviews import content_fingerprint

OVERRIDE_PERMISSION = "articles.record_publishoverride"


class ReviewRequiredError(PublishPagePermissionError):
    """Publishing refused: the section requires an expert review and none covers this text.

    A ``PermissionDenied`` (through Wagtail's ``PublishPermissionError``), so any admin view that
    does not catch it still refuses rather than publishes.
    """


def requires_review(article) -> bool:
    """Whether ``article``'s section requires an expert review before publishing."""
    from .models import SectionPage

    parent = article.get_parent()
    if parent is None:
        return False
    return SectionPage.objects.filter(pk=parent.pk, expert_review_required=True).exists()


def covering_review(article, fingerprint: str):
    """The newest expert review of ``article`` whose content is exactly ``fingerprint``, or None."""
    from .models import ExpertReview

    return (
        ExpertReview.objects.filter(article_id=article.pk, content_fingerprint=fingerprint)
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def covering_override(article, fingerprint: str):
    """The newest override recorded for ``article``'s text ``fingerprint``, or None."""
    from .models import PublishOverride

    return (
        PublishOverride.objects.filter(article_id=article.pk, content_fingerprint=fingerprint)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def publish_refusal(article, revision=None, content=None) -> str | None:
    """Why ``revision`` of ``article`` may not be published; ``None`` when it may.

    Args:
        article: the ``ArticlePage`` (saved; its parent decides whether the gate applies).
        revision: the revision to publish; its content is what is checked.
        content: the page object holding that content, when the caller already has it.
    """
    if article.pk is None or not requires_review(article):
        return None
    if content is None:
        content = revision.as_object() if revision is not None else article
    fingerprint = content_fingerprint(content)
    if covering_review(article, fingerprint) or covering_override(article, fingerprint):
        return None
    return (
        f"“{content.title}” was not published: its section requires an expert review before "
        "publishing, and no expert review covers this text (title, standfirst and body). Submit it "
        "for review, or ask an administrator to record an override with a reason."
    )


def ensure_publishable(article, revision=None, content=None) -> None:
    """Raises ``ReviewRequiredError`` when ``publish_refusal`` gives a reason."""
    refusal = publish_refusal(article, revision, content)
    if refusal:
        raise ReviewRequiredError(refusal)


@transaction.atomic
def record_override(article, user, reason: str, revision=None):
    """Records an administrator's override allowing ``revision``'s text to be published unreviewed.

    Args:
        article: the ``ArticlePage``.
        user: who records it; must hold ``OVERRIDE_PERMISSION`` (superusers do).
        reason: why the article may go out without expert review; required.
        revision: the revision it covers; the article's latest revision when omitted.

    Returns:
        The new ``PublishOverride``. Overrides are never edited or deleted by later changes.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from .models import PublishOverride

    if user is not None and not user.has_perm(OVERRIDE_PERMISSION):
        raise PermissionDenied("Only an administrator can record an override of the expert review.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this article may be published without expert review."})
    if revision is None:
        # From the database: an object loaded before the last save has a stale latest revision.
        revision = type(article).objects.get(pk=article.pk).get_latest_revision()
    content = revision.as_object() if revision is not None else article
    return PublishOverride.objects.create(
        article=article,
        revision=revision,
        content_fingerprint=content_fingerprint(content),
        recorded_by=user,
        reason=reason,
    )
