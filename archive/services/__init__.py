"""Writes to the archive. Each runs in one transaction; callers pass keyword arguments.

The editorial services (publishing, splitting, merging and moving sections, restoring from
history) also take the acting `user`: everything one of them writes is one revision in the
history, with that user and a reason (archive/history/revisions.py). Each one that changes an
article raises its `version`, so that an editor who still has the old version open gets a
conflict instead of overwriting it (article_lock).

One module per kind of write; the public functions are re-exported here, so callers say
`services.section_split(...)`. Services import the models and the history, never the ingest
pipeline, the editors' desk or the reading side.
"""

from archive.services.articles import article_lock, article_set_status, article_touch, articles_set_status
from archive.services.bulk import bulk_changes, in_bulk_changes
from archive.services.errors import EditConflict, EditorialError
from archive.services.mentions import articles_relink, section_link, sections_relink
from archive.services.restore import article_restore, record_restore
from archive.services.sections import section_move, section_split, sections_merge

__all__ = [
    "EditConflict",
    "EditorialError",
    "article_lock",
    "article_restore",
    "article_set_status",
    "article_touch",
    "articles_relink",
    "articles_set_status",
    "bulk_changes",
    "in_bulk_changes",
    "record_restore",
    "section_link",
    "section_move",
    "section_split",
    "sections_merge",
    "sections_relink",
]
