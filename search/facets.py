"""Facets with disjunctive counts, computed in Python from the live index's facet values.

A facet's counts apply the query and every other facet's selection but not its own, so picking
国资委 does not hide the other departments; several values in one facet combine with OR, facets
with AND; many-to-many facets count distinct articles. Each value is a plain dict (value, label,
count, selected) ready for templates and JSON alike (after Datasette's facets).
"""

import bisect
import heapq

from search.live import FACETS, LiveIndex

FACET_LIMIT = 100  # values per facet in a result; the facet's text filter reaches the rest
FEW_ARTICLES = 500  # below this many matching articles, count by article rather than by value
# Counting by article costs a step per matched article (its values tallied, about 1.5 µs); by
# value, an AND and a bit_count per value over bitsets as long as the archive (about 35 µs a value
# at 200,000 articles, measured at a million sections: the author facet's 16,585 values took 0.56 s
# of a rare word's search). One value's count costs about one article step per this many articles
# in the archive, so a facet of many values is counted by article unless nearly everything matches.
ARCHIVE_ARTICLES_PER_STEP = 9000

FACET_LABELS = {
    "department": "部门",
    "initiative": "改革举措",
    "year": "年份",
    "kind": "体裁",
    "source": "出处",
    "author": "作者",
}


def _selection_masks(live: LiveIndex, selected: dict[str, set]) -> dict[str, int]:
    """For each facet with a selection, the bitset of articles having any selected value."""
    masks = {}
    for facet, chosen in selected.items():
        if chosen:
            table = live.bits[facet]
            mask = 0
            for value in chosen:
                mask |= table.get(value, 0)
            masks[facet] = mask
    return masks


def filter_bits(live: LiveIndex, bits: int, selected: dict[str, set]) -> int:
    for mask in _selection_masks(live, selected).values():
        bits &= mask
    return bits


def count(live: LiveIndex, matched: int, selected: dict[str, set], limit: int = FACET_LIMIT,
          contains: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """For each facet, its values with disjunctive counts over the matched articles (a bitset),
    most frequent first (years newest first), at most `limit` of them; selected values are
    always listed, even at zero. `contains` narrows a facet to values whose label contains a text."""
    masks = _selection_masks(live, selected)
    result = {}
    matched_articles: dict[int, list[int]] = {}  # base bitset → its article ids (facets share it)
    for facet in FACETS:
        base = matched
        for other, mask in masks.items():
            if other != facet:
                base &= mask
        chosen = selected.get(facet, set())
        labels = live.labels[facet]
        wanted = (contains or {}).get(facet, "").strip().lower()
        if _by_article(live, facet, base.bit_count(), limit):
            tally: dict[str, int] = {}
            if base not in matched_articles:
                matched_articles[base] = live.from_bits(base)
            for aid in matched_articles[base]:
                for value in live.articles[aid].values[facet]:
                    tally[value] = tally.get(value, 0) + 1
            pairs = tally.items()
        elif facet == "year":
            pairs = ((value, (bits & base).bit_count()) for value, bits in live.bits[facet].items())
        else:
            pairs = _largest_counts(live, facet, base, limit, wanted, labels)
        counted = [
            (n, value) for value, n in pairs if n and (not wanted or wanted in labels.get(value, value).lower())
        ]
        if facet == "year":
            counted.sort(key=lambda item: -int(item[1]))
        else:
            counted = heapq.nsmallest(limit, counted, key=lambda item: (-item[0], labels.get(item[1], item[1])))
        counted = counted[:limit]
        present = {v for _, v in counted}
        counted += [((bits_count(live, facet, v, base)), v) for v in sorted(chosen) if v not in present]
        result[facet] = [{"value": v, "label": labels.get(v, v), "count": n, "selected": v in chosen} for n, v in counted]
    return result


def _by_article(live: LiveIndex, facet: str, matching: int, limit: int = FACET_LIMIT) -> bool:
    """Whether a facet's values are cheaper to count by tallying the matching articles' values
    than by each value's bitset (see ARCHIVE_ARTICLES_PER_STEP). The bitsets are counted largest
    value first and stop (_largest_counts) below the `limit`-th count so far, which is about the
    matching share of the `limit`-th largest value's size: when most of the archive matches, few
    values are counted; when a fifth does, a facet of flat sizes (authors) is counted whole."""
    if matching <= FEW_ARTICLES:
        return True
    ordered = live.values_by_size(facet)
    archive = max(len(live.article_at), 1)
    counted = len(ordered)
    if counted > limit:
        stop = matching / archive * ordered[limit - 1][0]
        counted = bisect.bisect_right(ordered, -stop, key=lambda item: -item[0])
        counted = max(counted, limit)
    return matching * ARCHIVE_ARTICLES_PER_STEP < counted * archive


def _largest_counts(live: LiveIndex, facet: str, base: int, limit: int, wanted: str, labels: dict):
    """(value, count) for every value that can be among the `limit` largest counts: values are
    taken largest first (by their article count in the whole archive, which bounds their count
    here), and once `limit` values have been counted, a value whose whole count is below the
    smallest of the best `limit` so far cannot enter them, nor can any value after it. The
    author facet has thousands of values; a frequent word's facets then count a few hundred."""
    best: list[int] = []  # a min-heap of the `limit` largest counts so far
    for size, value in live.values_by_size(facet):
        if len(best) >= limit and size < best[0]:
            break
        if wanted and wanted not in labels.get(value, value).lower():
            continue
        n = (live.bits[facet][value] & base).bit_count()
        if n:
            yield value, n
            if len(best) < limit:
                heapq.heappush(best, n)
            elif n > best[0]:
                heapq.heapreplace(best, n)


def bits_count(live: LiveIndex, facet: str, value: str, base: int) -> int:
    return (live.bits[facet].get(value, 0) & base).bit_count()
