"""Per-process memory of results that depend on a known set of published articles, kept until a
change touches one of them.

An initiative's page (its mentions, their years, the initiatives named with it), a department's
page and a search's results are each computed from a set of articles that the live index can
name as a bitset: the articles that name the initiative, that link the department, that the
query matches. An editor's save touches one article. Emptying every cache on every save (what
the archive did before) made an editing desk that saves twice a second keep the readers' caches
empty; here a remembered result is dropped only when a change since it was computed touched an
article of its scope, as the scope was then or is now.

    value = remember(key, compute, scope)

`scope(live, value)` gives the bitset (EVERYTHING for a result that depends on every article);
`still_valid(live, value, changed_articles)`, when given, can veto a result that the scope would
keep (a search checks whether the changed sections now match it); `patch(value,
changed_articles)`, when given, brings a result whose scope was touched up to date from the
changed articles alone (an initiative's digest re-reads the mentions of the reports that
changed, not all of its mentions; a search keeps its results when the edits changed nothing they
show), or returns STALE. Inside a transaction, and when
the index cannot be read, nothing is remembered: compute() answers.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection

from search.live import IndexUnavailable, LiveIndex, live_index

EVERYTHING = -1  # as a bitset, every article: x & EVERYTHING == x
STALE = object()  # what a patch returns when the result must be computed afresh
SIZE = 256  # entries: searches (a page of hits each), rankings, page digests


@dataclass
class Entry:
    value: Any
    index_id: int
    epoch: int
    sequence: int
    scope: int


_entries: "OrderedDict[Hashable, Entry]" = OrderedDict()
_lock = threading.Lock()
stats = {"hits": 0, "misses": 0, "dropped": 0, "patched": 0}  # for tests and the benchmark's notes


def remember(
    key: Hashable,
    compute: Callable[[], Any],
    scope: Callable[[LiveIndex, Any], int],
    still_valid: Callable[[LiveIndex, Any, set[int]], bool] | None = None,
    patch: Callable[[Any, set[int]], Any] | None = None,
):
    if connection.in_atomic_block:
        return compute()
    try:
        live = live_index()
    except (DatabaseError, IndexUnavailable):
        return compute()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and _valid(entry, live, scope, still_valid, patch):
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
        stats["hits"] += 1
        return entry.value
    if entry is not None:
        stats["dropped"] += 1
    stats["misses"] += 1
    # Read before computing: a change that commits meanwhile is then met (and checked) next time.
    with live.lock:
        epoch, sequence = live.epoch, live.sequence
    value = compute()
    with live.lock:
        bits = scope(live, value)
    with _lock:
        _entries[key] = Entry(value, live.serial, epoch, sequence, bits)
        _entries.move_to_end(key)
        while len(_entries) > SIZE:
            _entries.popitem(last=False)
    return value


def _valid(entry: Entry, live: LiveIndex, scope, still_valid, patch) -> bool:
    with live.lock:
        if entry.index_id != live.serial or entry.epoch != live.epoch:
            return False
        changed = live.articles_changed_since(entry.sequence)
        if changed is None:
            return False
        sequence = live.sequence
        touched = live.position_bits(changed) & (entry.scope | scope(live, entry.value)) if changed else 0
    if touched:
        value = patch(entry.value, changed) if patch is not None else STALE
        if value is STALE:
            return False
        entry.value = value
        with live.lock:
            entry.scope = scope(live, entry.value)
        stats["patched"] += 1
    elif changed and still_valid is not None and not still_valid(live, entry.value, changed):
        return False
    entry.sequence = sequence  # checked up to here: later checks start from it
    return True


def forget() -> None:
    with _lock:
        _entries.clear()
