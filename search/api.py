"""What the search app offers the rest of the project: the one module that archive/ imports from
search/, so that the archive never reaches into the index's internals.

Readers' search and its marks (engine), rebuilding the index (indexing), the per-process scoped
cache the archive's digests are kept in (memo), related reports scored over the live index and
the score they are ranked by (related), the jieba wrapper (segmentation), and matching drafts,
which the index does not hold, by the index's own rule (unindexed).
"""

from search.engine import highlight, search
from search.facets import FACET_LABELS
from search.indexing import rebuild
from search.live import FACETS, IndexUnavailable, database_unreachable
from search.memo import EVERYTHING, remember
from search.normalize import normalize
from search.parsing import parse
from search.related import related_ids, related_score
from search.segmentation import tokenizer
from search.unindexed import matching_articles, matching_sections

__all__ = [
    "EVERYTHING",
    "FACETS",
    "FACET_LABELS",
    "IndexUnavailable",
    "database_unreachable",
    "highlight",
    "matching_articles",
    "matching_sections",
    "normalize",
    "parse",
    "rebuild",
    "related_ids",
    "related_score",
    "remember",
    "search",
    "tokenizer",
]
