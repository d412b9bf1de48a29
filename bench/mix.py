"""A realistic request mix for the load test: thousands of distinct URLs, requested with a Zipf
distribution as a public site's visitors request them, so that caches help on the popular URLs
but do not answer the long tail.

Every kind of request has its own pool of distinct URLs, ordered from the most to the least
popular; a request first picks its kind by a fixed share (KIND_SHARES), then a URL of that kind
with Zipf probability (rank r with weight r^-ZIPF_S). The pools:

- searches (`/api/search` and the `/search/` page): a query text, optionally facet filters and a
  page number. The text is a jieba word of the corpus (Zipf over the words ranked by how many
  distinct sentences of the corpus hold them), a 2–4 character substring cut from a section's
  text, a quoted phrase of two adjacent words, or two words (AND). One search in four carries one
  or two facet filters (department, initiative, year, kind: values from the loaded database, Zipf
  over their report counts); the page is k with weight k^-2 (page 1 about 60%).
- suggestions (`/api/suggest`): the first one to three characters of a popular word;
- article, department, initiative, person and year pages (articles in a seeded order, the
  catalogs by their report counts).

Everything is drawn from `random.Random(seed)`: the same database and seed give the same URLs and
the same request sequence. `sequence()` is what wrk plays (bench/load.py's Lua script reads it
from a file and walks it; each wrk thread takes every n-th entry).
"""

import bisect
import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

ZIPF_S = 1.1
PAGE_S = 2.0  # page k has weight k^-PAGE_S
MAX_PAGE = 10
FACET_SHARE = 0.25
KIND_SHARES = {
    "search": 0.25,  # /api/search
    "search_page": 0.20,  # /search/
    "suggest": 0.10,
    "article": 0.25,
    "department": 0.06,
    "initiative": 0.07,
    "person": 0.04,
    "year": 0.03,
}
# Distinct URLs per kind at most (the catalogs have what they have).
POOL_SIZES = {"search": 2500, "search_page": 2500, "suggest": 800, "article": 2000, "person": 600}
DEFAULT_SEQUENCE = 200_000
_CJK = re.compile(r"^[\u3400-\u9fff]+$")


def zipf_cdf(n: int, s: float = ZIPF_S) -> list[float]:
    """Cumulative Zipf weights of ranks 1..n, normalised to end at 1."""
    weights = list(itertools.accumulate(r ** -s for r in range(1, n + 1)))
    return [w / weights[-1] for w in weights]


def zipf_pick(rng: random.Random, cdf: list[float]) -> int:
    """A 0-based rank drawn with the distribution of `cdf`."""
    return min(bisect.bisect_left(cdf, rng.random()), len(cdf) - 1)


@dataclass
class Mix:
    pools: dict[str, list[str]]  # kind → distinct URLs, most popular first
    seed: int
    shares: dict[str, float] = field(default_factory=lambda: dict(KIND_SHARES))

    @property
    def distinct(self) -> int:
        return sum(len(p) for p in self.pools.values())

    def sequence(self, length: int = DEFAULT_SEQUENCE) -> list[str]:
        """The requests in order: kind by share, URL by Zipf rank within the kind."""
        rng = random.Random(self.seed * 31 + 17)
        kinds = [k for k in self.shares if self.pools.get(k)]
        kind_cdf = list(itertools.accumulate(self.shares[k] for k in kinds))
        kind_cdf = [w / kind_cdf[-1] for w in kind_cdf]
        cdfs = {k: zipf_cdf(len(self.pools[k])) for k in kinds}
        out = []
        for _ in range(length):
            kind = kinds[min(bisect.bisect_left(kind_cdf, rng.random()), len(kinds) - 1)]
            out.append(self.pools[kind][zipf_pick(rng, cdfs[kind])])
        return out

    def warmup(self, per_kind: int = 20) -> list[str]:
        """The most popular URLs of each kind: what a site that has been up a while has cached."""
        return [u for pool in self.pools.values() for u in pool[:per_kind]]

    def describe(self) -> str:
        return (
            f"{self.distinct:,} distinct URLs, Zipf s={ZIPF_S} within each kind; "
            + ", ".join(f"{int(round(self.shares[k] * 100))}% {k.replace('_', ' ')} ({len(self.pools[k])})" for k in self.shares if self.pools.get(k))
        )

    def as_json(self) -> dict:
        return {"distinct_urls": self.distinct, "zipf_s": ZIPF_S, "shares": self.shares,
                "pool_sizes": {k: len(v) for k, v in self.pools.items()}}


def repeat_stats(requested: list[str]) -> dict:
    """How many distinct URLs a run requested, and the share of its requests whose URL had been
    requested before in the same run (what any cache could have answered at best)."""
    counts = Counter(requested)
    total = len(requested)
    return {
        "requested": total,
        "distinct_requested": len(counts),
        "repeated_share": round((total - len(counts)) / total, 3) if total else None,
        "top_url_share": round(counts.most_common(1)[0][1] / total, 3) if total else None,
    }


# ---------------------------------------------------------------------------------------------
# Building the pools from the loaded database and corpus


def _ranked(counter: Counter) -> list:
    return sorted(counter, key=lambda k: (-counter[k], k))


def words_by_frequency(tokenizer, sentences: list[str]) -> list[str]:
    """jieba words (CJK, two characters or more) ranked by how many distinct sentences hold them."""
    counts: Counter = Counter()
    for sentence in sentences:
        counts.update({w for w in tokenizer.cut(sentence, HMM=False) if len(w) >= 2 and _CJK.match(w)})
    return _ranked(counts)


def phrases_by_frequency(tokenizer, sentences: list[str], limit: int = 3000) -> list[str]:
    counts: Counter = Counter()
    for sentence in sentences:
        words = tokenizer.lcut(sentence, HMM=False)
        for a, b in zip(words, words[1:]):
            if len(a) >= 2 and len(b) >= 2 and _CJK.match(a + b) and len(a + b) <= 7:
                counts[a + b] += 1
    return _ranked(counts)[:limit]


def substrings(texts: list[str], rng: random.Random, n: int) -> list[str]:
    """n distinct 2–4 character CJK strings cut at random places of the texts."""
    out: dict[str, None] = {}
    texts = [t for t in texts if len(t) >= 4]
    for _ in range(n * 20):
        if len(out) >= n or not texts:
            break
        text = rng.choice(texts)
        length = rng.randint(2, 4)
        start = rng.randrange(0, len(text) - length + 1)
        piece = text[start : start + length]
        if _CJK.match(piece):
            out[piece] = None
    return list(out)


def facet_values() -> dict[str, list[str]]:
    """Each facet's values in the loaded database, by the number of reports (or mentions)."""
    from django.db.models import Count

    from archive.models import Article, Department, Initiative

    published = Article.objects.published()
    departments = list(
        Department.objects.filter(articles__in=published).annotate(n=Count("articles")).order_by("-n", "slug").values_list("slug", flat=True)
    )
    initiatives = list(
        Initiative.objects.annotate(n=Count("mentions")).filter(n__gt=0).order_by("-n", "slug").values_list("slug", flat=True)
    )
    years = [str(y) for y, _ in sorted(Counter(d.year for d in published.exclude(date=None).values_list("date", flat=True)).items(), key=lambda kv: (-kv[1], kv[0]))]
    kinds = [k for k, _ in Counter(published.values_list("kind", flat=True)).most_common()]
    return {"department": departments, "initiative": initiatives, "year": years, "kind": kinds}


def _search_pool(n: int, rng: random.Random, words, subs, phrases, facets) -> list[tuple]:
    """n distinct (text, facet params, page) triples, the most often drawn first: the model's
    draws are counted, so that a frequent word on page 1 ranks above a rare phrase on page 5."""
    word_cdf, phrase_cdf = zipf_cdf(len(words)), zipf_cdf(len(phrases)) if phrases else None
    facet_cdfs = {f: zipf_cdf(len(v)) for f, v in facets.items() if v}
    page_cdf = zipf_cdf(MAX_PAGE, PAGE_S)
    out: Counter = Counter()
    for _ in range(n * 20):
        r = rng.random()
        if r < 0.60 or not (subs and phrases):
            text = words[zipf_pick(rng, word_cdf)]
        elif r < 0.75:
            text = rng.choice(subs)
        elif r < 0.88:
            text = f'"{phrases[zipf_pick(rng, phrase_cdf)]}"'
        else:
            a, b = words[zipf_pick(rng, word_cdf)], words[zipf_pick(rng, word_cdf)]
            text = f"{a} {b}" if a != b else a
        params: tuple = ()
        if facet_cdfs and rng.random() < FACET_SHARE:
            chosen = rng.sample(sorted(facet_cdfs), min(len(facet_cdfs), rng.choice((1, 1, 2))))
            params = tuple(sorted((f, facets[f][zipf_pick(rng, facet_cdfs[f])]) for f in chosen))
        page = zipf_pick(rng, page_cdf) + 1
        out[(text, params, page)] += 1
    return [q for q, _ in out.most_common(n)]  # ties keep the order first drawn


def _search_url(path: str, text: str, params: tuple, page: int) -> str:
    data = [("q", text), *params] + ([("page", str(page))] if page != 1 else [])
    return f"{path}?{urlencode(data)}"


def build(corpus, seed: int, pool_sizes: dict | None = None) -> Mix:
    """The mix for the loaded database (Django set up) and its corpus (bench.queries.read_corpus)."""
    from django.db.models import Count

    from archive.models import Article, Person

    from .generate import sentence_pool
    from .queries import _jieba, fold

    sizes = dict(POOL_SIZES, **(pool_sizes or {}))
    rng = random.Random(seed * 104729 + 3)
    tokenizer = _jieba()
    sentences, headings = sentence_pool()
    sentences = sorted({fold(s) for s in sentences + headings})
    words = words_by_frequency(tokenizer, sentences)
    phrases = phrases_by_frequency(tokenizer, sentences)
    picks = random.Random(seed).sample(range(len(corpus.sections)), min(2000, len(corpus.sections)))
    texts = [t for i in sorted(picks) for t in corpus.texts(i)[1:]]
    subs = substrings(texts, rng, 1500)
    facets = facet_values()

    pools: dict[str, list[str]] = {}
    searches = _search_pool(sizes["search"] + sizes["search_page"], rng, words, subs, phrases, facets)
    # The two search kinds share the queries' popularity but not their URLs: every other query
    # goes to the API, the others to the page.
    pools["search"] = [_search_url("/api/search", *q) for q in searches[0::2]][: sizes["search"]]
    pools["search_page"] = [_search_url("/search/", *q) for q in searches[1::2]][: sizes["search_page"]]
    prefixes: dict[str, None] = {}
    for word in words:
        for k in (1, 2, 3):
            if k < len(word):
                prefixes[word[:k]] = None
        if len(prefixes) >= sizes["suggest"]:
            break
    pools["suggest"] = [f"/api/suggest?{urlencode({'q': p})}" for p in list(prefixes)[: sizes["suggest"]]]

    articles = sorted(Article.objects.published().values_list("slug", flat=True))
    random.Random(seed + 1).shuffle(articles)
    pools["article"] = [f"/articles/{s}/" for s in articles[: sizes["article"]]]
    pools["department"] = [f"/departments/{s}/" for s in facets["department"]]
    pools["initiative"] = [f"/initiatives/{s}/" for s in facets["initiative"]]
    people = list(
        Person.objects.filter(authorships__article__in=Article.objects.published())
        .annotate(n=Count("authorships")).order_by("-n", "slug").values_list("slug", flat=True).distinct()[: sizes["person"]]
    )
    pools["person"] = [f"/people/{s}/" for s in people]
    pools["year"] = [f"/years/{y}/" for y in facets["year"]]
    return Mix(pools, seed)
