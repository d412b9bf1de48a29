"""The admin's search box, with the archive's own Chinese search instead of `icontains`.

Published articles are found by search.engine.search, exactly as readers find them (query syntax,
traditional/simplified and full-width folding, spaces and quotation marks inside words ignored).
Drafts are not in the index (readers must never find them), so they are matched here with the same
parser and the same exact-match rule over the same canonical text (search.unindexed), which gives
the same yes/no answer the index would.
Catalog entries (initiatives, departments, people) are matched on their names and aliases with the
linker's and the index's folding (archive.text), so “五好”园区 and 《五好》园区 are found by 五好园区.
"""

from archive.models import published_q
from archive.text import folded
from search.api import matching_articles, matching_sections, normalize, parse
from search.api import search as archive_search

ALL = 100_000


def matching_article_ids(term: str, queryset) -> list[int] | None:
    """Ids of the articles in queryset that the query matches, best first for the published ones;
    None when the text holds nothing searchable (the caller then shows everything)."""
    parsed = parse(term)
    if parsed.tree is None:
        return None
    found = [hit.article.pk for hit in archive_search(term, {}, sort="relevance", page=1, page_size=ALL).hits]
    drafts = queryset.exclude(published_q())
    found += sorted(matching_articles(parsed.tree, drafts), reverse=True)
    allowed = set(queryset.values_list("pk", flat=True))
    slug = term.strip().lower()
    exact = list(queryset.filter(slug=slug).values_list("pk", flat=True))
    return list(dict.fromkeys(pk for pk in exact + found if pk in allowed))


def matching_section_ids(term: str, queryset) -> list[int] | None:
    parsed = parse(term)
    if parsed.tree is None:
        return None
    found = []
    for hit in archive_search(term, {}, sort="relevance", page=1, page_size=ALL).hits:
        found += hit.section_ids
    drafts = queryset.exclude(published_q("article"))
    found += sorted(matching_sections(parsed.tree, drafts))
    allowed = set(queryset.values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(found) if pk in allowed]


def fold_name(text: str) -> str:
    return folded(normalize(text))


def matching_names(term: str, objects) -> list[int]:
    """Ids of catalog objects (with .names, or str()) whose names contain every word of term."""
    words = [fold_name(w) for w in term.split() if fold_name(w)]
    if not words:
        return []
    out = []
    for obj in objects:
        names = getattr(obj, "names", None) or [str(obj)]
        haystack = "\n".join(fold_name(n) for n in [*names, getattr(obj, "slug", "")])
        if all(word in haystack for word in words):
            out.append(obj.pk)
    return out
