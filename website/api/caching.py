"""Validators (ETag, Last-Modified) and Cache-Control for API responses.

A view computes a *validator seed* from a few cheap aggregate queries (never by building the
response), so that ``If-None-Match`` can be answered with a 304 before any serialisation. The seed
combines what the response depends on:

- the rows it shows (e.g. the article's live revision and last review);
- ``content_versions()``: aggregates over live articles and listings (a publish, an unpublish, a new
  review or an edited listing anywhere changes them) and a generation token that signal receivers
  renew on every save or delete of content models (people, credentials, topics, images…);
- the query string and the reader's context, so different variants get different tags.

The generation token lives in the cache: shared between processes with Redis, per process with the
local-memory cache, where the database aggregates still catch publishes, reviews and listing edits.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.http import http_date, parse_http_date_safe

from website.conf import wellness_settings

# Bump when the representation changes shape, so clients do not keep responses of the old shape.
REPRESENTATION_VERSION = 1
GENERATION_KEY = "wellness:api:generation"


def content_generation() -> str:
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(GENERATION_KEY, token, timeout=None)
        token = cache.get(GENERATION_KEY, token)
    return token


def renew_content_generation(**kwargs) -> None:
    """Signal receiver: anything that can appear in a response has changed."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def articles_version() -> dict:
    from articles.models import ArticlePage

    return ArticlePage.objects.live().aggregate(
        published=Max("last_published_at"),
        live=Count("pk"),
        review_max=Max("last_review_id"),
        review_sum=Sum("last_review_id"),
        revision_sum=Sum("live_revision_id"),
    )


def listings_version() -> dict:
    from experts.models import Listing

    return Listing.objects.aggregate(
        updated=Max("updated_at"), total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )


def make_etag(*parts) -> str:
    """A weak entity tag over ``parts`` (any JSON-serialisable values)."""
    payload = json.dumps([REPRESENTATION_VERSION, content_generation(), *parts], sort_keys=True, default=str)
    return 'W/"' + hashlib.sha256(payload.encode()).hexdigest()[:40] + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


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
