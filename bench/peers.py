"""The peers the archive's search is compared with, on the same corpus and queries.

- Whoosh with jieba's ChineseAnalyzer, as django-haystack's Whoosh backend is set up for Chinese
  (the analyzer swapped in for the text field): one document per section holding the article
  title, heading and body (stored, as haystack's document field is), department and year as
  keyword fields for the facet filters (haystack's narrow queries), parsed with Whoosh's
  QueryParser (AND between terms, as haystack's AutoQuery). A query is timed as haystack runs it:
  parse, one page of 10 with its total, the stored ids of the page. No highlighting and no facets
  (haystack's Whoosh backend has none), and one searcher kept open: all in Whoosh's favour.
- Django's plain icontains, as the admin searches: ModelAdmin.get_search_results over sections
  with search_fields title/heading/body (so "-word" is a literal and "a phrase" one term), a
  count, the full count the change list shows, and one page of 10.
"""

import shutil
from pathlib import Path

PAGE_SIZE = 10


# ---------------------------------------------------------------------------------------------
# Whoosh + jieba


def whoosh_schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    return Schema(
        sid=ID(stored=True, unique=True),
        aid=STORED,
        text=TEXT(stored=True, analyzer=ChineseAnalyzer()),
        department=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
    )


def build_whoosh_index(directory: str) -> int:
    """Index every published section; returns the number of documents."""
    import logging

    import jieba
    from whoosh.index import create_in

    from archive.models import ArticleDepartment, Section, published_q

    jieba.setLogLevel(logging.WARNING)
    path = Path(directory)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = create_in(str(path), whoosh_schema())
    departments: dict[int, list[str]] = {}
    for aid, slug in ArticleDepartment.objects.values_list("article_id", "department__slug"):
        departments.setdefault(aid, []).append(slug)
    writer = ix.writer(limitmb=256)
    count = 0
    sections = (
        Section.objects.filter(published_q("article"))
        .order_by("pk")
        .values_list("pk", "article_id", "article__title", "heading", "body", "article__date")
    )
    for sid, aid, title, heading, body, date in sections.iterator(chunk_size=2000):
        writer.add_document(
            sid=str(sid),
            aid=aid,
            text="\n".join(p for p in (title, heading, body) if p),
            department=",".join(departments.get(aid, [])),
            year=str(date.year) if date else "",
        )
        count += 1
    writer.commit()
    return count


class WhooshPeer:
    def __init__(self, directory: str):
        from whoosh.index import open_dir
        from whoosh.qparser import QueryParser

        self.ix = open_dir(directory)
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", schema=self.ix.schema)
        self._sids = None

    def _filter(self, query):
        from whoosh.query import And, Term

        if not query.params:
            return None
        return And([Term(facet, value) for facet, value in query.params])

    def page(self, query) -> tuple[int, list[str]]:
        """One page of results as haystack would fetch it: (total, section ids)."""
        parsed = self.parser.parse(query.whoosh)
        flt = self._filter(query)
        page = query.page
        try:
            results = self.searcher.search_page(parsed, page, pagelen=PAGE_SIZE, filter=flt)
        except ValueError:  # past the last page: show the last one, as the archive does
            total = len(self.searcher.search(parsed, limit=1, filter=flt))
            page = max(1, -(-total // PAGE_SIZE))
            results = self.searcher.search_page(parsed, page, pagelen=PAGE_SIZE, filter=flt)
        return results.total, [hit["sid"] for hit in results]

    def all_sections(self, query) -> set[int]:
        if self._sids is None:
            self._sids = {docnum: int(fields["sid"]) for docnum, fields in self.searcher.reader().iter_docs()}
        results = self.searcher.search(self.parser.parse(query.whoosh), limit=None, filter=self._filter(query))
        return {self._sids[d] for d in results.docs()}

    def close(self):
        self.searcher.close()


# ---------------------------------------------------------------------------------------------
# icontains, as the admin does it


class IcontainsPeer:
    def __init__(self):
        from django.contrib import admin
        from django.test import RequestFactory

        from archive.models import Section

        class SectionSearch(admin.ModelAdmin):
            search_fields = ["article__title", "heading", "body"]

        self.admin = SectionSearch(Section, admin.site)
        self.request = RequestFactory().get("/admin/archive/section/")
        self.model = Section

    def queryset(self, query):
        from archive.models import published_q

        base = self.model.objects.filter(published_q("article"))
        wanted = query.param_dict
        if "department" in wanted:
            base = base.filter(article__departments__slug__in=wanted["department"])
        if "year" in wanted:
            base = base.filter(article__date__year__in=[int(y) for y in wanted["year"]])
        qs, may_have_duplicates = self.admin.get_search_results(self.request, base, query.text)
        if may_have_duplicates or "department" in wanted:
            qs = qs.distinct()
        return qs

    def page(self, query) -> tuple[int, list[int]]:
        qs = self.queryset(query).order_by("-pk")
        total = qs.count()
        self.model.objects.count()  # the change list's "N total" beside the filtered count
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(query.page, pages)
        return total, list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE].values_list("pk", flat=True))

    def all_sections(self, query) -> set[int]:
        return set(self.queryset(query).values_list("pk", flat=True))
