"""Receivers that keep the engine's search index in step with content. They only enqueue tasks.

Articles: publish, move → index; unpublish, delete → remove (after the transaction commits, so a
rolled-back publish indexes nothing). Topics: a change of a name or synonyms reaches the index's
search-time synonym filter only through a new index, so it enqueues a rebuild. Nothing is enqueued
while search runs on the database (Wagtail keeps its own index).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from articles.models import ArticlePage
from experts.models import Topic

from . import tasks
from .conf import search_setting


def _on_engine() -> bool:
    return search_setting("SEARCH_BACKEND") != "database"


def enqueue_article(task, instance) -> None:
    if _on_engine():
        meta = ArticlePage._meta  # a signal may send a base Page
        key = (meta.app_label, meta.model_name, instance.pk)
        transaction.on_commit(lambda: task.enqueue(*key))


@receiver(page_published, sender=ArticlePage)
def article_published(sender, instance, **kwargs):
    enqueue_article(tasks.index_object, instance)


@receiver(post_page_move, sender=ArticlePage)
def article_moved(sender, instance, **kwargs):
    enqueue_article(tasks.index_object, instance)


@receiver(page_unpublished, sender=ArticlePage)
def article_unpublished(sender, instance, **kwargs):
    enqueue_article(tasks.remove_object, instance)


@receiver(post_delete, sender=ArticlePage)
def article_deleted(sender, instance, **kwargs):
    enqueue_article(tasks.remove_object, instance)


def _enqueue_rebuild() -> None:
    tasks.rebuild_index.enqueue()


@receiver(post_save, sender=Topic)
@receiver(post_delete, sender=Topic)
def topic_changed(sender, instance, raw=False, **kwargs):
    if not _on_engine() or raw:
        return
    # One rebuild per transaction, however many topics it saves (an import saves dozens).
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _enqueue_rebuild for _sids, callback, *_rest in pending):
        transaction.on_commit(_enqueue_rebuild)
