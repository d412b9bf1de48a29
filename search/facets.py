"""Facets with disjunctive counts, computed in Python from the live index's facet values.

A facet's counts apply the query and every other facet's selection but not its own, so picking
国资委 does not hide the other departments; several values in one facet combine with OR, facets
with AND; many-to-many facets count distinct articles. Each value is a plain dict (value, label,
count, selected) ready for templates and JSON alike (after Datasette's facets).
"""

from .live import FACETS, LiveIndex

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


def filter_articles(live: LiveIndex, article_ids, selected: dict[str, set]) -> set[int]:
    masks = _selection_masks(live, selected)
    if not masks:
        return {aid for aid in article_ids if aid in live.articles}
    bits = live.to_bits(article_ids)
    for mask in masks.values():
        bits &= mask
    return set(live.from_bits(bits))


def count(live: LiveIndex, article_ids, selected: dict[str, set]) -> dict[str, list[dict]]:
    """For each facet, its values with disjunctive counts, most frequent first (years newest
    first); a selected value is listed even at zero."""
    matched = live.to_bits(article_ids)
    masks = _selection_masks(live, selected)
    result = {}
    for facet in FACETS:
        base = matched
        for other, mask in masks.items():
            if other != facet:
                base &= mask
        chosen = selected.get(facet, set())
        labels = live.labels[facet]
        counted = []
        if base:
            for value, bits in live.bits[facet].items():
                n = (bits & base).bit_count()
                if n or value in chosen:
                    counted.append((value, n))
        present = {v for v, _ in counted}
        counted += [(v, 0) for v in chosen if v not in present]
        if facet == "year":
            counted.sort(key=lambda item: -int(item[0]))
        else:
            counted.sort(key=lambda item: (-item[1], labels.get(item[0], item[0])))
        result[facet] = [{"value": v, "label": labels.get(v, v), "count": n, "selected": v in chosen} for v, n in counted]
    return result
