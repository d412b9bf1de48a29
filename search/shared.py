"""A term cache shared by every serving process, on Redis through Django's cache framework when
REDIS_URL is set (settings.SEARCH_SHARED_CACHE = "search"); without Redis, none: each process
keeps its own (search.live's leaves, search.ranking's frequencies and best sections).

A new process, or the other worker of a pair, starts with nothing. The node's tantivy index
answers a term in milliseconds at the fixture's size, but at a million sections a frequent term's
hundreds of thousands of section ids cost a few hundred ms to carry into Python: with Redis, the
first process to compute a term stores it and the others read it (a few ms).

A stored value is exact as of its change id, kept with it. A term's sections are brought up to
date by re-checking the sections of every article changed since (by their canonical text, as
search.matching decides exactness), looking back REREAD_WINDOW changes further, as the live index
does, for changes that committed out of order; too many changes since, or a rebuild, and the term
is computed afresh. Frequencies and best sections are kept for a ranking period, as in the process
caches. Only what took WORTH_MS or more is stored, and storing is best effort: a Redis that does
not answer (logged, then left alone for UNREACHABLE_PAUSE seconds) keeps nothing, fails no search
and keeps no reader waiting.

Where, by the figures of `python -m bench.shared_cache` (2 cores, load average 2.8–3.0; p50 ms
read / write of a 300 kB value, a frequent term's sections; then of 30 kB):
    Redis (RedisCache)            0.37 / 0.56      30 kB 0.19 / 0.29
    a table in SQLite             0.81 / 5.9       30 kB 0.53 / 1.2
    a table in PostgreSQL         3.8  / 13        30 kB 0.86 / 3.6
    DatabaseCache, PostgreSQL     5.2  / 26        30 kB 0.79 / 4.4
Redis is the fastest at every size (versioned keys: the database and the start of its change log
are part of each key, so two archives or a recreated database on one Redis never meet each
other's values; a day's timeout bounds what is kept). The database table that held them without
Redis was dropped with the gram tables (docs/search-performance.md, "The engine: tantivy weighed"):
a term's lookup in the node's index is about as fast as reading it back from a table.
"""

import hashlib
import logging
import threading
import time
from array import array

from django.conf import settings
from django.db import connection

from search.documents import sections_matching
from search.live import REREAD_WINDOW
from search.models import IndexChange, SearchDocument

logger = logging.getLogger(__name__)
MAX_CHANGED_ARTICLES = 500  # more changed articles since a stored term than this: compute it afresh
WORTH_MS = 20  # what the index answered faster than this is not stored (a reader's write for nothing)
CACHE_TIMEOUT = 24 * 3600  # a term kept in the cache framework is dropped after a day unread or not
KEY_PREFIX = "shared-term:"  # every key this module writes starts with it (the bench removes them by it)
UNREACHABLE_PAUSE = 10.0  # seconds the cache is left alone after it failed (no search waits on it)


def store_name() -> str:
    """The alias of the cache in CACHES where shared terms are kept (settings.SEARCH_SHARED_CACHE;
    "search", on Redis, when REDIS_URL is set), or "" where none is: each process keeps its own."""
    name = getattr(settings, "SEARCH_SHARED_CACHE", "") or ""
    return "" if name == "table" else name


# -- a cache of Django's cache framework (Redis) -------------------------------------------------

_paused_until = 0.0  # monotonic time until which an unreachable cache is not asked again
_generations: dict = {}
_generation_lock = threading.Lock()


def _generation() -> str:
    """The index the stored values belong to, part of every cache key (versioned keys): the
    database (two archives, or a test database, may share one Redis) and the first row of its
    change log, which a rebuild replaces (a rebuild also shows as a newer change id, which the
    freshness rule checks; this keeps a recreated or emptied database, whose change ids may start
    again from 1, from meeting old values)."""
    db = connection.settings_dict
    first = IndexChange.objects.order_by("pk").values_list("pk", "created_at").first()
    since = f"{first[0]}@{first[1].isoformat()}" if first else "-"
    return f"{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}#{since}"


def _cache_key(kind: str, term: str, live) -> str:
    marker = (connection.settings_dict["NAME"], live.serial, live.epoch)
    with _generation_lock:
        generation = _generations.get(marker)
    if generation is None:
        generation = _generation()
        with _generation_lock:
            _generations.clear()
            _generations[marker] = generation
    return KEY_PREFIX + hashlib.sha256(f"{generation}\0{kind}\0{term}".encode()).hexdigest()


def _cache_failed(action: str, exc: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + UNREACHABLE_PAUSE
    logger.warning(
        "shared term cache %r unreachable (%s: %s): %s skipped, not asked again for %.0f s",
        store_name(), type(exc).__name__, exc, action, UNREACHABLE_PAUSE,
    )


def _cache_read(kind: str, term: str, live):
    from django.core.cache import caches

    if time.monotonic() < _paused_until:
        return None
    key = _cache_key(kind, term, live)
    try:
        value = caches[store_name()].get(key)
    except Exception as exc:  # noqa: BLE001 — a cache down or refusing fails no search
        _cache_failed("read", exc)
        return None
    return value if isinstance(value, tuple) and len(value) == 2 else None


def _cache_write(kind: str, term: str, change_id: int, data: bytes, live) -> None:
    from django.core.cache import caches

    if time.monotonic() < _paused_until:
        return
    key = _cache_key(kind, term, live)
    try:
        caches[store_name()].set(key, (change_id, data), CACHE_TIMEOUT)
    except Exception as exc:  # noqa: BLE001
        _cache_failed("write", exc)


def _read(kind: str, term: str, live):
    if not store_name():
        return None
    return _cache_read(kind, term, live)


def _store(kind: str, term: str, change_id: int, data: bytes, live) -> None:
    if store_name():
        _cache_write(kind, term, change_id, data, live)


def _rebuilt_since(change_id: int) -> bool:
    return IndexChange.objects.filter(pk__gt=change_id, scope=IndexChange.Scope.ALL).exists()


def _changes_since(change_id: int):
    """(rebuilt since, articles changed since) as IndexChange records them."""
    rows = IndexChange.objects.filter(pk__gt=change_id - REREAD_WINDOW).values_list("pk", "scope", "article_id")
    rebuilt = any(scope == IndexChange.Scope.ALL and pk > change_id for pk, scope, _ in rows)
    return rebuilt, {aid for _, scope, aid in rows if scope == IndexChange.Scope.ARTICLE and aid is not None}


def leaf(canon_key: str, compute, live) -> set[int]:
    """The sections that have the term (its key, search.documents.leaf_key): read from the shared
    cache and brought up to date, or compute()d and stored."""
    row = _read("leaf", canon_key, live)
    if row is not None:
        change_id, data = row
        rebuilt, articles = _changes_since(change_id)
        if not rebuilt and len(articles) <= MAX_CHANGED_ARTICLES:
            ids = set(array("i", data))
            if articles:
                current = SearchDocument.objects.filter(article_id__in=articles).values_list("section_id", flat=True)
                current = set(current)
                matching = sections_matching([canon_key], current)[canon_key]
                ids -= current - matching
                ids |= matching
            return ids  # sections deleted since are dropped by the caller (not in the live index)
    change_id = live.last_change  # read before computing: what commits meanwhile is re-checked
    started = time.perf_counter()
    ids = compute()
    if (time.perf_counter() - started) * 1000 >= WORTH_MS:
        _store("leaf", canon_key, change_id, array("i", sorted(ids)).tobytes(), live)
    return ids


def per_period(kind: str, term: str, compute, live, period: int, encode, decode, since_loaded: bool = False):
    """A value kept for a ranking period (document frequencies, best sections): read when stored
    in this period (and, since_loaded, after this process's live index was loaded, so that it
    knows every section changed since), else compute()d and stored. Returns (value, change id)."""
    row = _read(kind, term, live)
    if row is not None:
        change_id, data = row
        if change_id // period == live.last_change // period and (not since_loaded or change_id >= live.loaded_change):
            if not _rebuilt_since(change_id):
                return decode(data), change_id
    change_id = live.last_change
    started = time.perf_counter()
    value = compute()
    if (time.perf_counter() - started) * 1000 >= WORTH_MS:
        _store(kind, term, change_id, encode(value), live)
    return value, change_id
