"""Validators (ETag, Last-Modified), Cache-Control and the response cache of API responses.

A view computes a *validator seed* from one cheap indexed query (never by building the response),
so that ``If-None-Match`` is answered with a 304 before any serialisation, and so that a response
already rendered for the same seed is served from the cache. The seed combines:

- the rows the response is about (e.g. the article's live revision and review, read per request);
- the *content generation* (``website.api.models.ContentGeneration``): a token in one database row
  that the receivers in ``website.api.apps`` renew on every save or delete of content (pages,
  articles, reviews, listings, people, topics, images…) and on every publish and unpublish. It is a
  primary-key read, the same for every process, and renewed inside the writer's transaction, so it
  changes exactly when the change becomes visible. Writes that send no signals (queryset
  ``update()``, ``bulk_create``, raw SQL) must call ``bump_content_generation()`` themselves;
- the next moment a live page expires (``next_expiry``), because expiry sends no signal until
  ``publish_scheduled`` runs;
- the query string and the reader's context, so different variants get different tags.

The rendered body is stored under its ETag (``cached_body`` / ``store_body``). Any change renews
the generation and so the tag: a stale entry is never addressed again and simply ages out.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import OrderedDict

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe

from website.conf import wellness_settings

# Bump when the representation changes shape, so clients do not keep responses of the old shape.
REPRESENTATION_VERSION = 2
GENERATION_PK = 1
BODY_KEY = "wellness:api:body:"


def generation_queryset():
    """The generation row as a queryset, for annotating it onto a view's own validator query."""
    from .models import ContentGeneration

    return ContentGeneration.objects.filter(pk=GENERATION_PK)


def content_generation() -> tuple[str, datetime.datetime]:
    """``(token, changed_at)`` of the content generation: one primary-key read, or none on
    PostgreSQL while this process's listener holds the committed token (``generation_watch``)."""
    from .generation_watch import watcher

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


def bump_content_generation(**kwargs) -> None:
    """Renews the generation token: anything that can appear in a response has changed.

    Also the signal receiver. The update takes the row's lock until the writer's transaction ends,
    so concurrent content writers serialise on it (editorial write rates make that harmless).
    """
    from .generation_watch import CHANNEL, watcher
    from .models import ContentGeneration, new_token

    if not generation_queryset().update(token=new_token(), changed_at=timezone.now()):
        ContentGeneration.objects.get_or_create(pk=GENERATION_PK)
    if connection.vendor == "postgresql":
        # Delivered at commit (never for a rolled-back change) to every process's listener.
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
        # This process does not wait for its own notification: an editor sees their change at once.
        transaction.on_commit(watcher.refresh)


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


# Per-process memo of values derived from one generation: only the current token's are kept.
_derived: dict[str, tuple[str, object]] = {}


def _memo(kind: str, token: str):
    found = _derived.get(kind)
    return found[1] if found is not None and found[0] == token else None


def _remember(kind: str, token: str, value) -> None:
    _derived[kind] = (token, value)


class GenerationMemo:
    """A per-process dict of values derived from published content, valid for one *key*.

    The key is the content generation token (renewed by every content change, publish, unpublish,
    view restriction and recommendation index update), the next page expiry, the date (review
    statuses move with time; lists and their ETags have the same day granularity) and any
    ``extra`` the values depend on. Asking with another key empties the memo, so nothing derived
    from an older generation is ever served. The token is read from the database, so each process's
    memo is as current as a shared cache would be, without a round trip.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self.key = None
        self.values: dict = {}
        _memos.append(self)

    def current(self, token: str | None, *extra) -> dict:
        """The memo's dict for this key; a throwaway dict when ``token`` is None (previews)."""
        if token is None:
            return {}
        key = (token, next_expiry(token), timezone.localdate(), *extra)
        if key != self.key:
            self.clear()
            self.key = key
        if len(self.values) >= self.max_entries:
            self.values.clear()
        return self.values

    def clear(self) -> None:
        self.key, self.values = None, {}


_memos: list[GenerationMemo] = []


def clear_process_memos() -> None:
    """Forgets every per-process memo of derived values (tests; the token keeps them correct)."""
    _derived.clear()
    local_bodies.clear()
    for memo in _memos:
        memo.clear()


def restricted_paths(token: str) -> tuple[str, ...]:
    """Tree paths of pages with a view restriction (their subtrees are hidden), per generation.

    Saving or deleting a restriction renews the token, so the tuple is never out of date; it lets a
    validator check visibility in Python instead of compiling ``visible()``'s subquery per request.
    Kept in process memory per token (the token comes from the database, so this is as correct as
    a shared cache and costs no round trip).
    """
    from wagtail.models import PageViewRestriction

    paths = _memo("restricted", token)
    if paths is None:
        paths = tuple(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
        _remember("restricted", token, paths)
    return paths


def hidden_section_paths(token: str) -> tuple[str, ...]:
    """Tree paths of pages with children that readers cannot see (unpublished, or past their
    expiry date): everything below them is hidden too, as ``visible()`` says.

    Kept per generation token and the next expiry moment, so a section expiring by the clock is
    picked up when its moment passes.
    """
    from wagtail.models import Page

    key = f"{token}:{next_expiry(token)}"
    paths = _memo("hidden-sections", key)
    if paths is None:
        paths = tuple(
            Page.objects.filter(depth__gt=1, numchild__gt=0)
            .filter(Q(live=False) | Q(expire_at__lte=timezone.now()))
            .values_list("path", flat=True)
        )
        _remember("hidden-sections", key, paths)
    return paths


def make_etag(*parts) -> str:
    """A weak entity tag over ``parts``: plain values, lists, dicts, dataclasses and datetimes.

    Hashes their ``repr``, a third of the cost of a sorted JSON dump on the 304 path. Callers
    build dicts in a fixed key order; a different order would only cost a cache miss.
    """
    payload = repr((REPRESENTATION_VERSION, parts))
    return 'W/"' + hashlib.sha256(payload.encode()).hexdigest()[:40] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


class LocalBodies:
    """The most recently used response bodies of this process for the current generation.

    In front of the shared cache: a hit here costs neither a round trip to Redis nor unpickling
    45 KB. Entries are keyed by ETag like the shared cache's, and every ETag includes the content
    generation token, so the entries of an older token can never be addressed again: a new token
    empties the store, and a byte budget bounds it within one generation.
    """

    def __init__(self):
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.token: str | None = None

    def for_token(self, token: str) -> LocalBodies:
        if token != self.token:
            self.clear()
            self.token = token
        return self

    def get(self, key: str) -> bytes | None:
        body = self.entries.get(key)
        if body is not None:
            self.entries.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        budget = wellness_settings.API_LOCAL_RESPONSE_CACHE_BYTES
        if len(body) > budget // 4 or key in self.entries:
            return
        self.entries[key] = body
        self.size += len(body)
        while self.size > budget:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0
        self.token = None


local_bodies = LocalBodies()


def cached_body(etag: str, token: str) -> bytes | None:
    """The rendered body stored for ``etag`` (whose parts include ``token``), if the cache is on."""
    if not wellness_settings.API_RESPONSE_CACHE_TIMEOUT:
        return None
    key = BODY_KEY + _opaque(etag).strip('"')
    local = local_bodies.for_token(token)
    body = local.get(key)
    if body is None:
        body = cache.get(key)
        if body is not None:
            local.put(key, body)
    return body


def store_body(etag: str, token: str, body: bytes) -> None:
    timeout = wellness_settings.API_RESPONSE_CACHE_TIMEOUT
    if timeout:
        key = BODY_KEY + _opaque(etag).strip('"')
        cache.set(key, body, timeout=timeout)
        local_bodies.for_token(token).put(key, body)


def is_not_modified(request, etag: str | None, last_modified: datetime.datetime | None) -> bool:
    """Whether the client's copy is current (RFC 9110 weak comparison; If-None-Match wins)."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        if etag is None:
            return False
        wanted = _opaque(etag)
        return any(t.strip() == "*" or _opaque(t) == wanted for t in if_none_match.split(","))
    if_modified_since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since and last_modified is not None:
        since = parse_http_date_safe(if_modified_since)
        return since is not None and int(last_modified.timestamp()) <= since
    return False


def set_validators(
    response, etag: str | None, last_modified: datetime.datetime | None, cache_control: str | None = None
) -> None:
    if etag:
        response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control or wellness_settings.API_CACHE_CONTROL


def latest(*moments) -> datetime.datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None
