"""The archive's search on tantivy (PyPI `tantivy`, the official Python bindings), for weighing
the engine against it (bench/engine_compare.py, docs/search-performance.md "The engine: tantivy
weighed"). Not used by the site, which matches with the same schema and documents
(search/tantivy_index.py, imported here) built from the database's rows; this build segments the
archive's texts afresh, as the weighing measured.

One tantivy document per published section:

- `grams`: the section's character channel (search.tokens: units, adjacent pairs as grams, a break
  token `|` where punctuation breaks adjacency) for the title, heading and body, then the section's
  distinct units as `#unit` tokens (a one-unit term is a term query on those). A term of two or more
  units is a phrase query on its grams, so every literal substring is found, exactly as the gram
  tables (since removed) did. Two Latin units meet as `ab_cd`, so `ab cd` and `abc d` stay apart (our engine rechecks
  those on the text instead).
- `agrams`: the same for the report's texts printed once (subtitle, 文号, bylines, every name of its
  departments and initiatives, captions, series, source; search.documents), repeated in each of its
  sections; `f_title`, `f_author`, `f_dept`, `f_docno`, `f_caption` for field terms.
- jieba words (search.segmentation, the engine's dictionary) for BM25: `w_title`, `w_init`, `w_heading`,
  `w_body`, `w_article` (subtitle, 文号, bylines…), weighted as search.weights does.
- facets as multi-valued raw fast fields (department, initiative, year, kind, source, author), `aid`
  and `sid` as u64 fast fields, the report's date and period end as day ordinals, the text shown in
  a snippet stored.

A search runs our parser's tree (search.parsing) as one tantivy query; counts and facet counts
count reports (as the engine does) with tantivy's aggregations (terms + cardinality of `aid`);
results are grouped by report from the ranked sections; snippets come from search.snippets on the
stored text.
"""

import datetime
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from search.tantivy_index import (  # noqa: F401  (the schema, token streams and documents: the site's)
    ARTICLE_FIELDS,
    BREAK,
    FACETS,
    WORD_FIELDS,
    canon_units,
    channel,
    directory_mb,
    document,
    leaf_query,
    leaf_tokens,
    schema,
    stream,
)
from search.tantivy_index import archive_article_rows as _article_rows
from search.tantivy_index import archive_section_rows as _section_rows

FACET_LIMIT = 100
PAGE_SIZE = 10


@dataclass
class BuildReport:
    sections: int
    seconds: float
    prepare_seconds: float  # Python: units, grams, jieba (in a pool), the reports' printed texts
    write_seconds: float  # tantivy: add_document and commit (the rest of the wall time)
    mb_text: float
    index_mb: float


def build(directory, workers: int = 2, chunk: int = 2000, heap_mb: int = 256) -> BuildReport:
    """Index every published section into a fresh tantivy index in `directory`."""
    import multiprocessing

    import tantivy

    from archive.models import Section, published_q
    from search import segmentation
    from search.indexing import initiative_names
    from search.live import LiveIndex

    started = time.perf_counter()
    path = Path(directory)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    segmentation.reset()
    segmentation.tokenizer()  # before forking
    facts = LiveIndex(cache_leaves=False, sections_from_archive=True)
    facts.load_all()
    index = tantivy.Index(schema(), path=str(path))
    writer = index.writer(heap_size=heap_mb * 1_000_000, num_threads=workers)
    published = Section.objects.filter(published_q("article")).order_by("pk")
    ids = list(published.values_list("pk", flat=True))
    prepare = 0.0
    mb = 0
    articles_done: dict[int, tuple] = {}
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 and len(ids) > chunk else None

    def payloads():
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            names = initiative_names(part)
            rows = published.filter(pk__in=part).values_list("pk", "article_id", "article__title", "heading", "body")
            yield [(sid, aid, title, heading, body, names.get(sid, [])) for sid, aid, title, heading, body in rows]

    try:
        results = pool.imap(_section_rows, payloads()) if pool else map(_section_rows, payloads())
        while True:
            t = time.perf_counter()
            batch = next(results, None)
            if batch is None:
                break
            new = sorted({row[1] for row in batch} - articles_done.keys())
            articles_done.update(_article_rows(new))
            prepare += time.perf_counter() - t
            for row in batch:
                mb += len(row[-1].encode())
                writer.add_document(document(row, articles_done.get(row[1]), facts.articles.get(row[1])))
        writer.commit()
        writer.wait_merging_threads()
    finally:
        if pool:
            pool.close()
            pool.join()
    seconds = time.perf_counter() - started
    return BuildReport(
        sections=len(ids), seconds=round(seconds, 2), prepare_seconds=round(prepare, 2),
        write_seconds=round(seconds - prepare, 2), mb_text=round(mb / 1e6, 2), index_mb=round(directory_mb(path), 1),
    )


# ---------------------------------------------------------------------------------------------
# Search


@dataclass
class Hit:
    article_id: int
    section_id: int
    snippet: str
    score: float
    more_sections: int
    section_ids: list = field(default_factory=list)


@dataclass
class Results:
    total: int  # reports
    pages: int
    page: int
    hits: list
    facets: dict
    by_words: bool = False


class TantivyEngine:
    def __init__(self, directory, facet_mode: str = "articles"):
        import tantivy

        # "articles": distinct reports by tantivy's cardinality aggregation (approximate: HyperLogLog);
        # "sections": sections per value (cheaper, not the engine's figure); "bitsets": the
        # engine's live index counts the reports tantivy matched (exact)
        self.facet_mode = facet_mode
        self.directory = directory
        self.index = tantivy.Index.open(str(directory))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def reload(self):
        self.index.reload()
        self.searcher = self.index.searcher()

    # -- the query tree -------------------------------------------------------------------------

    def _leaf(self, text: str, fieldname: str):
        return leaf_query(self.schema, text, fieldname)

    def _either(self, text: str):
        """A plain term: in the section's own text or in its report's printed texts."""
        import tantivy

        parts = [q for q in (self._leaf(text, "grams"), self._leaf(text, "agrams")) if q is not None]
        if not parts:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])

    def translate(self, node, by_words: bool = False):
        import tantivy

        from search.matching import term_words
        from search.query import And, Field, Not, Or, Phrase, PlainText

        Occur, Query = tantivy.Occur, tantivy.Query
        if isinstance(node, Field):
            return self._leaf(node.text, f"f_{node.field}") or Query.empty_query()
        if isinstance(node, Phrase) or (isinstance(node, PlainText) and not by_words):
            return self._either(node.text)
        if isinstance(node, PlainText):
            return Query.boolean_query([(Occur.Must, self._either(w)) for w in term_words(node.text)])
        if isinstance(node, Or):
            return Query.boolean_query([(Occur.Should, self.translate(c, by_words)) for c in node.children])
        if isinstance(node, Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, self.translate(node.child, by_words))])
        if isinstance(node, And):
            clauses = [(Occur.MustNot if isinstance(c, Not) else Occur.Must,
                        self.translate(c.child if isinstance(c, Not) else c, by_words)) for c in node.children]
            if all(o == Occur.MustNot for o, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        return Query.empty_query()

    def _words_query(self, terms, by_words: bool):
        """BM25 over the jieba words of the positive terms, per field weight."""
        import tantivy

        from search.matching import term_words

        words = list(dict.fromkeys(w for t in terms for w in term_words(t.text)))
        clauses = []
        for name, weight in WORD_FIELDS.items():
            for w in words:
                q = tantivy.Query.term_query(self.schema, name, w, index_option="freq")
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, weight)))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _filters(self, selected: dict, dates) -> dict:
        import tantivy

        out = {}
        for facet, values in selected.items():
            out[facet] = tantivy.Query.term_set_query(self.schema, facet, sorted(values))
        if dates is not None:
            start = dates.start.toordinal() if dates.start != datetime.date.min else 1
            end = dates.end.toordinal() if dates.end != datetime.date.max else datetime.date.max.toordinal()
            out["_dates"] = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, tantivy.Query.range_query(self.schema, "start", tantivy.FieldType.Integer, 1, end)),
                (tantivy.Occur.Must, tantivy.Query.range_query(self.schema, "end", tantivy.FieldType.Integer, start, None)),
            ])
        return out

    @staticmethod
    def _and(query, filters):
        import tantivy

        if not filters:
            return query
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query)] + [(tantivy.Occur.Must, f) for f in filters])

    # -- counts ---------------------------------------------------------------------------------

    def _aggregate(self, query, facets, total: bool) -> dict:
        if self.facet_mode == "sections":  # counts of sections, not reports: cheaper, not the same figure
            agg = {f: {"terms": {"field": f, "size": FACET_LIMIT}} for f in facets}
        else:
            agg = {f: {"terms": {"field": f, "size": FACET_LIMIT}, "aggs": {"articles": {"cardinality": {"field": "aid"}}}}
                   for f in facets}
        if total:
            agg["total"] = {"cardinality": {"field": "aid"}}
        return self.searcher.aggregate(query, agg) if agg else {}

    def facet_counts(self, base, filters: dict, selected: dict):
        """(reports matched after the filters, disjunctive facet counts in reports): one
        aggregation for the total and the facets without a selection, one more per facet with one."""
        everything = self._and(base, [q for k, q in filters.items()])
        plain = [f for f in FACETS if f not in selected]
        result = self._aggregate(everything, plain, total=True)
        out = {f: result[f] for f in plain}
        for facet in selected:
            others = [q for k, q in filters.items() if k != facet]
            out[facet] = self._aggregate(self._and(base, others), [facet], total=False)[facet]
        facets = {}
        for facet, value in out.items():
            facets[facet] = [{"value": b["key"], "count": int(round(b["articles"]["value"])) if "articles" in b else b["doc_count"],
                              "selected": b["key"] in selected.get(facet, ())} for b in value["buckets"]]
        total = int(round(result["total"]["value"]))
        return total, facets

    def bitset_counts(self, base, params):
        """(reports matched after the filters, disjunctive facet counts): the reports tantivy
        matched (every match, ordered by the `aid` fast field, whose values come back as the sort
        keys) counted by the engine's own live index (search.facets, exact bitsets): how tantivy
        replaced the gram tables (the site's node index) while the live index stays."""
        from search import facets as facet_module
        from search.filters import selected_values
        from search.live import live_index

        live = live_index()
        n = self.searcher.search(base, limit=1, count=True).count
        aids = {k for k, _ in self.searcher.search(base, limit=max(n, 1), count=False, order_by_field="aid").hits} if n else set()
        bits = live.to_bits([a for a in aids if a in live.position])
        chosen, _ = selected_values(params, live)
        counts = facet_module.count(live, bits, chosen)
        return facet_module.filter_bits(live, bits, chosen).bit_count(), counts

    # -- the search function --------------------------------------------------------------------

    def search(self, q: str, params=None, page=1, page_size: int = PAGE_SIZE, facets: bool = True,
               snippets: bool = True, all_sections: bool = False) -> Results:
        import tantivy

        from search.filters import date_range
        from search.matching import term_words
        from search.parsing import parse
        from search.query import PlainText, positive_terms
        from search.snippets import needles_for, printed_snippets, snippet

        params = params or {}
        tree = parse(q).tree
        selected = {}
        for facet in FACETS:
            raw = params.getlist(facet) if hasattr(params, "getlist") else params.get(facet, [])
            raw = [raw] if isinstance(raw, str) else list(raw)
            values = {v.strip() for v in raw if v.strip()}
            if values:
                selected[facet] = values
        dates, _ = date_range(params)
        filters = self._filters(selected, dates)
        by_words = False
        terms = positive_terms(tree) if tree is not None else []
        if tree is None:
            base = tantivy.Query.all_query()
        else:
            base = self.translate(tree)
            if self.searcher.search(base, limit=1, count=False).hits == [] and any(
                isinstance(t, PlainText) and len(term_words(t.text)) > 1 for t in terms
            ):
                by_words = True
                base = self.translate(tree, by_words=True)
        if dates is not None:
            base = self._and(base, [filters.pop("_dates")])
        matched = self._and(base, list(filters.values()))
        if facets and self.facet_mode == "bitsets":
            total, facet_counts = self.bitset_counts(base, params)
        elif facets:
            total, facet_counts = self.facet_counts(base, filters, selected)
        else:
            total, facet_counts = int(self.searcher.cardinality(matched, "aid")), {}
        if all_sections:  # for recall: every matching section id
            n = self.searcher.search(matched, limit=1, count=True).count
            hits = self.searcher.search(matched, limit=max(n, 1), count=False).hits
            sids = self.searcher.fast_field_values("sid", [a for _, a in hits])
            return Results(total, 1, 1, [Hit(0, 0, "", 0.0, 0, sorted(sids))], facet_counts, by_words)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, int(page)), pages)
        needed = page * page_size
        words = self._words_query(terms, by_words) if terms else None
        ranked = matched if words is None else tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.const_score_query(matched, 0.0)), (tantivy.Occur.Should, words)]
        )
        # Ranked sections grouped by report: fetch more until the page's reports are there.
        limit = needed * 3
        while True:
            result = self.searcher.search(ranked, limit=limit, count=False)
            addresses = [a for _, a in result.hits]
            aids = self.searcher.fast_field_values("aid", addresses)
            order, best = [], {}
            for (score, address), aid in zip(result.hits, aids):
                if aid not in best:
                    best[aid] = (score, address)
                    order.append(aid)
            if len(order) >= needed or len(addresses) < limit:
                break
            limit *= 4
        chosen = order[(page - 1) * page_size : needed]
        hits = []
        if chosen:
            per_article = self.searcher.aggregate(
                self._and(matched, [tantivy.Query.term_set_query(self.schema, "aid", chosen)]),
                {"a": {"terms": {"field": "aid", "size": len(chosen)}}},
            )
            counts = {int(b["key"]): b["doc_count"] for b in per_article["a"]["buckets"]}
            needles = needles_for(terms, by_words)
            for aid in chosen:
                score, address = best[aid]
                doc = self.searcher.doc(address)
                text = doc.get_first("text") or ""
                hits.append(Hit(aid, doc.get_first("sid"), snippet(text, needles) if snippets else "", score,
                                max(0, counts.get(aid, 1) - 1)))
            unmarked = [h for h in hits if snippets and needles and "<mark>" not in h.snippet]
            if unmarked:
                printed = printed_snippets([h.article_id for h in unmarked], needles)
                for h in unmarked:
                    h.snippet = printed.get(h.article_id, h.snippet)
        return Results(total, pages, page, hits, facet_counts, by_words)

    def bare(self, q: str, params=None):
        """What tantivy alone answers: the top 10 sections and the number of matching sections
        (parse, translate, filters), without grouping, report counts, facets or snippets."""
        import tantivy

        from search.parsing import parse

        params = params or {}
        tree = parse(q).tree
        query = self.translate(tree) if tree is not None else tantivy.Query.all_query()
        filters = []
        for facet in FACETS:
            raw = params.get(facet, []) if not hasattr(params, "getlist") else params.getlist(facet)
            raw = [raw] if isinstance(raw, str) else list(raw)
            if raw:
                filters.append(tantivy.Query.term_set_query(self.schema, facet, raw))
        return self.searcher.search(self._and(query, filters), limit=10, count=True)

    def matching_sections(self, q: str, params=None) -> set[int]:
        return set(self.search(q, params, facets=False, all_sections=True).hits[0].section_ids)

def edit_latency(directory, section_id: int, marker: str, engine: TantivyEngine) -> dict:
    """What an editor's save costs on tantivy: the section's document deleted and written again
    with a new marker in its body, committed, the searcher reloaded, and the marker searched."""
    import tantivy

    from archive.models import Section
    from search.indexing import initiative_names
    from search.live import LiveIndex

    section = Section.objects.select_related("article").get(pk=section_id)
    index = tantivy.Index.open(str(directory))
    t0 = time.perf_counter()
    row = _section_rows([(section.pk, section.article_id, section.article.title, section.heading,
                          section.body + marker, initiative_names([section.pk]).get(section.pk, []))])[0]
    article = _article_rows([section.article_id]).get(section.article_id)
    facts = LiveIndex(cache_leaves=False, sections_from_archive=True)
    facts._load_articles([section.article_id])
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    t1 = time.perf_counter()
    # by a query: tantivy's delete by term does not match a u64 field's values
    writer.delete_documents_by_query(tantivy.Query.term_query(engine.schema, "sid", section.pk))
    writer.add_document(document(row, article, facts.articles.get(section.article_id)))
    writer.commit()
    t2 = time.perf_counter()
    writer.wait_merging_threads()
    del writer
    engine.reload()
    found = engine.matching_sections(marker)
    t3 = time.perf_counter()
    return {
        "prepare_ms": round((t1 - t0) * 1000, 1), "commit_ms": round((t2 - t1) * 1000, 1),
        "reload_and_find_ms": round((t3 - t2) * 1000, 1), "total_ms": round((t3 - t0) * 1000, 1),
        "found": section.pk in found,
    }
