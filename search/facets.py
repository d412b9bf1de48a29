"""Facets with disjunctive counts, computed in Python from the live index's facet values.

A facet's counts apply the query and every other facet's selection but not its own, so picking
国资委 does not hide the other departments; several values in one facet combine with OR, facets
with AND; many-to-many facets count distinct articles. Each value is a plain dict (value, label,
count, selected) ready for templates and JSON alike (after Datasette's facets).
"""

import heapq

from .live import FACETS, LiveIndex

FACET_LIMIT = 100  # values per facet in a result; the facet's text filter reaches the rest
FEW_ARTICLES = 500  # below this many matching articles, count by article rather than by value

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
    for facet in FACETS:
        base = matched
        for other, mask in masks.items():
            if other != facet:
                base &= mask
        chosen = selected.get(facet, set())
        labels = live.labels[facet]
        wanted = (contains or {}).get(facet, "").strip().lower()
        if base.bit_count() <= FEW_ARTICLES:
            tally: dict[str, int] = {}
            for aid in live.from_bits(base):
                for value in live.articles[aid].values[facet]:
                    tally[value] = tally.get(value, 0) + 1
            pairs = tally.items()
        else:
            pairs = ((value, (bits & base).bit_count()) for value, bits in live.bits[facet].items())
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


def bits_count(live: LiveIndex, facet: str, value: str, base: int) -> int:
    return (live.bits[facet].get(value, 0) & base).bit_count()
