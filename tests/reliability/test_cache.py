"""The tolerant Redis cache (website.cache) answers as an empty cache while Redis is unreachable."""

import socket

import pytest

from website.cache import TolerantRedisCache


@pytest.fixture
def down_cache():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return TolerantRedisCache(
        f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )


def test_reads_miss_and_writes_are_dropped(down_cache):
    down_cache.set("k", 1)
    assert down_cache.get("k") is None
    assert down_cache.get("k", "fallback") == "fallback"
    assert down_cache.get("k", default=7) == 7
    assert down_cache.get_many(["k", "j"]) == {}
    assert down_cache.add("k", 1) is False
    assert down_cache.has_key("k") is False
    assert down_cache.delete("k") is False
    down_cache.delete_many(["k"])
    assert down_cache.set_many({"a": 1}) == []


def test_get_or_set_computes_the_value(down_cache):
    assert down_cache.get_or_set("k", lambda: 42) == 42


def test_incr_behaves_like_a_missing_key(down_cache):
    with pytest.raises(ValueError):
        down_cache.incr("k")


def test_a_plain_redis_cache_would_raise(down_cache):
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    plain = RedisCache(down_cache._servers[0], {})
    with pytest.raises(RedisConnectionError):
        plain.get("k")


def test_the_site_uses_it_when_redis_url_is_set(monkeypatch):
    import importlib

    import website.settings.base as base

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"] == "website.cache.TolerantRedisCache"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(base)
