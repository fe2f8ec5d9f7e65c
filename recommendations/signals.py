"""Receivers that keep recommendations in step with content. They only enqueue tasks.

Each enqueues ``(app_label, model_name, pk)`` after the transaction commits, so a rolled-back
publish indexes nothing and the task reads committed data.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from articles.models import ArticlePage
from experts.models import Listing

from . import tasks


def enqueue(task, instance, model=None) -> None:
    """``model``: the class to name, when a signal may send a base ``Page`` rather than the article."""
    meta = (model or instance)._meta
    key = (meta.app_label, meta.model_name, instance.pk)
    transaction.on_commit(lambda: task.enqueue(*key))


@receiver(page_published, sender=ArticlePage)
def article_published(sender, instance, **kwargs):
    enqueue(tasks.index_object, instance, ArticlePage)


@receiver(post_page_move, sender=ArticlePage)
def article_moved(sender, instance, **kwargs):
    enqueue(tasks.index_object, instance, ArticlePage)


@receiver(page_unpublished, sender=ArticlePage)
def article_unpublished(sender, instance, **kwargs):
    enqueue(tasks.remove_object, instance, ArticlePage)


@receiver(post_delete, sender=ArticlePage)
def article_deleted(sender, instance, **kwargs):
    enqueue(tasks.remove_object, instance, ArticlePage)


@receiver(post_save, sender=Listing)
def listing_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue(tasks.index_object, instance)


@receiver(post_delete, sender=Listing)
def listing_deleted(sender, instance, **kwargs):
    enqueue(tasks.remove_object, instance)
