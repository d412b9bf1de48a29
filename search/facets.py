"""Facets with disjunctive counts, computed in Python from a per-process map of every published
article's facet values (rebuilt when the index generation moves).

A facet's counts apply the query and every other facet's selection but not its own, so picking
国资委 does not hide the other departments; several values in one facet combine with OR, facets
with AND; many-to-many facets count distinct articles. Each value is a plain dict (value, label,
count, selected) ready for templates and JSON alike (after Datasette's facets).
"""

import threading
from dataclasses import dataclass

from archive.models import Article, ArticleDepartment, Authorship, Mention

FACETS = ("department", "initiative", "year", "kind", "source", "author")
FACET_LABELS = {
    "department": "部门",
    "initiative": "改革举措",
    "year": "年份",
    "kind": "体裁",
    "source": "出处",
    "author": "作者",
}


@dataclass
class FacetMap:
    generation: str  # the index token it was built at
    values: dict[int, dict[str, frozenset]]  # article id → facet → values
    labels: dict[str, dict[str, str]]  # facet → value → label
    dates: dict[int, tuple]  # article id → sortable (date ordinal or None)


_lock = threading.Lock()
_cache: dict = {}


def facet_map(generation: str) -> FacetMap:
    with _lock:
        cached = _cache.get("map")
        if cached is not None and cached.generation == generation:
            return cached
    built = _build(generation)
    with _lock:
        _cache["map"] = built
    return built


def forget():
    with _lock:
        _cache.clear()


def _build(generation: str) -> FacetMap:
    per: dict[int, dict[str, set]] = {}
    labels: dict[str, dict[str, str]] = {f: {} for f in FACETS}
    dates = {}
    kinds = dict(Article.Kind.choices)
    for aid, date, kind, source_slug, source_name in Article.objects.published().values_list(
        "pk", "date", "kind", "source__slug", "source__name"
    ):
        entry = per[aid] = {f: set() for f in FACETS}
        entry["kind"].add(kind)
        labels["kind"][kind] = kinds.get(kind, kind)
        if date:
            entry["year"].add(str(date.year))
            labels["year"][str(date.year)] = f"{date.year}年"
        if source_slug:
            entry["source"].add(source_slug)
            labels["source"][source_slug] = source_name
        dates[aid] = date
    for aid, slug, name, short in ArticleDepartment.objects.filter(article_id__in=per).values_list(
        "article_id", "department__slug", "department__name", "department__short_name"
    ):
        per[aid]["department"].add(slug)
        labels["department"][slug] = short or name
    for aid, slug, name in Mention.objects.filter(section__article_id__in=per).values_list(
        "section__article_id", "initiative__slug", "initiative__name"
    ):
        per[aid]["initiative"].add(slug)
        labels["initiative"][slug] = name
    for aid, slug, name in Authorship.objects.filter(article_id__in=per).values_list(
        "article_id", "person__slug", "person__name"
    ):
        per[aid]["author"].add(slug)
        labels["author"][slug] = name
    values = {aid: {f: frozenset(v) for f, v in entry.items()} for aid, entry in per.items()}
    return FacetMap(generation, values, labels, dates)


def passes(article_values: dict[str, frozenset], selected: dict[str, set], skip: str | None = None) -> bool:
    for facet, chosen in selected.items():
        if facet != skip and chosen and not (article_values[facet] & chosen):
            return False
    return True


def filter_articles(fmap: FacetMap, article_ids, selected: dict[str, set]) -> set[int]:
    return {aid for aid in article_ids if aid in fmap.values and passes(fmap.values[aid], selected)}


def count(fmap: FacetMap, article_ids, selected: dict[str, set]) -> dict[str, list[dict]]:
    """For each facet, its values with disjunctive counts, most frequent first; a selected value
    is listed even at zero."""
    counts = {f: {} for f in FACETS}
    for aid in article_ids:
        article_values = fmap.values.get(aid)
        if article_values is None:
            continue
        for facet in FACETS:
            if passes(article_values, selected, skip=facet):
                bucket = counts[facet]
                for value in article_values[facet]:
                    bucket[value] = bucket.get(value, 0) + 1
    result = {}
    for facet in FACETS:
        chosen = selected.get(facet, set())
        bucket = counts[facet]
        for value in chosen:
            bucket.setdefault(value, 0)
        order = (lambda item: (-int(item[0]),)) if facet == "year" else (lambda item: (-item[1], fmap.labels[facet].get(item[0], item[0])))
        items = sorted(bucket.items(), key=order)
        result[facet] = [
            {"value": v, "label": fmap.labels[facet].get(v, v), "count": c, "selected": v in chosen}
            for v, c in items
        ]
    return result
