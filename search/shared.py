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
caches. Storing is best effort: a read-only or busy database keeps nothing and fails no search.
"""

import hashlib
import logging
import random
from array import array

from django.db import DatabaseError, transaction

from .live import REREAD_WINDOW
from .models import IndexChange, SearchDocument, SharedTerm
from .tokens import contains

logger = logging.getLogger(__name__)
MAX_CHANGED_ARTICLES = 500  # more changed articles since a stored term than this: compute it afresh
MAX_ROWS = 1000  # stored terms (a frequent term's sections take 300 kB); the oldest go beyond this
MIN_SECTIONS = 200  # terms matching fewer sections are cheap to look up: not stored


def _key(kind: str, term: str) -> str:
    return hashlib.sha256(f"{kind}\0{term}".encode()).hexdigest()


def _read(kind: str, term: str):
    try:
        return SharedTerm.objects.filter(key=_key(kind, term)).values_list("change_id", "data").first()
    except DatabaseError:
        return None


def _store(kind: str, term: str, change_id: int, data: bytes) -> None:
    try:
        with transaction.atomic():
            SharedTerm.objects.update_or_create(key=_key(kind, term), defaults={"change_id": change_id, "data": data})
            if random.random() < 0.02 and SharedTerm.objects.count() > MAX_ROWS:
                oldest = SharedTerm.objects.order_by("change_id").values_list("key", flat=True)[: MAX_ROWS // 10]
                SharedTerm.objects.filter(key__in=list(oldest)).delete()
    except DatabaseError as exc:  # read-only, locked: the term is simply not shared
        logger.info("shared term cache not written: %s", exc)


def _changes_since(change_id: int):
    """(rebuilt since, articles changed since) as IndexChange records them."""
    rows = IndexChange.objects.filter(pk__gt=change_id - REREAD_WINDOW).values_list("pk", "scope", "article_id")
    rebuilt = any(scope == IndexChange.Scope.ALL and pk > change_id for pk, scope, _ in rows)
    return rebuilt, {aid for _, scope, aid in rows if scope == IndexChange.Scope.ARTICLE and aid is not None}


def leaf(canon_key: str, compute, live) -> set[int]:
    """The sections whose text has the term (its canonical form): read from the shared cache and
    brought up to date, or compute()d and stored."""
    row = _read("leaf", canon_key)
    if row is not None:
        change_id, data = row
        rebuilt, articles = _changes_since(change_id)
        if not rebuilt and len(articles) <= MAX_CHANGED_ARTICLES:
            ids = set(array("i", bytes(data)))
            if articles:
                current = SearchDocument.objects.filter(article_id__in=articles).values_list("section_id", "canon")
                for sid, canon in current:
                    if contains(canon, canon_key):
                        ids.add(sid)
                    else:
                        ids.discard(sid)
            return ids  # sections deleted since are dropped by the caller (not in the live index)
    change_id = live.last_change  # read before computing: what commits meanwhile is re-checked
    ids = compute()
    if len(ids) >= MIN_SECTIONS:
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
            rebuilt, _ = _changes_since(change_id)
            if not rebuilt:
                return decode(bytes(data)), change_id
    change_id = live.last_change
    value = compute()
    _store(kind, term, change_id, encode(value))
    return value, change_id
