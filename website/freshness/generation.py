"""The content generation token, the one boundary that renews it, and what is derived per token.

Everything a reader can be served from memory or a cache (API bodies, ETags, the per-process read
model ``articles.readmodel`` and what is derived from it) is keyed by the token of the
``ContentGeneration`` row. So freshness has one rule: **a write that changes what a reader may see
calls ``content_changed()``**, and everything keyed by the old token is never addressed again.

Most writers never call it by hand: saving or deleting a row of a model its app declared as shown
(``website.freshness.shown``) calls it through a signal. Writes that send no signal
(``QuerySet.update``, ``bulk_create``/``bulk_update``, raw SQL, the recommendation and search index
updates) call it themselves; docs/architecture.md lists them.

The renewal is an ``UPDATE`` of the row inside the writer's transaction, so the new token commits
together with the change (and never without it: a rolled-back write leaves the token as it was).
That takes the row's lock until the writer commits, so concurrent content writers serialise on it,
which editorial write rates make harmless. On PostgreSQL, a ``NOTIFY`` in the same transaction tells
every process's listener (``website.freshness.watch``) once the change is committed.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

GENERATION_PK = 1


def content_changed(**_signal) -> None:
    """Declares that content readers can see has changed: renews the generation with the change.

    Call it after any write that sends no ``post_save``/``post_delete`` signal for a model declared
    as shown. Also usable as a signal receiver (signal arguments are ignored).
    """
    from .models import ContentGeneration, new_token
    from .watch import CHANNEL, watcher

    if not generation_queryset().update(token=new_token(), changed_at=timezone.now()):
        ContentGeneration.objects.get_or_create(pk=GENERATION_PK)
    if connection.vendor == "postgresql":
        # Delivered at commit (never for a rolled-back change) to every process's listener.
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
        # This process does not wait for its own notification: an editor sees their change at once.
        transaction.on_commit(watcher.refresh)


def generation_queryset():
    """The generation row as a queryset, for annotating it onto a view's own validator query."""
    from .models import ContentGeneration

    return ContentGeneration.objects.filter(pk=GENERATION_PK)


def content_generation() -> tuple[str, datetime.datetime]:
    """``(token, changed_at)`` of the content generation: one primary-key read, or none on
    PostgreSQL while this process's listener holds the committed token (``watch``)."""
    from .watch import watcher

    return watcher.known() or read_generation()


def generation_table() -> str:
    from .models import ContentGeneration

    return connection.ops.quote_name(ContentGeneration._meta.db_table)


def read_generation() -> tuple[str, datetime.datetime]:
    """``(token, changed_at)`` read from the database."""
    from .models import ContentGeneration

    table = generation_table()
    with connection.cursor() as cursor:  # a raw primary-key read: the ORM would cost more than the query
        cursor.execute(f"SELECT token, changed_at FROM {table} WHERE id = %s", [GENERATION_PK])
        row = cursor.fetchone()
    if row is not None:
        row = (row[0], as_datetime(row[1]))
    else:  # a flushed database (tests) has no row until the first read or change
        created, _ = ContentGeneration.objects.get_or_create(pk=GENERATION_PK)
        row = (created.token, created.changed_at)
    return row


def as_datetime(value) -> datetime.datetime | None:
    """A timestamp column read through a raw cursor (SQLite gives text) as an aware datetime."""
    moment = value if value is None or isinstance(value, datetime.datetime) else parse_datetime(str(value))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def next_expiry(token: str) -> datetime.datetime | None:
    """The earliest ``expire_at`` still ahead among live pages, recomputed once it has passed.

    Kept in process memory per generation token (any change to a page's expiry renews the token);
    a process that finds the moment passed recomputes it, which changes every tag that includes it.
    """
    from wagtail.models import Page

    now = timezone.now()
    cached = _memo("expiry", token)
    if cached is not None and (cached[0] is None or cached[0] > now):
        return cached[0]
    moment = Page.objects.filter(live=True, expire_at__gt=now).aggregate(m=Min("expire_at"))["m"]
    _remember("expiry", token, (moment,))
    return moment


# The next expiry per token (the ETag includes it): only the current token's is kept.
_derived: dict[str, tuple[str, object]] = {}


def _memo(kind: str, token: str):
    found = _derived.get(kind)
    return found[1] if found is not None and found[0] == token else None


def _remember(kind: str, token: str, value) -> None:
    _derived[kind] = (token, value)


_memos: list = []


def register_process_memo(memo) -> None:
    """Adds an object with a ``clear()`` method (the read model, the body store) to those
    ``clear_process_memos`` empties."""
    _memos.append(memo)


def clear_process_memos() -> None:
    """Forgets every per-process memo of derived values (tests; the token keeps them correct)."""
    _derived.clear()
    for memo in _memos:
        memo.clear()
