"""The admin's search box, with the archive's own Chinese search instead of `icontains`.

Published articles are found by search.engine.search, exactly as readers find them (query syntax,
traditional/simplified and full-width folding, spaces and quotation marks inside words ignored).
Drafts are not in the index (readers must never find them), so they are matched here with the same
parser and the same exact-match rule over the same normalised text (search.tokens.contains on the
canonical form), which gives the same yes/no answer the index would.
Catalog entries (initiatives, departments, people) are matched on their names and aliases with the
linker's folding, so “五好”园区 is found by 五好园区.
"""

from archive import linking
from archive.models import Article, Section
from search.engine import search as archive_search
from search.indexing import article_text
from search.normalize import normalize
from search.parsing import parse
from search.query import And, Not, Or, Phrase, PlainText
from search.tokens import BREAK_MARK, canonical, contains

ALL = 100_000


def matching_article_ids(term: str, queryset) -> list[int] | None:
    """Ids of the articles in queryset that the query matches, best first for the published ones;
    None when the text holds nothing searchable (the caller then shows everything)."""
    parsed = parse(term)
    if parsed.tree is None:
        return None
    found = [hit.article.pk for hit in archive_search(term, {}, sort="relevance", page=1, page_size=ALL).hits]
    drafts = queryset.exclude(status=Article.Status.PUBLISHED)
    found += sorted(draft_matches(parsed.tree, drafts), reverse=True)
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
    drafts = queryset.exclude(article__status=Article.Status.PUBLISHED)
    found += sorted(_draft_section_matches(parsed.tree, drafts))
    allowed = set(queryset.values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(found) if pk in allowed]


def section_canon(section: Section, article: Article) -> str:
    """The text the index would hold for the section (see search.indexing)."""
    return (
        canonical(normalize(article_text(article)))
        + BREAK_MARK
        + canonical(normalize(section.heading))
        + BREAK_MARK
        + canonical(normalize(section.body))
    )


def evaluate(node, canon: str) -> bool:
    if isinstance(node, (PlainText, Phrase)):
        return contains(canon, canonical(node.text))
    if isinstance(node, Not):
        return not evaluate(node.child, canon)
    if isinstance(node, And):
        return all(evaluate(child, canon) for child in node.children)
    if isinstance(node, Or):
        return any(evaluate(child, canon) for child in node.children)
    return False


def _draft_section_matches(tree, sections) -> set[int]:
    return {
        section.pk
        for section in sections.select_related("article").iterator(chunk_size=500)
        if evaluate(tree, section_canon(section, section.article))
    }


def draft_matches(tree, drafts) -> set[int]:
    ids = set()
    for article in drafts.prefetch_related("sections"):
        sections = list(article.sections.all()) or [Section(heading="", body="")]
        if any(evaluate(tree, section_canon(section, article)) for section in sections):
            ids.add(article.pk)
    return ids


def fold_name(text: str) -> str:
    return linking.fold(normalize(text))[0]


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
