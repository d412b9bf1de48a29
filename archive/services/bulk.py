"""Bulk loads: per-save derived work (linking, indexing) off inside, redone once at the end.

The flag is a ContextVar, not a module global: under threaded workers one editor's upload must
not switch linking and indexing off for another editor's save in the same process."""

from contextlib import contextmanager
from contextvars import ContextVar

from archive.history import revisions

_bulk_depth: ContextVar[int] = ContextVar("bulk_changes_depth", default=0)


@contextmanager
def bulk_changes(reason: str = "批量写入"):
    """Bulk loads turn per-save derived work off (linking, indexing) and redo it once at the end:
    sections_relink() here, rebuild_index in the search app. Everything written inside is one
    revision in the history."""
    token = _bulk_depth.set(_bulk_depth.get() + 1)
    try:
        with revisions.revision(reason=reason):
            yield
    finally:
        _bulk_depth.reset(token)


def in_bulk_changes() -> bool:
    """Whether this thread (or task) is inside bulk_changes()."""
    return _bulk_depth.get() > 0
