"""The term cache shared between serving processes (search.shared): what one process asked the
index is read by the next instead of asking again, brought up to date with the edits since, on
Django's RedisCache on a real Redis (REDIS_URL); without a shared cache nothing is stored and every
process asks the index itself."""

import os
import socket
import subprocess
import time
import uuid

import pytest
from django.test import override_settings

from search import indexing, live, memo, shared
from search.engine import search
from tests.redis_server import redis_for_tests
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db(transaction=True)

PRIVATE_REDIS_PORT = 55461  # this module's own redis-server, when none answers at TEST_REDIS_URL


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from redis_for_tests(tmp_path_factory, PRIVATE_REDIS_PORT, "the Redis store of the shared term cache")


def _redis_cache(url: str, prefix: str) -> dict:
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}


class RedisStore:
    """A prefix of this test's own on the real Redis; "another process" reads through a second
    cache alias (its own client and connections) with the same location."""

    name = "redis"

    def __init__(self, url):
        import redis
        from django.conf import settings

        self.prefix = f"test-shared-{uuid.uuid4().hex[:8]}"
        self.client = redis.Redis.from_url(url)
        caches = {**settings.CACHES, "search": _redis_cache(url, self.prefix), "search-peer": _redis_cache(url, self.prefix)}
        self.override = override_settings(CACHES=caches, SEARCH_SHARED_CACHE="search")

    def stored(self) -> int:
        return sum(1 for _ in self.client.scan_iter(match=f"{self.prefix}:*", count=1000))

    def another_process(self):
        from django.conf import settings

        settings.SEARCH_SHARED_CACHE = "search-peer" if settings.SEARCH_SHARED_CACHE == "search" else "search"

    def close(self):
        keys = list(self.client.scan_iter(match=f"{self.prefix}:*", count=1000))
        if keys:
            self.client.delete(*keys)
        self.client.close()


@pytest.fixture
def store(request, monkeypatch):
    monkeypatch.setattr(shared, "_paused_until", 0.0)
    chosen = RedisStore(request.getfixturevalue("redis_url"))
    with chosen.override:
        yield chosen
    chosen.close()


def _forget_process_memory():
    """What a process keeps in memory (live index, result memo, frequencies), forgotten."""
    from search import ranking

    live.forget()
    memo.forget()
    ranking._df_cache.clear()
    shared._generations.clear()


@pytest.fixture
def new_process(monkeypatch, store):
    """Forget everything a process keeps in memory, as a new worker would start (with the Redis
    store, one that reads through a cache client of its own)."""
    monkeypatch.setattr(shared, "WORTH_MS", 0)

    def start():
        _forget_process_memory()
        store.another_process()

    start()
    yield start
    start()


@pytest.fixture
def index_calls(monkeypatch):
    """The questions put to the node's index (search.tantivy_index.Lookup), by name."""
    from search.tantivy_index import Lookup

    calls = []
    for name in ("sections_with", "articles_with", "document_frequency", "best_sections"):
        original = getattr(Lookup, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Lookup, name, counted)
    return calls


def found(q):
    results = search(q, page_size=100)
    return results.total, sorted(hit.article.slug for hit in results.hits)


def test_a_second_process_reads_what_the_first_asked_the_index(store, new_process, index_calls):
    publish("shared-a", "甲乙丙丁在此。")
    publish("shared-b", "又见甲乙丙丁。")
    first = found("甲乙丙丁")
    assert "sections_with" in index_calls and "document_frequency" in index_calls and store.stored() > 0
    new_process()
    index_calls.clear()
    assert found("甲乙丙丁") == first == (2, ["shared-a", "shared-b"])
    assert index_calls == []  # sections, frequencies and best sections all came from the shared cache


QUERIES = ("甲乙丙丁", "乙丙 -又见", "丙丁在此 OR 又见", "title:测验")


def test_without_a_shared_cache_nothing_is_stored_and_searches_give_the_same_results(store, new_process, index_calls):
    """SEARCH_SHARED_CACHE "" (no REDIS_URL): a Redis may be configured among the caches, nothing
    is written to it; each new process asks the index itself and finds what a shared cache gives."""
    from django.conf import settings

    publish("shared-n", "甲乙丙丁在此。")
    publish("shared-m", "又见甲乙丙丁。", title="另一篇")
    with override_settings(SEARCH_SHARED_CACHE=""):
        assert "search" in settings.CACHES  # a cache is there to use: the setting alone says not to
        alone = [found(q) for q in QUERIES]
        assert "sections_with" in index_calls and "document_frequency" in index_calls
        assert store.stored() == 0
        _forget_process_memory()  # a new process
        index_calls.clear()
        assert [found(q) for q in QUERIES] == alone
        assert "sections_with" in index_calls and "document_frequency" in index_calls  # asked again
        assert store.stored() == 0
    assert alone == [(2, ["shared-m", "shared-n"]), (1, ["shared-n"]), (2, ["shared-m", "shared-n"]), (1, ["shared-n"])]
    new_process()  # the same searches with the shared cache: stored, and the same answers
    assert [found(q) for q in QUERIES] == alone
    assert store.stored() > 0
    new_process()
    index_calls.clear()
    assert [found(q) for q in QUERIES] == alone
    assert "sections_with" not in index_calls  # read back from the shared cache


def test_a_shared_term_is_brought_up_to_date_with_the_edits_since(store, new_process):
    gaining = publish("shared-c", "毫不相干。")
    losing = publish("shared-d", "甲乙丙丁在此。")
    publish("shared-e", "甲乙丙丁也在。")
    assert found("甲乙丙丁") == (2, ["shared-d", "shared-e"])
    assert store.stored() > 0
    new_process()
    section = gaining.sections.get()
    section.body = "现在写到了甲乙丙丁。"
    section.save()
    section = losing.sections.get()
    section.body = "删去了。"
    section.save()
    new_process()
    assert found("甲乙丙丁") == (2, ["shared-c", "shared-e"])


def test_a_rebuild_invalidates_the_shared_terms(store, new_process, index_calls):
    publish("shared-f", "甲乙丙丁在此。")
    found("甲乙丙丁")
    assert store.stored() > 0
    indexing.rebuild()
    new_process()
    index_calls.clear()
    assert found("甲乙丙丁") == (1, ["shared-f"])
    assert "sections_with" in index_calls  # asked the rebuilt index, not what was stored before


def test_a_stored_term_of_another_database_is_never_read(store, new_process, index_calls, monkeypatch):
    """Two archives (or a test database and a real one) may share one Redis: the keys carry the
    database and its last rebuild."""
    publish("shared-h", "甲乙丙丁在此。")
    found("甲乙丙丁")
    new_process()
    index_calls.clear()
    monkeypatch.setattr(shared, "_generation", lambda: "another-archive")
    assert found("甲乙丙丁") == (1, ["shared-h"])
    assert "sections_with" in index_calls


def test_an_unreachable_redis_fails_no_search_and_is_logged(monkeypatch, caplog):
    from django.conf import settings

    monkeypatch.setattr(shared, "_paused_until", 0.0)
    monkeypatch.setattr(shared, "WORTH_MS", 0)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caches = {**settings.CACHES, "search": _redis_cache(f"redis://127.0.0.1:{port}/0", "test-shared-down")}
    publish("shared-i", "甲乙丙丁在此。")
    live.forget()
    memo.forget()
    with override_settings(CACHES=caches, SEARCH_SHARED_CACHE="search"), caplog.at_level("WARNING", "search.shared"):
        started = time.monotonic()
        assert found("甲乙丙丁") == (1, ["shared-i"])
        warnings = [r for r in caplog.records if r.name == "search.shared" and "unreachable" in r.getMessage()]
        assert len(warnings) == 1  # once, then left alone for a while
        assert "ConnectionError" in warnings[0].getMessage()
        assert time.monotonic() < shared._paused_until
        live.forget()
        memo.forget()
        assert found("丙丁在此") == (1, ["shared-i"])
        assert len([r for r in caplog.records if r.name == "search.shared"]) == 1
        assert time.monotonic() - started < 5


@pytest.mark.django_db(transaction=False)
def test_the_settings_put_shared_terms_on_redis_when_redis_url_is_set_else_nowhere():
    import json
    import sys

    from django.conf import settings

    code = ("import json, config.settings as s; "
            "print(json.dumps([s.SEARCH_SHARED_CACHE, s.CACHES.get('search', {}).get('BACKEND')]))")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SEARCH_SHARED_CACHE")}

    def chosen(**extra):
        out = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, cwd=settings.BASE_DIR,
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    assert chosen(REDIS_URL="redis://127.0.0.1:6379/3") == ["search", "django.core.cache.backends.redis.RedisCache"]
    assert chosen() == ["", None]
