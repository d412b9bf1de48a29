"""What the search box offers while a reader types, and what an empty result offers instead.

`suggestions(text)`: initiatives, departments and people whose names (or aliases, or short names)
start with the text, typed in Chinese or in pinyin (erfenfa, eff, zgj: search.pinyin), then
report titles. `did_you_mean(q)`: for a query that found nothing, the searches that replace a
term by the catalog name it nearly is (二分发 → 二分法, erfenfa → 二分法), each checked to find
something.

The catalog's names are read once per process and kept (search.memo) until a catalog entry
changes in any process; their pinyin is worked out on the first pinyin query and, by name, only
again for names that changed.
"""

import re
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from archive.models import Article, Department, Initiative, Person
from archive.querystring import querystring
from search import memo
from search.live import IndexUnavailable, live_index
from search.normalize import normalize
from search.pinyin import (
    edit_distance,
    initials,
    letters_of,
    match_rank,
    sound_alike,
    spelled,
)

LIMIT = 10
KINDS = {"initiative": 0, "department": 1, "person": 2, "article": 3}
FACET_OF = {"initiative": "initiative", "department": "department", "person": "author"}


@dataclass(frozen=True)
class Entry:
    kind: str
    label: str
    url: str
    forms: tuple[str, ...]  # every written form of the name
    reports: int  # published reports filed under it: the more, the likelier the reader means it
    detail: str = ""


@dataclass
class Catalog:
    entries: list[Entry]
    keys: list[tuple[Entry, str, str]] = field(init=False)  # (entry, form, normalised form)
    _pinyin: list[tuple[Entry, str, str, str]] | None = None  # (entry, form, spelled, initials)

    def __post_init__(self):
        self.keys = [(e, form, normalize(form)) for e in self.entries for form in e.forms]

    def pinyin(self) -> list[tuple[Entry, str, str, str]]:
        if self._pinyin is None:  # two threads may both compute it: the same list either way
            self._pinyin = [(e, form, spelled(form), initials(form)) for e, form, _ in self.keys]
        return self._pinyin


def catalog() -> Catalog:
    """The catalog's names; a change to any catalog entry (which moves the live index's epoch)
    reads them again, an edited report does not (the scope holds no article)."""
    return memo.remember(("suggest-catalog",), _read_catalog, scope=lambda live, value: 0)


def _read_catalog() -> Catalog:
    try:
        sizes = {facet: {v: n for n, v in live_index().values_by_size(facet)} for facet in FACET_OF.values()}
    except (DatabaseError, IndexUnavailable):
        sizes = {facet: {} for facet in FACET_OF.values()}
    entries = [
        Entry("initiative", i.name, i.get_absolute_url(), tuple(i.names), sizes["initiative"].get(i.slug, 0))
        for i in Initiative.objects.order_by("name")
    ]
    entries += [
        Entry("department", d.name, d.get_absolute_url(), tuple(d.names), sizes["department"].get(d.slug, 0))
        for d in Department.objects.order_by("name")
    ]
    entries += [
        Entry("person", p.name, p.get_absolute_url(), (p.name,), sizes["author"].get(p.slug, 0), p.position)
        for p in Person.objects.order_by("name")
    ]
    return Catalog(entries)


def suggestions(prefix: str, limit: int = LIMIT) -> list[dict]:
    prefix = normalize((prefix or "").strip())[:50]
    if not prefix or any(ord(ch) < 32 for ch in prefix):
        return []
    letters = letters_of(prefix)
    best: dict[Entry, tuple[int, str]] = {}  # entry → (how it matched: 0 Chinese, 1+ pinyin, form)
    for entry, form, normal in catalog().keys:
        if normal.startswith(prefix) and best.get(entry, (9,))[0] > 0:
            best[entry] = (0, form)
    if letters:
        for entry, form, _, _ in catalog().pinyin():
            rank = match_rank(letters, form)
            if rank is not None and best.get(entry, (9,))[0] > rank + 1:
                best[entry] = (rank + 1, form)
    ranked = sorted(best.items(), key=lambda item: (item[1][0], KINDS[item[0].kind], -item[0].reports, item[0].label))
    out = [
        {"kind": e.kind, "label": e.label, "matched": form, "url": e.url, "pinyin": how > 0, "detail": e.detail}
        for e, (how, form) in ranked[:limit]
    ]
    titles = Article.objects.published().filter(Q(title__startswith=prefix) | Q(title__contains=prefix)).order_by("-date")[:limit]
    for article in titles:
        out.append({"kind": "article", "label": article.title, "matched": article.title, "url": article.get_absolute_url(),
                    "pinyin": False, "detail": article.display_date})
    # Names that start with the text first, then titles that do, then titles that contain it.
    out.sort(key=lambda s: (not (s["pinyin"] or normalize(s["matched"]).startswith(prefix)), s["kind"] == "article"))
    return out[:limit]


# ---------------------------------------------------------------------------------------------
# 您是不是要找


_TOKEN = re.compile(r'(?P<head>-?(?:[A-Za-z_]+:)?["“”]?)(?P<core>.*?)(?P<tail>["“”]?)')
MAX_QUERY = 200


def did_you_mean(q: str, limit: int = 3) -> list[dict]:
    """Searches like q with a term replaced by the catalog name it nearly is, each of which finds
    something: [{"query", "url"}]."""
    from search.engine import search

    out = []
    for query in corrections(q, limit=limit):
        if search(query, QueryDict()).total:
            out.append({"query": query, "url": reverse("search:search") + querystring(q=query)})
    return out


def offered(results) -> list[dict]:
    """did_you_mean for a search's results: offered when nothing has the query as typed (no
    result, or only results that have its words apart), for the page and the JSON alike."""
    return did_you_mean(results.q) if results.q and (not results.total or results.by_words) else []


def corrections(q: str, limit: int = 3) -> list[str]:
    """Queries like q with its terms corrected (unchecked): a term one that is not a catalog name
    but nearly is one, in writing or in sound; for a one-term query, up to `limit` readings."""
    tokens = (q or "")[:MAX_QUERY].split()[:12]
    if not tokens:
        return []
    options = []
    for token in tokens:
        match = _TOKEN.fullmatch(token)
        nearest = _nearest(match["core"]) if match and token != "OR" else []
        options.append([match["head"] + name + match["tail"] for name in nearest] or [token])
    if all(len(o) == 1 and o[0] == t for o, t in zip(options, tokens, strict=True)):
        return []
    if len(tokens) == 1:
        return options[0][:limit]
    return [" ".join(o[0] for o in options)]


def _nearest(core: str) -> list[str]:
    """Catalog names the term nearly is, nearest first; none when it is one."""
    text = normalize(core).strip()
    if not text or len(text) > 30 or any(ord(ch) < 32 for ch in text):
        return []
    cat = catalog()
    if any(normal == text for _, _, normal in cat.keys):
        return []
    letters = letters_of(text)
    scored: dict[str, tuple] = {}
    if letters:
        for entry, form, full, firsts in cat.pinyin():
            distance = _letters_distance(letters, full, firsts)
            if distance is not None:
                _keep(scored, form, (distance, KINDS[entry.kind], -entry.reports))
    elif any("\u3400" <= ch <= "\u9fff" for ch in text):
        limit = 0 if len(text) <= 2 else 1 if len(text) <= 5 else 2
        for entry, form, normal in cat.keys:
            distance = edit_distance(text, normal, limit)
            if len(normal) == len(text) and sound_alike(text, normal):
                distance = min(distance, 0.5)  # a homophone: what a pinyin keyboard puts in by mistake
            if distance <= limit:
                _keep(scored, form, (distance, KINDS[entry.kind], -entry.reports))
    return sorted(scored, key=scored.get)


def _letters_distance(letters: str, full: str, firsts: str) -> float | None:
    if letters == full:
        return 0
    if len(letters) >= 3 and letters == firsts:
        return 0.5
    if len(letters) >= 5 and edit_distance(letters, full, 1 if len(letters) < 9 else 2) <= (1 if len(letters) < 9 else 2):
        return 1
    if len(letters) >= 3 and len(firsts) == len(letters) and edit_distance(letters, firsts, 1) <= 1:
        return 1.5  # one initial mistyped (efl for eff)
    return None


def _keep(scored: dict, form: str, score: tuple):
    if form not in scored or score < scored[form]:
        scored[form] = score
