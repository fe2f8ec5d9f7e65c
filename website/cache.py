"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of failing requests.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when the server is down,
and the site's cache users (API validators, the recommendations circuit breaker, the sign-in
throttle) would turn that into 500s. ``TolerantRedisCache`` (used whenever ``REDIS_URL`` is set)
answers as an empty cache while the connection fails: reads miss, writes are dropped, ``add``
reports nothing added, ``incr`` raises ``ValueError`` like a missing key. Each call still tries
the server, so the cache is back as soon as Redis is; short socket timeouts (settings) bound what a
hanging server costs. Failures are logged at most once every ``LOG_EVERY`` seconds per process.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY = 30.0


def _tolerant(fallback):
    """Wrap a cache method: on a connection failure, log (rate-limited) and return ``fallback(...)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as e:
                self._report(method.__name__, e)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default_arg(key, default=None, *args, **kwargs):
    return kwargs.get("default", default)


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (cache unavailable).")


class TolerantRedisCache(RedisCache):
    """``RedisCache`` that behaves as an empty cache while Redis cannot be reached."""

    _last_report = 0.0

    def _report(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - TolerantRedisCache._last_report >= LOG_EVERY:
            TolerantRedisCache._last_report = now
            logger.warning("cache unavailable (%s failed: %s); serving without cache", operation, error)

    get = _tolerant(_default_arg)(RedisCache.get)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _tolerant(_missing_key)(RedisCache.incr)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)
