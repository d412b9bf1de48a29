"""The search function: user text and facet parameters in, ranked and grouped results out.

1. parse the text into a query tree (search.parsing; never raises);
2. find the sections each leaf matches: the backend gives candidates from the character channel,
   and an exact check on the normalised text decides (search.tokens), so every literal string
   is found and both backends return the same set;
3. combine leaves (AND, OR, NOT) as sets, keep articles that pass the facet filters;
4. rank sections by BM25 over jieba words with field weights (title > initiative names > heading
   > body), plus a bonus where the term occurs whole; newest first on ties;
5. group by article (best section first, "and N more sections"), paginate, build snippets;
6. count facets disjunctively (search.facets).
"""

import math
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.models import Article, Section

from . import facets as facet_module
from . import segmentation
from .backends import get_backend
from .filters import selected_values
from .indexing import state
from .models import SearchDocument
from .normalize import normalize
from .parsing import ParsedQuery, parse
from .query import And, Not, Or, Phrase, PlainText, positive_terms
from .tokens import canonical, contains, fold, gram_stream, units

FIELD_WEIGHTS = {"title": 4.0, "init": 3.0, "heading": 2.0, "body": 1.0}
WHOLE_TERM_BONUS = 1.5  # the term as typed occurs (not only its words)
SUBSTRING_ONLY = 0.05  # found by the character channel only (inside a longer word)
K1, B = 1.2, 0.75
SORTS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
PAGE_SIZE = 10
SNIPPET_CHARS = 120


@dataclass
class Hit:
    article: Article
    section: Section
    snippet: str  # safe HTML: escaped text with <mark> around matches
    score: float
    more_sections: int
    section_ids: list[int]

    @property
    def section_url(self) -> str:
        return self.section.get_absolute_url()


@dataclass
class SearchResults:
    q: str
    parsed: ParsedQuery
    sort: str
    page: int
    pages: int
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]
    selected: dict[str, set]
    notices: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return [leaf.text for leaf in positive_terms(self.parsed.tree)] if self.parsed.tree else []


# ---------------------------------------------------------------------------------------------
# Matching


class Matcher:
    """Evaluates a query tree to a set of section ids, exactly."""

    def __init__(self, backend, by_words: bool = False):
        self.backend = backend
        self.by_words = by_words  # PlainText as all of its words rather than the literal term
        self.canon_cache: dict[int, str] = {}

    def leaf(self, text: str) -> set[int]:
        seq = units(text)
        present = [u for u in seq if u is not None]
        if not present:
            return set()
        if len(present) == 1:
            return self.backend.candidates([], present)
        stream = gram_stream(text)
        candidates = self.backend.candidates([g for g in stream], [])
        if not candidates:
            return set()
        query_canon = canonical(text)
        self._load_canon(candidates)
        return {sid for sid in candidates if contains(self.canon_cache.get(sid, ""), query_canon)}

    def _load_canon(self, ids):
        missing = [i for i in ids if i not in self.canon_cache]
        for start in range(0, len(missing), 900):
            chunk = missing[start : start + 900]
            self.canon_cache.update(SearchDocument.objects.filter(pk__in=chunk).values_list("section_id", "canon"))

    def evaluate(self, node, universe) -> set[int]:
        if isinstance(node, Phrase):
            return self.leaf(node.text)
        if isinstance(node, PlainText) and not self.by_words:
            return self.leaf(node.text)
        if isinstance(node, PlainText):
            words = term_words(node.text)
            result = None
            for word in words:
                found = self.leaf(word)
                result = found if result is None else result & found
                if not result:
                    return set()
            return result or set()
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self.evaluate(child, universe)
            return out
        if isinstance(node, Not):
            return universe() - self.evaluate(node.child, universe)
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            result = None
            for child in positives:
                found = self.evaluate(child, universe)
                result = found if result is None else result & found
                if not result:
                    return set()
            if result is None:
                result = universe()
            for child in negatives:
                result -= self.evaluate(child, universe)
            return result
        return set()


def term_words(text: str) -> list[str]:
    """jieba's words of a term, each with something searchable; the term itself when jieba
    gives nothing usable."""
    words = [w for w in dict.fromkeys(segmentation.words(text)) if any(u for u in units(w))]
    return words or [text]


# ---------------------------------------------------------------------------------------------
# Ranking

_df_lock = threading.Lock()
_df_cache: dict = {}


def document_frequency(backend, word: str, generation: str) -> int:
    with _df_lock:
        if _df_cache.get("generation") != generation:
            _df_cache.clear()
            _df_cache["generation"] = generation
        if word in _df_cache:
            return _df_cache[word]
    value = backend.document_frequency(word)
    with _df_lock:
        _df_cache[word] = value
    return value


class Ranker:
    def __init__(self, backend, terms, generation: str):
        self.backend = backend
        self.terms = terms
        self.generation = generation
        self.n_docs = max(SearchDocument.objects.count(), 1)
        self.term_info = []
        for term in terms:
            words = term_words(term.text)
            joined = term.text.replace(" ", "")
            self.term_info.append(
                {
                    "words": words,
                    "idf": {w: self.idf(w) for w in words},
                    "whole": joined,
                    "whole_idf": self.idf(joined) if joined not in words else 0.0,
                    "canon": canonical(term.text),
                }
            )

    def idf(self, word: str) -> float:
        df = document_frequency(self.backend, word, self.generation)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def scores(self, section_ids) -> dict[int, float]:
        rows = SearchDocument.objects.filter(pk__in=section_ids).values_list(
            "section_id", "title_words", "init_words", "heading_words", "body_words", "canon"
        )
        docs = []
        for sid, title, init, heading, body, canon in rows:
            fields = {
                "title": title.split(),
                "init": [n for n in init.split("\t") if n],
                "heading": heading.split(),
                "body": body.split(),
            }
            docs.append((sid, fields, canon))
        avg = {f: (sum(len(d[1][f]) for d in docs) / len(docs) if docs else 1.0) or 1.0 for f in FIELD_WEIGHTS}
        result = {}
        for sid, fields, canon in docs:
            counters = {f: Counter(tokens) for f, tokens in fields.items()}
            score = 0.0
            for info in self.term_info:
                term_score = 0.0
                for f, weight in FIELD_WEIGHTS.items():
                    length = len(fields[f])
                    for word in info["words"]:
                        tf = counters[f].get(word, 0)
                        if tf:
                            norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg[f]))
                            term_score += weight * info["idf"][word] * norm
                    if info["whole_idf"] and counters[f].get(info["whole"]):
                        term_score += weight * info["whole_idf"]
                if len(info["words"]) > 1 and contains(canon, info["canon"]):
                    term_score *= WHOLE_TERM_BONUS
                if term_score == 0.0:
                    term_score = SUBSTRING_ONLY
                score += term_score
            result[sid] = round(score, 6)
        return result


# ---------------------------------------------------------------------------------------------
# Snippets


def mark_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where the needles occur in text (normalised alike, spaces and quotes ignored as the
    character channel ignores them), merged, left to right."""
    haystack, index = fold(normalize(text))
    spans = []
    for needle in needles:
        needle, _ = fold(needle)
        if not needle:
            continue
        start = haystack.find(needle)
        while start != -1:
            spans.append((index[start], index[start + len(needle) - 1] + 1))
            start = haystack.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, needles: list[str]) -> str:
    """The whole text, escaped, with every match marked."""
    return mark_safe(_render(text, mark_spans(text, needles), 0, len(text)))


def snippet(text: str, needles: list[str], width: int = SNIPPET_CHARS) -> str:
    text = text.replace("\n", " ")
    spans = mark_spans(text, needles)
    if not spans:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))
    # the window that holds the most marks, starting a little before the first of them
    best_start, best_count = 0, -1
    for a, _ in spans:
        start = max(0, a - width // 4)
        count = sum(1 for x, y in spans if x >= start and y <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    end = min(len(text), best_start + width)
    html = _render(text, spans, best_start, end)
    return mark_safe(("…" if best_start > 0 else "") + html + ("…" if end < len(text) else ""))


def _render(text, spans, start, end) -> str:
    out, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)


def needles_for(terms, by_words: bool = False) -> list[str]:
    """What to mark: each term as typed; its words too when the results were found by words."""
    needles = []
    for term in terms:
        needles.append(term.text)
        if by_words and isinstance(term, PlainText):
            needles.extend(term_words(term.text))
    return list(dict.fromkeys(n for n in needles if n.strip()))


# ---------------------------------------------------------------------------------------------
# The search function


def parse_page(value) -> int:
    try:
        page = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return max(1, min(page, 10_000))


def search(q: str | None = "", params=None, *, sort: str = "relevance", page=1, page_size: int = PAGE_SIZE) -> SearchResults:
    params = params if params is not None else {}
    parsed = parse(q)
    notices = list(parsed.notices)
    if sort not in SORTS:
        sort = "relevance" if parsed.tree is not None else "newest"
    backend = get_backend()
    generation = state().token
    fmap = facet_module.facet_map(generation)
    selected, facet_notices = selected_values(params, fmap)
    notices += facet_notices

    by_words = False
    if parsed.tree is None:
        matched_sections = None
        article_ids = set(fmap.values)
        if q and q.strip():
            notices.append("检索词中没有可检索的文字，显示全部报道。")
    else:
        matcher = Matcher(backend)

        def universe():
            return set(SearchDocument.objects.values_list("section_id", flat=True))

        matched_sections = matcher.evaluate(parsed.tree, universe)
        by_words = False
        if not matched_sections and any(
            isinstance(t, PlainText) and len(term_words(t.text)) > 1 for t in positive_terms(parsed.tree)
        ):
            # Nothing has the terms as typed: look for their words anywhere in a section instead.
            matched_sections = Matcher(backend, by_words=True).evaluate(parsed.tree, universe)
            by_words = True
            if matched_sections:
                notices.append("没有找到与检索词完全一致的文字，以下结果包含检索词中的各个词语。")
        article_of = dict(
            SearchDocument.objects.filter(pk__in=matched_sections).values_list("section_id", "article_id")
        ) if matched_sections else {}
        article_ids = set(article_of.values())

    facets = facet_module.count(fmap, article_ids, selected)
    kept_articles = facet_module.filter_articles(fmap, article_ids, selected)

    terms = positive_terms(parsed.tree) if parsed.tree is not None else []
    if matched_sections is None:
        groups = {aid: [] for aid in kept_articles}
        article_score = {aid: 0.0 for aid in kept_articles}
        section_scores = {}
    else:
        sections = [sid for sid, aid in article_of.items() if aid in kept_articles]
        section_scores = Ranker(backend, terms, generation).scores(sections) if terms else {s: 0.0 for s in sections}
        groups: dict[int, list[int]] = {}
        for sid in sections:
            groups.setdefault(article_of[sid], []).append(sid)
        article_score = {aid: max(section_scores.get(s, 0.0) for s in sids) for aid, sids in groups.items()}

    def date_key(aid):
        date = fmap.dates.get(aid)
        return date.toordinal() if date else 0

    if sort == "newest":
        order = sorted(groups, key=lambda a: (-date_key(a), -article_score[a], -a))
    elif sort == "oldest":
        order = sorted(groups, key=lambda a: (date_key(a) or 10**9, -article_score[a], a))
    else:
        order = sorted(groups, key=lambda a: (-article_score[a], -date_key(a), -a))

    total = len(order)
    pages = max(1, math.ceil(total / page_size))
    requested = parse_page(page)
    page = min(requested, pages)
    if requested != page:
        notices.append("页码超出范围，已显示最后一页。")
    chosen = order[(page - 1) * page_size : page * page_size]
    hits = _hits(chosen, groups, section_scores, article_score, needles_for(terms, by_words))
    return SearchResults(
        q=q or "", parsed=parsed, sort=sort, page=page, pages=pages, total=total, hits=hits,
        facets=facets, selected=selected, notices=notices,
    )


def _hits(article_ids, groups, section_scores, article_score, needles) -> list[Hit]:
    if not article_ids:
        return []
    articles = Article.objects.select_related("source").in_bulk(article_ids)
    best_ids = {}
    for aid in article_ids:
        sids = groups[aid]
        if sids:
            best_ids[aid] = sorted(sids, key=lambda s: (-section_scores.get(s, 0.0), s))
    section_ids = [ids[0] for ids in best_ids.values()]
    sections = Section.objects.in_bulk(section_ids)
    leads = {}
    missing = [aid for aid in article_ids if aid not in best_ids]
    if missing:
        for section in Section.objects.filter(article_id__in=missing).order_by("article_id", "order"):
            leads.setdefault(section.article_id, section)
    hits = []
    for aid in article_ids:
        article = articles[aid]
        if aid in best_ids:
            ordered = best_ids[aid]
            section = sections[ordered[0]]
        else:
            ordered = []
            section = leads.get(aid)
        if section is None:
            continue
        section.article = article
        text = section.body or section.heading
        hits.append(
            Hit(
                article=article,
                section=section,
                snippet=snippet(text, needles),
                score=article_score.get(aid, 0.0),
                more_sections=max(0, len(ordered) - 1),
                section_ids=ordered,
            )
        )
    return hits
