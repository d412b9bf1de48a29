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

import heapq
import math
import threading
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.models import Article, Section

from . import facets as facet_module
from . import segmentation
from .backends import get_backend
from .filters import selected_values
from .live import live_index
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
    live: object = None  # the live index the results were computed from (labels for serialising)

    @property
    def terms(self) -> list[str]:
        return [leaf.text for leaf in positive_terms(self.parsed.tree)] if self.parsed.tree else []


# ---------------------------------------------------------------------------------------------
# Matching


class Matcher:
    """Evaluates a query tree to a set of section ids, exactly."""

    def __init__(self, backend, live, by_words: bool = False):
        self.backend = backend
        self.live = live
        self.by_words = by_words  # PlainText as all of its words rather than the literal term

    def leaf(self, text: str) -> set[int]:
        present = [u for u in units(text) if u is not None]
        if not present:
            return set()
        key = canonical(text)
        cached = self.live.cached_leaf(key)
        if cached is not None:
            return set(cached)
        found = self._leaf(text, present, key)
        self.live.store_leaf(key, found)
        return found

    def _leaf(self, text, present, key) -> set[int]:
        if len(present) == 1:
            return self.backend.candidates([], present)
        candidates = self.backend.candidates(gram_stream(text), [])
        if not candidates:
            return set()
        # The gram index is exact but where two Latin units meet (ab cd and abc d both give the
        # gram abcd) and, on PostgreSQL, in sections too long for tsvector positions.
        unsure = set(candidates) if _latin_pair(present) else self.backend.unsure(candidates)
        if not unsure:
            return candidates
        canon = dict(SearchDocument.objects.filter(pk__in=unsure).values_list("section_id", "canon"))
        return (candidates - unsure) | {sid for sid in unsure if contains(canon.get(sid, ""), key)}

    def evaluate(self, node) -> set[int]:
        if isinstance(node, Phrase):
            return self.leaf(node.text)
        if isinstance(node, PlainText) and not self.by_words:
            return self.leaf(node.text)
        if isinstance(node, PlainText):
            result = None
            for word in term_words(node.text):
                found = self.leaf(word)
                result = found if result is None else result & found
                if not result:
                    return set()
            return result or set()
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self.evaluate(child)
            return out
        if isinstance(node, Not):
            return self.live.universe() - self.evaluate(node.child)
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            result = None
            for child in positives:
                found = self.evaluate(child)
                result = found if result is None else result & found
                if not result:
                    return set()
            if result is None:
                result = self.live.universe()
            for child in negatives:
                result -= self.evaluate(child)
            return result
        return set()


def _latin_pair(present: list[str]) -> bool:
    return any(a.isascii() and b.isascii() for a, b in zip(present, present[1:]))


def term_words(text: str) -> list[str]:
    """jieba's words of a term, each with something searchable; the term itself when jieba
    gives nothing usable."""
    words = [w for w in dict.fromkeys(segmentation.words(text)) if any(u for u in units(w))]
    return words or [text]


# ---------------------------------------------------------------------------------------------
# Ranking

_df_lock = threading.Lock()
_df_cache: dict = {}


DF_REFRESH_CHANGES = 256  # document frequencies are re-read after this many index writes


def document_frequency(backend, word: str, live) -> int:
    """Cached per process; a few hundred edits barely move a frequency, and a rebuild (which
    starts a new live index) clears it."""
    if not live.cache_leaves:
        return backend.document_frequency(word)
    epoch = (id(live), live.last_change // DF_REFRESH_CHANGES)
    with _df_lock:
        if _df_cache.get("epoch") != epoch:
            _df_cache.clear()
            _df_cache["epoch"] = epoch
        if word in _df_cache:
            return _df_cache[word]
    value = backend.document_frequency(word)
    with _df_lock:
        _df_cache[word] = value
    return value


class Ranker:
    def __init__(self, backend, terms, live):
        self.backend = backend
        self.terms = terms
        self.live = live
        self.n_docs = max(len(live.section_article), 1)
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
        df = document_frequency(self.backend, word, self.live)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def words(self) -> list[str]:
        return list(dict.fromkeys(w for info in self.term_info for w in info["words"] + [info["whole"]]))

    def scores(self, section_ids) -> dict[int, float]:
        """BM25 per term over the four word fields, counted with str.count on the stored
        space-joined words (C speed); field lengths averaged over the sections ranked."""
        rows = list(
            SearchDocument.objects.filter(pk__in=section_ids).values_list(
                "section_id", "title_words", "init_words", "heading_words", "body_words", "canon"
            )
        )
        docs = []
        for sid, title, init, heading, body, canon in rows:
            fields = {
                "title": f" {title} ",
                "init": "\t" + init + "\t",
                "heading": f" {heading} ",
                "body": f" {body} ",
            }
            lengths = {
                "title": title.count(" ") + 1 if title else 0,
                "init": init.count("\t") + 1 if init else 0,
                "heading": heading.count(" ") + 1 if heading else 0,
                "body": body.count(" ") + 1 if body else 0,
            }
            docs.append((sid, fields, lengths, canon))
        avg = {f: (sum(d[2][f] for d in docs) / len(docs) if docs else 1.0) or 1.0 for f in FIELD_WEIGHTS}
        result = {}
        for sid, fields, lengths, canon in docs:
            score = 0.0
            for info in self.term_info:
                term_score = 0.0
                for f, weight in FIELD_WEIGHTS.items():
                    text, sep = fields[f], ("\t" if f == "init" else " ")
                    for word in info["words"]:
                        tf = text.count(sep + word + sep) if word in text else 0
                        if tf:
                            norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[f] / avg[f]))
                            term_score += weight * info["idf"][word] * norm
                    whole = info["whole"]
                    if info["whole_idf"] and whole in text and (sep + whole + sep) in text:
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


RANK_LIMIT = 400  # beyond this many matching sections, rank the backend's best candidates


def search(q: str | None = "", params=None, *, sort: str = "relevance", page=1, page_size: int = PAGE_SIZE) -> SearchResults:
    params = params if params is not None else {}
    parsed = parse(q)
    notices = list(parsed.notices)
    if sort not in SORTS:
        sort = "relevance" if parsed.tree is not None else "newest"
    backend = get_backend()
    live = live_index()
    selected, facet_notices = selected_values(params, live)
    notices += facet_notices

    by_words = False
    section_article = live.section_article
    if parsed.tree is None:
        matched = None
        article_ids = set(live.articles)
        if q and q.strip():
            notices.append("检索词中没有可检索的文字，显示全部报道。")
    else:
        matched = Matcher(backend, live).evaluate(parsed.tree)
        if not matched and any(
            isinstance(t, PlainText) and len(term_words(t.text)) > 1 for t in positive_terms(parsed.tree)
        ):
            # Nothing has the terms as typed: look for their words anywhere in a section instead.
            matched = Matcher(backend, live, by_words=True).evaluate(parsed.tree)
            by_words = True
            if matched:
                notices.append("没有找到与检索词完全一致的文字，以下结果包含检索词中的各个词语。")
        matched = {sid for sid in matched if sid in section_article}
        article_ids = {section_article[sid] for sid in matched}

    facets = facet_module.count(live, article_ids, selected)
    kept = facet_module.filter_articles(live, article_ids, selected)
    terms = positive_terms(parsed.tree) if parsed.tree is not None else []

    section_scores: dict[int, float] = {}
    if matched is not None and terms:
        ranker = Ranker(backend, terms, live)
        if len(matched) <= RANK_LIMIT:
            candidates = [sid for sid in matched if section_article[sid] in kept]
        else:
            best = backend.best_sections(ranker.words(), RANK_LIMIT * 3)
            candidates = [sid for sid in best if sid in matched and section_article[sid] in kept][:RANK_LIMIT]
        section_scores = ranker.scores(candidates)
    article_score: dict[int, float] = {}
    for sid, score in section_scores.items():
        aid = section_article[sid]
        if score > article_score.get(aid, float("-inf")):
            article_score[aid] = score

    articles = live.articles

    def date_key(aid):
        date = articles[aid].date
        return date.toordinal() if date else 0

    requested = parse_page(page)
    needed = min(requested, max(1, math.ceil(len(kept) / page_size))) * page_size
    if sort == "newest":
        order = heapq.nsmallest(needed, kept, key=lambda a: (-date_key(a), -article_score.get(a, 0), -a))
    elif sort == "oldest":
        order = heapq.nsmallest(needed, kept, key=lambda a: (date_key(a) or 10**9, -article_score.get(a, 0), a))
    else:
        # ranked articles first, best first; the rest (beyond the ranked candidates) newest first
        ranked = sorted(article_score, key=lambda a: (-article_score[a], -date_key(a), -a))
        rest = heapq.nsmallest(
            max(0, needed - len(ranked)), (a for a in kept if a not in article_score), key=lambda a: (-date_key(a), -a)
        )
        order = ranked + rest

    total = len(kept)
    pages = max(1, math.ceil(total / page_size))
    page = min(requested, pages)
    if requested != page:
        notices.append("页码超出范围，已显示最后一页。")
    chosen = order[(page - 1) * page_size : page * page_size]
    groups = {
        aid: [sid for sid in articles[aid].sections if matched is None or sid in matched] if matched is not None else []
        for aid in chosen
    }
    hits = _hits(chosen, groups, section_scores, article_score, needles_for(terms, by_words), live)
    return SearchResults(
        q=q or "", parsed=parsed, sort=sort, page=page, pages=pages, total=total, hits=hits,
        facets=facets, selected=selected, notices=notices, live=live,
    )


def _hits(article_ids, groups, section_scores, article_score, needles, live) -> list[Hit]:
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
        article = articles.get(aid)
        if article is None:  # deleted since the live index last looked
            continue
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
                score=article_score.get(aid) or 0.0,
                more_sections=max(0, len(ordered) - 1),
                section_ids=ordered,
            )
        )
    return hits
