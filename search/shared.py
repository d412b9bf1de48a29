"""A term cache shared by every serving process, kept in the database (SharedTerm).

Each process keeps what it asked the backend index in memory (search.live's leaves, search.ranking's
frequencies and best sections), but a new process, or the other worker of a pair, starts with
nothing: on PostgreSQL at 100,000 sections a frequent gram's GIN lookup takes 300–500 ms, a
word's document frequency 100 ms and the best sections by ts_rank 200 ms, and a worker that had
not yet met a query paid all of it, under load, for every query the other worker had already
answered. Here the first process to compute a term stores it; the others read it (a few ms).

A stored value is exact as of its change id. A term's sections are brought up to date by
re-checking the sections of every article changed since (by their canonical text, as
search.matching decides exactness), looking back REREAD_WINDOW changes further, as the live index
does, for changes that committed out of order; too many changes since, or a rebuild, and the term
is computed afresh. Frequencies and best sections are kept for a ranking period, as in the process
caches. Only what took the index WORTH_MS or more is stored, and storing is best effort: a
read-only or busy database keeps nothing, fails no search and keeps no reader waiting.
"""

import hashlib
import logging
import random
import time
from array import array
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

from search.documents import sections_matching
from search.live import REREAD_WINDOW
from search.models import IndexChange, SearchDocument, SharedTerm

logger = logging.getLogger(__name__)
MAX_CHANGED_ARTICLES = 500  # more changed articles since a stored term than this: compute it afresh
MAX_ROWS = 1000  # stored terms (a frequent term's sections take 300 kB); the oldest go beyond this
WORTH_MS = 20  # what the index answered faster than this is not stored (a reader's write for nothing)


def _key(kind: str, term: str) -> str:
    return hashlib.sha256(f"{kind}\0{term}".encode()).hexdigest()


def _read(kind: str, term: str):
    try:
        return SharedTerm.objects.filter(key=_key(kind, term)).values_list("change_id", "data").first()
    except DatabaseError:
        return None


@contextmanager
def _no_waiting():
    """On SQLite, a reader's write must not wait for an editor's transaction (an import can hold
    the write lock for seconds, and the busy timeout is 20 s): give up at once instead."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


def _store(kind: str, term: str, change_id: int, data: bytes) -> None:
    try:
        with _no_waiting(), transaction.atomic():
            SharedTerm.objects.update_or_create(key=_key(kind, term), defaults={"change_id": change_id, "data": data})
            if random.random() < 0.02 and SharedTerm.objects.count() > MAX_ROWS:
                oldest = SharedTerm.objects.order_by("change_id").values_list("key", flat=True)[: MAX_ROWS // 10]
                SharedTerm.objects.filter(key__in=list(oldest)).delete()
    except DatabaseError as exc:  # read-only, locked: the term is simply not shared
        logger.info("shared term cache not written: %s", exc)


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
    row = _read("leaf", canon_key)
    if row is not None:
        change_id, data = row
        rebuilt, articles = _changes_since(change_id)
        if not rebuilt and len(articles) <= MAX_CHANGED_ARTICLES:
            ids = set(array("i", bytes(data)))
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
        _store("leaf", canon_key, change_id, array("i", sorted(ids)).tobytes())
    return ids


def per_period(kind: str, term: str, compute, live, period: int, encode, decode, since_loaded: bool = False):
    """A value kept for a ranking period (document frequencies, best sections): read when stored
    in this period (and, since_loaded, after this process's live index was loaded, so that it
    knows every section changed since), else compute()d and stored. Returns (value, change id)."""
    row = _read(kind, term)
    if row is not None:
        change_id, data = row
        if change_id // period == live.last_change // period and (not since_loaded or change_id >= live.loaded_change):
            if not _rebuilt_since(change_id):
                return decode(bytes(data)), change_id
    change_id = live.last_change
    started = time.perf_counter()
    value = compute()
    if (time.perf_counter() - started) * 1000 >= WORTH_MS:
        _store(kind, term, change_id, encode(value))
    return value, change_id
