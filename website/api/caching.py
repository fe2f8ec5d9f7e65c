"""Entity tags and the response cache of API responses.

A view computes a *validator seed* from one cheap indexed query (never by building the response),
so that ``If-None-Match`` is answered with a 304 (Django's ``get_conditional_response``, called by
``website.api.views.ApiView``) before any serialisation, and so that a response already rendered
for the same seed is served from the cache. The seed combines:

- the rows the response is about (e.g. the article's live revision and review, read per request);
- the *content generation* (``website.freshness``): a token in one database row that every write
  of content shown to readers renews (``content_changed``, called by the receivers of the models
  each app declares as shown, and by every writer that sends no signal). It is a primary-key read,
  the same for every process, and renewed inside the writer's transaction, so it changes exactly
  when the change becomes visible;
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

from website.conf import wellness_settings
from website.freshness import register_process_memo

# Bump when the representation changes shape, so clients do not keep responses of the old shape.
REPRESENTATION_VERSION = 2
BODY_KEY = "wellness:api:body:"


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
register_process_memo(local_bodies)


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


def latest(*moments) -> datetime.datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None
