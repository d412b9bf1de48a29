"""A benchmark run that reuses a database (--no-load) first removes the shared terms an earlier run
stored (search.shared, the "search" cache on Redis): their keys are versioned by the database and
its change log, which such a run keeps, so its "first runs" would otherwise read them instead of
asking the index it measures (as the million-section tantivy run did, bench/RESULTS.md). On Redis
only those keys go, never another program's; without a shared cache there is nothing to remove."""

import uuid

import pytest
from django.core.cache import caches

from bench.run import forget_shared_terms

REDIS_URL = "redis://127.0.0.1:6379/11"  # the bench's Redis database (bench/topology.py)


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


def _use_cache(settings, alias, backend, location, **extra):
    settings.CACHES = {**settings.CACHES, alias: {"BACKEND": backend, "LOCATION": location, **extra}}
    settings.SEARCH_SHARED_CACHE = alias
    return caches[alias]


def test_shared_terms_of_an_earlier_run_are_removed_before_measuring(settings):
    cache = _use_cache(settings, "bench-test-search", "django.core.cache.backends.locmem.LocMemCache", "bench-test-search")
    cache.set("shared-term:a", (1, b"\x01\x00\x00\x00"))
    cache.set("shared-term:b", (1, b"\x02\x00\x00\x00"))
    try:
        assert forget_shared_terms() is True
        assert cache.get("shared-term:a") is None and cache.get("shared-term:b") is None
    finally:
        cache.clear()


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at " + REDIS_URL)
def test_on_redis_only_the_shared_terms_are_removed(settings):
    prefix = f"bench-test-{uuid.uuid4().hex[:8]}"
    cache = _use_cache(settings, "bench-test-redis", "django.core.cache.backends.redis.RedisCache", REDIS_URL,
                       KEY_PREFIX=prefix)
    import redis

    other = redis.Redis.from_url(REDIS_URL)
    other_key = f"{prefix}-another-program:kept"
    try:
        for i in range(1500):  # more than one batch of deletes
            cache.set(f"shared-term:{i}", (1, b"\x01\x00\x00\x00"))
        cache.set("page:/search/?q=改革", "a cached page")
        other.set(other_key, "kept")

        assert forget_shared_terms() is True
        assert cache.get("shared-term:0") is None and cache.get("shared-term:1499") is None
        assert not list(other.scan_iter(match=f"{prefix}:*shared-term:*"))
        assert cache.get("page:/search/?q=改革") == "a cached page"
        assert other.get(other_key) == b"kept"
    finally:
        for key in other.scan_iter(match=f"{prefix}*"):
            other.delete(key)
        other.close()


def test_without_a_shared_cache_there_is_nothing_to_forget(settings):
    settings.SEARCH_SHARED_CACHE = ""
    assert forget_shared_terms() is False
