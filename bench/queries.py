"""The query classes, drawn deterministically from the loaded corpus, and their ground truth.

Ground truth is a plain Python scan, independent of the engine: a section contains a string when
its article's title, its heading or its body does (each scanned on its own, as the engine
indexes them), after search.normalize.normalize, with whitespace and quotation marks ignored as
the character channel ignores them (the rule in archive/text.py). Queries are CJK strings only:
with Latin letters or digits the engine matches whole letter/digit runs (135工程 is not in
2135工程), which a plain substring scan would not reproduce. A field term (title:, author:)
holds in every section of a report whose title or byline has the string; a date range in every
section of a report whose dated period (a year, a month, a day) overlaps it.
"""

import bisect
import datetime
import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass

from archive.text import CJK, IGNORED_CLASS
from search.normalize import normalize

CLASSES = (
    "frequent_word",
    "rare_word",
    "initiative_name",
    "person_name",
    "substring_2char",
    "substring_in_word",
    "multi_term_and",
    "phrase",
    "exclusion",
    "two_facets",
    "deep_page",
    "field_title",
    "field_author",
    "date_range",
    "synonym",
)
CLASS_LABELS = {
    "frequent_word": "frequent word",
    "rare_word": "rare word",
    "initiative_name": "initiative name",
    "person_name": "person name",
    "substring_2char": "2-character substring",
    "substring_in_word": "substring inside a longer word",
    "multi_term_and": "multi-term AND",
    "phrase": "phrase",
    "exclusion": "exclusion",
    "two_facets": "query + two facet filters",
    "deep_page": "deep page (page 50)",
    "field_title": "title: field term",
    "field_author": "author: field term",
    "date_range": "word + date range",
    "synonym": "term with synonyms (plain today)",
}
SUBSTRING_CLASSES = ("substring_2char", "substring_in_word")
COMMON_WORDS = ("改革", "发展", "园区")  # named in the issue: always among the frequent words
_IGNORED = re.compile(f"[{IGNORED_CLASS}]")  # what the character channel ignores (archive.text)
DEEP_PAGE = 50
SAMPLE_SECTIONS = 3000
_CJK = re.compile(f"^[{CJK}]+$")
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")  # as bench.generate.sentence_pool splits
_PERSON = re.compile(f"([{CJK}]{{2,3}})介绍了有关情况")


def fold(text: str) -> str:
    """Normalised text without whitespace and quotation marks."""
    return _IGNORED.sub("", normalize(text))


@dataclass
class Corpus:
    """Every published section as the ground truth reads it."""

    sections: list[tuple[int, int, str, str]]  # (section id, article id, folded heading, folded body)
    titles: dict[int, str]  # article id → folded title (with subtitle and document number)
    departments: dict[int, frozenset]  # article id → department slugs
    years: dict[int, str]  # article id → year
    title_only: dict[int, str] = None  # article id → folded title and subtitle (what title: reads)
    authors: dict[int, tuple[str, ...]] = None  # article id → folded names in its bylines
    periods: dict[int, tuple] = None  # article id → (first day, last day) its date stands for

    def texts(self, position: int) -> tuple[str, str, str]:
        """Title, heading and body of the section at this position of `sections`."""
        _, aid, heading, body = self.sections[position]
        return self.titles[aid], heading, body


def read_corpus() -> Corpus:
    from archive.models import Article, ArticleDepartment, Authorship, Section
    from search.live import period_end

    titles, years, title_only, periods = {}, {}, {}, {}
    for aid, title, subtitle, doc_number, date, precision in Article.objects.published().values_list(
        "pk", "title", "subtitle", "doc_number", "date", "date_precision"
    ):
        titles[aid] = fold(" ".join(p for p in (title, subtitle, doc_number) if p))
        title_only[aid] = fold(" ".join(p for p in (title, subtitle) if p))
        years[aid] = str(date.year) if date else ""
        if date:
            periods[aid] = (date, period_end(date, precision))
    authors: dict[int, list] = {}
    for aid, name in Authorship.objects.filter(article_id__in=titles).values_list("article_id", "person__name"):
        authors.setdefault(aid, []).append(fold(name))
    departments: dict[int, set] = {}
    for aid, slug in ArticleDepartment.objects.filter(article_id__in=titles).values_list("article_id", "department__slug"):
        departments.setdefault(aid, set()).add(slug)
    sections = [
        (sid, aid, fold(heading), fold(body))
        for sid, aid, heading, body in Section.objects.filter(article_id__in=titles)
        .order_by("pk")
        .values_list("pk", "article_id", "heading", "body")
        .iterator(chunk_size=5000)
    ]
    return Corpus(
        sections, titles, {a: frozenset(d) for a, d in departments.items()}, years, title_only,
        {a: tuple(n) for a, n in authors.items()}, periods,
    )


@dataclass(frozen=True)
class Query:
    cls: str
    text: str  # as typed in the search box
    must: tuple[str, ...]  # folded strings that must occur in the section
    must_not: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()  # facet filters, (facet, value)
    page: int = 1
    whoosh: str = ""  # the same query in Whoosh's query language (without fields or dates)
    field: str = ""  # the field `must` is looked for in ("title", "author"), or anywhere
    dates: tuple[tuple[str, str], ...] = ()  # (date_from, YYYY), (date_to, YYYY): not facets, peers ignore them

    @property
    def param_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for facet, value in self.params + self.dates:
            out.setdefault(facet, []).append(value)
        return out

    def as_json(self) -> dict:
        out = {"q": self.text}
        if self.params:
            out["params"] = self.param_dict
        if self.page != 1:
            out["page"] = self.page
        return out


def _matches(query: Query, fields: tuple[str, str, str]) -> bool:
    return all(any(s in f for f in fields) for s in query.must) and not any(
        any(s in f for f in fields) for s in query.must_not
    )


def truth(query: Query, corpus: Corpus) -> set[int]:
    """The sections that truly match the query, by a plain scan."""
    wanted = query.param_dict
    first = datetime.date(int(wanted["date_from"][0]), 1, 1) if "date_from" in wanted else datetime.date.min
    last = datetime.date(int(wanted["date_to"][0]), 12, 31) if "date_to" in wanted else datetime.date.max
    out = set()
    for sid, aid, heading, body in corpus.sections:
        if "department" in wanted and not (corpus.departments.get(aid, frozenset()) & set(wanted["department"])):
            continue
        if "year" in wanted and corpus.years.get(aid) not in wanted["year"]:
            continue
        if query.dates:
            period = corpus.periods.get(aid)
            if period is None or period[0] > last or period[1] < first:
                continue
        if query.field == "title":
            fields = (corpus.title_only[aid],)
        elif query.field == "author":
            fields = corpus.authors.get(aid, ())
        else:
            fields = (corpus.titles[aid], heading, body)
        if _matches(query, fields):
            out.add(sid)
    return out


# ---------------------------------------------------------------------------------------------
# Drawing the queries


def _jieba():
    """A plain jieba tokenizer with the catalogs' names added: for drawing queries only (the
    engine has its own), so that whole initiative names count as words."""
    import logging

    import jieba

    from archive.models import Department, Initiative

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for obj in list(Initiative.objects.all()) + list(Department.objects.all()):
        for name in obj.names:
            name = fold(name)
            if len(name) >= 2:
                tk.add_word(name, freq=max(tk.suggest_freq(name, tune=False), 1000))
    return tk


class Drawer:
    def __init__(self, corpus: Corpus, seed: int, per_class: int):
        from bench.generate import sentence_pool

        self.corpus = corpus
        self.rng = random.Random(seed * 7919 + 1)
        self.k = per_class
        self.tk = _jieba()
        sentences, headings = sentence_pool()
        self.sentences = sorted(set(fold(s) for s in sentences + headings))
        vocabulary: Counter = Counter()
        for sentence in self.sentences:
            for word in self.tk.cut(sentence, HMM=False):
                if len(word) >= 2 and _CJK.match(word):
                    vocabulary[word] += 1
        self.vocabulary = sorted(vocabulary)
        picks = sorted(random.Random(seed).sample(range(len(corpus.sections)), min(SAMPLE_SECTIONS, len(corpus.sections))))
        self.sample = ["\x00".join(corpus.texts(i)) for i in picks]
        self.sample_articles = [corpus.sections[i][1] for i in picks]
        # Sections are recombined sentences, so a string's frequency is that of the sentences
        # holding it: count each distinct sentence of the sample once, then look strings up in
        # the (much shorter) sentence list rather than in every section.
        usage: Counter = Counter()
        for text in self.sample:
            for part in text.split("\x00"):
                usage.update(_SENTENCE.findall(part))
        pieces = sorted(usage)
        self._counts = [usage[p] for p in pieces]
        self._starts = list(itertools.accumulate([0] + [len(p) + 1 for p in pieces[:-1]]))
        self._text = "\x00".join(pieces)
        self._df: dict[str, int] = {}

    def df(self, s: str) -> int:
        """About how many sections of the sample contain s (sentence uses holding s; a string
        across two sentences is missed, a sentence used twice in one section counts twice):
        for ranking candidates, never for ground truth."""
        if s not in self._df:
            total, last, i = 0, -1, self._text.find(s)
            while i != -1:
                k = bisect.bisect_right(self._starts, i) - 1
                if k != last:
                    total, last = total + self._counts[k], k
                i = self._text.find(s, i + 1)
            self._df[s] = total
        return self._df[s]

    def is_word(self, s: str) -> bool:
        return self.tk.FREQ.get(s, 0) > 0

    def pick(self, candidates: list, k: int | None = None) -> list:
        candidates = sorted(dict.fromkeys(candidates))
        k = self.k if k is None else k
        return candidates if len(candidates) <= k else sorted(self.rng.sample(candidates, k))

    # -- word lists

    def frequent(self) -> list[str]:
        ranked = sorted((w for w in self.vocabulary if 2 <= len(w) <= 4), key=lambda w: (-self.df(w), w))
        common = [w for w in COMMON_WORDS if self.df(w)]
        return list(dict.fromkeys(common + ranked))[: self.k]

    def mid(self) -> list[str]:
        n = len(self.sample)
        return [w for w in self.vocabulary if len(w) <= 4 and 0.02 * n <= self.df(w) <= 0.15 * n]

    def rare(self) -> list[str]:
        ranked = sorted((w for w in self.vocabulary if self.df(w) >= 1), key=lambda w: (self.df(w), w))
        return self.pick(ranked[: max(self.k * 3, len(ranked) // 50)])

    def initiatives(self) -> list[str]:
        from archive.models import Initiative

        names = set()
        for initiative in Initiative.objects.all():
            for name in initiative.names:
                name = fold(name)
                if len(name) >= 2 and _CJK.match(name) and self.df(name):
                    names.add(name)
        return self.pick(names)

    def people(self) -> list[str]:
        counts: Counter = Counter()
        for _, _, _, body in self.corpus.sections:
            counts.update(_PERSON.findall(body))
        ranked = sorted(counts, key=lambda n: (-counts[n], n))
        if len(ranked) <= self.k:
            return ranked
        step = len(ranked) / self.k  # evenly from the most to the least mentioned
        return [ranked[int(i * step)] for i in range(self.k)]

    def inside_words(self, length: int, min_word: int) -> list[str]:
        """Strings of `length` characters that sit inside a longer word (not at its start) and
        are not words themselves: what a word index cannot find."""
        out = []
        for word in self.vocabulary:
            if len(word) < min_word:
                continue
            for i in range(1, len(word) - length + 1):
                part = word[i : i + length]
                if not self.is_word(part) and self.df(part):
                    out.append(part)
        ranked = sorted(set(out), key=lambda s: (-self.df(s), s))
        return self.pick(ranked[: self.k * 4])

    def phrases(self) -> list[str]:
        out = []
        for sentence in self.sentences:
            words = self.tk.lcut(sentence, HMM=False)
            for a, b in zip(words, words[1:]):
                joined = a + b
                if len(a) >= 2 and len(b) >= 2 and _CJK.match(joined) and len(joined) <= 7 and not self.is_word(joined):
                    out.append(joined)
        ranked = sorted(set(out), key=lambda s: (-self.df(s), s))
        return self.pick(ranked[: self.k * 8])

    # -- the classes

    def draw(self) -> list[Query]:
        frequent, mid = self.frequent(), self.mid()
        queries: list[Query] = []

        def plain(cls, words, page=1):
            queries.extend(Query(cls, w, (w,), page=page, whoosh=w) for w in words)

        plain("frequent_word", frequent)
        plain("rare_word", self.rare())
        plain("initiative_name", self.initiatives())
        plain("person_name", self.people())
        plain("substring_2char", self.inside_words(2, 4))
        plain("substring_in_word", self.inside_words(3, 5))

        pairs = []
        for m in mid:
            for f in frequent:
                if f not in m and m not in f:
                    pairs.append((m, f))
        and_pairs = [p for p in self.pick(pairs, self.k * 3) if self._co(p[0], p[1]) > 0][: self.k]
        queries.extend(Query("multi_term_and", f"{m} {f}", (m, f), whoosh=f"{m} {f}") for m, f in and_pairs)

        queries.extend(Query("phrase", f'"{p}"', (p,), whoosh=f'"{p}"') for p in self.phrases())

        excl = [p for p in self.pick([(f, m) for m, f in pairs], self.k * 3) if self._without(p[0], p[1]) > 0][: self.k]
        queries.extend(Query("exclusion", f"{f} -{m}", (f,), (m,), whoosh=f"{f} NOT {m}") for f, m in excl)

        queries.extend(self._facet_queries(frequent + self.pick(mid)))
        plain("deep_page", frequent, page=DEEP_PAGE)

        queries.extend(Query("field_title", f"title:{w}", (w,), whoosh=w, field="title") for w in self.title_words())
        queries.extend(Query("field_author", f"author:{n}", (n,), whoosh=n, field="author") for n in self.bylines())
        queries.extend(self._date_queries(frequent[:2] + self.pick(mid)))
        # Forms of a vocabulary group (search.synonyms) searched as typed: what the engine adds
        # to them is its own; the ground truth is the term as typed.
        plain("synonym", self.synonym_terms())
        return queries

    def title_words(self) -> list[str]:
        """Words of the reports' titles, from those in many titles to those in a few."""
        counts: Counter = Counter()
        for title in self.corpus.title_only.values():
            counts.update({w for w in self.tk.cut(title, HMM=False) if len(w) >= 2 and _CJK.match(w)})
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
        if len(ranked) <= self.k:
            return ranked
        step = len(ranked) / self.k
        return [ranked[int(i * step)] for i in range(self.k)]

    def bylines(self) -> list[str]:
        counts: Counter = Counter(n for names in self.corpus.authors.values() for n in names if _CJK.match(n))
        ranked = sorted(counts, key=lambda n: (-counts[n], n))
        if len(ranked) <= self.k:
            return ranked
        step = len(ranked) / self.k
        return [ranked[int(i * step)] for i in range(self.k)]

    def synonym_terms(self) -> list[str]:
        """Names and terms the vocabulary groups with other forms (the synonym catalog, the
        departments' and initiatives' names) that occur in the text."""
        from archive.models import Department, Initiative

        groups = [d.names for d in Department.objects.all()] + [i.names for i in Initiative.objects.all()]
        try:
            from archive.models import Synonym

            groups += [s.terms for s in Synonym.objects.all()]
        except ImportError:  # an archive without the synonym catalog
            pass
        terms = {fold(t) for group in groups if len(group) > 1 for t in group}
        return self.pick([t for t in terms if len(t) >= 2 and _CJK.match(t) and self.df(t)])

    def _date_queries(self, words: list[str]) -> list[Query]:
        years = sorted({int(y) for y in self.corpus.years.values() if y})
        if not years:
            return []
        out = []
        for word in self.pick(words):
            start = self.rng.choice(years)
            dates = (("date_from", str(start)), ("date_to", str(start + 2)))
            out.append(Query("date_range", word, (word,), whoosh=word, dates=dates))
        return out

    def _co(self, a, b) -> int:
        return sum(1 for t in self.sample if a in t and b in t)

    def _without(self, a, b) -> int:
        return sum(1 for t in self.sample if a in t and b not in t)

    def _facet_queries(self, words: list[str]) -> list[Query]:
        out = []
        for word in self.pick(words):
            hits = [i for i, t in enumerate(self.sample) if word in t and self.corpus.departments.get(self.sample_articles[i])]
            if not hits:
                continue
            aid = self.sample_articles[self.rng.choice(hits)]
            department = sorted(self.corpus.departments[aid])[0]
            year = self.corpus.years[aid]
            if not year:
                continue
            out.append(
                Query("two_facets", word, (word,), params=(("department", department), ("year", year)), whoosh=word)
            )
        return out


def draw(corpus: Corpus, seed: int, per_class: int) -> dict[str, list[Query]]:
    queries = Drawer(corpus, seed, per_class).draw()
    by_class = {cls: [q for q in queries if q.cls == cls] for cls in CLASSES}
    missing = [cls for cls, qs in by_class.items() if not qs]
    if missing:
        raise RuntimeError(f"no query could be drawn for {', '.join(missing)}: is the corpus loaded?")
    return by_class
