"""Receivers that turn content changes into webhook events. They only write rows (webhooks.events).

Connected from ``WebhooksConfig.ready``: the content apps know nothing of webhooks.

- an article published for the first time, or again after being unpublished: ``article.published``;
  published while already live: ``article.updated``; unpublished: ``article.unpublished`` (an
  article that was never published, a draft, sends nothing);
- a new expert review: ``review.recorded``;
- a listing saved or deleted: ``listing.changed``.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageLogEntry
from wagtail.signals import page_published, page_unpublished

from articles.models import ArticlePage, ExpertReview
from experts.models import Listing

from .events import article_data, emit, listing_data, review_data, subscribers
from .models import EventType

PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")
UNPUBLISH_ACTIONS = ("wagtail.unpublish", "wagtail.unpublish.scheduled")


def was_live_before(article) -> bool:
    """Whether ``article`` was live before the publish being handled.

    Wagtail logs a publish only after ``page_published`` is sent, so the newest publish or unpublish
    in the log is the state before this one. Pages published without a log entry (imports) fall
    back to the publication dates: a first publication sets both to the same moment.
    """
    last = (
        PageLogEntry.objects.filter(page_id=article.pk, action__in=PUBLISH_ACTIONS + UNPUBLISH_ACTIONS)
        .order_by("-timestamp", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    if last is not None:
        return last in PUBLISH_ACTIONS
    first, latest = article.first_published_at, article.last_published_at
    return bool(first and latest and first != latest)


@receiver(page_published, sender=ArticlePage)
def article_published(sender, instance, **kwargs):
    if not (subscribers(EventType.ARTICLE_PUBLISHED) or subscribers(EventType.ARTICLE_UPDATED)):
        return
    event = EventType.ARTICLE_UPDATED if was_live_before(instance) else EventType.ARTICLE_PUBLISHED
    emit(event, article_data(instance))


@receiver(page_unpublished, sender=ArticlePage)
def article_unpublished(sender, instance, **kwargs):
    if instance.first_published_at is None:
        return  # a draft that was never public: nothing for a front end to drop
    emit(EventType.ARTICLE_UNPUBLISHED, article_data(instance))


@receiver(post_save, sender=ExpertReview)
def review_recorded(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        emit(EventType.REVIEW_RECORDED, review_data(instance))


@receiver(post_save, sender=Listing)
def listing_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        emit(EventType.LISTING_CHANGED, listing_data(instance, "saved"))


@receiver(post_delete, sender=Listing)
def listing_deleted(sender, instance, **kwargs):
    emit(EventType.LISTING_CHANGED, listing_data(instance, "deleted"))
