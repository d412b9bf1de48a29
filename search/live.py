"""The serving process's live view of the index: every published article's facet values, dates
and indexed sections, the labels of facet values, and a cache of which sections each query leaf
matches.

It is loaded once and then follows the IndexChange log: each refresh reloads only the articles
changed since the last one, and re-checks only their sections in the cached leaf results, so an
editor's save costs the readers milliseconds rather than a reload of the whole archive.

Inside a transaction (tests, a request that writes and then reads) nothing is cached: a view is
built from the database for that call, since uncommitted or rolled-back changes must never
reach the shared cache.
"""

import datetime
import itertools
import threading
from array import array
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import OperationalError, connection

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Department,
    Initiative,
    Mention,
    Person,
    Section,
    Source,
    published_q,
)
from config.db_routing import primary_reads
from search import segmentation
from search.documents import sections_matching
from search.models import IndexChange, IndexState, SearchDocument


def period_end(date, precision):
    """The last day a date of this precision stands for: 2024 (year) → 2024-12-31, 2024-05
    (month) → 2024-05-31, a day → itself; None for no date."""
    if date is None:
        return None
    if precision == Article.DatePrecision.YEAR:
        return date.replace(month=12, day=31)
    if precision == Article.DatePrecision.MONTH:
        following = date.replace(day=28) + datetime.timedelta(days=4)
        return following - datetime.timedelta(days=following.day)
    return date


class IndexUnavailable(Exception):
    """The index cannot answer: missing, empty while the archive is not, or unreadable."""


def database_unreachable(exc: BaseException) -> bool:
    """The database itself cannot be reached (the connection could not be opened, or was lost), as
    opposed to an index that cannot answer: a fallback that reads the database would only wait out
    the connect timeout a second time, so the error goes on to the 503 page (config/middleware.py)."""
    if not isinstance(exc, OperationalError):
        return False
    raw = connection.connection
    return raw is None or bool(getattr(raw, "closed", False))


FACETS = ("department", "initiative", "year", "kind", "source", "author")
# Changes are read again over this many ids before the last one seen: on PostgreSQL a
# transaction that took a lower id can commit after one that took a higher id.
REREAD_WINDOW = 500
LEAF_CACHE_IDS = 2_000_000  # at most this many section ids held across cached leaves
CHANGES_REMEMBERED = 256  # refreshes whose changed articles are kept for the scoped caches
FEW_TO_SORT = 2000  # pick(): up to this many matching articles are sorted rather than scanned for


class FacetValues(Mapping):
    """An article's values per facet: a tuple, in FACETS order, of sorted tuples of values (a
    tuple of one slug takes 64 bytes, a frozenset 216), each shared with every article that has
    the same (most share their kind, year and source, and many their departments); a dict of six
    sets per article took 2 kB."""

    __slots__ = ("_sets",)
    _INDEX = {facet: i for i, facet in enumerate(FACETS)}

    def __init__(self, sets: tuple[tuple[str, ...], ...]):
        self._sets = sets

    def __getitem__(self, facet: str) -> tuple[str, ...]:
        return self._sets[self._INDEX[facet]]

    def __iter__(self):
        return iter(FACETS)

    def __len__(self) -> int:
        return len(FACETS)


@dataclass(slots=True)
class Facts:
    values: FacetValues
    date: object
    sections: tuple[int, ...]
    end: object = None  # the last day of the period the date stands for (a year, a month, a day)


class Interner:
    """One shared object per distinct value: slugs, sets of slugs, dates. A live index of 20,000
    articles otherwise holds a fresh copy of each in every article."""

    def __init__(self):
        self._pool: dict = {}

    def __call__(self, value):
        return self._pool.setdefault(value, value)


class Leaf:
    """A cached term's sections, compactly: an array of ids (4 bytes each, where a set of ints
    takes about 60) and the few changes since, as (base - removed) | added; and the term's
    article bitset, kept in step with each change."""

    __slots__ = ("base", "removed", "added", "bits")

    def __init__(self, ids):
        self.base = array("i", ids)
        self.removed: set[int] = set()
        self.added: set[int] = set()
        self.bits: int | None = None

    def ids(self) -> set[int]:
        found = set(self.base)
        if self.removed:
            found -= self.removed
        if self.added:
            found |= self.added
        return found

    def __len__(self) -> int:
        return len(self.base) + len(self.added)  # ids held: what the cache's budget counts

    def patch(self, touched: set[int], matches: set[int]) -> None:
        """Sections `touched` were re-read; of them, `matches` have the term."""
        self.removed |= touched
        self.added -= touched
        self.added |= matches
        if len(self.removed) + len(self.added) > len(self.base) // 4 + 64:
            ids = self.ids()
            self.base, self.removed, self.added = array("i", ids), set(), set()


class SectionArticles(Mapping):
    """section id → article id, read through the index's section positions (one dict, not two,
    for every indexed section)."""

    def __init__(self, index: "LiveIndex"):
        self.index = index

    def __getitem__(self, sid: int) -> int:
        return self.index.article_at[self.index.section_position[sid]]

    def __iter__(self):
        return iter(self.index.section_position)

    def __len__(self) -> int:
        return len(self.index.section_position)

    def __contains__(self, sid) -> bool:
        return sid in self.index.section_position

    def keys(self):
        return self.index.section_position.keys()


_serials = itertools.count(1)


class LiveIndex:
    def __init__(self, cache_leaves: bool, sections_from_archive: bool = False):
        # sections_from_archive: the slow path's view, when the index itself cannot be read
        self.sections_from_archive = sections_from_archive
        self.articles: dict[int, Facts] = {}
        # Facet values as bitsets over dense article positions: a count is one AND and a
        # bit_count, in C, however many articles match.
        self.position: dict[int, int] = {}
        self.article_at: list[int | None] = []
        self.bits: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        # section id → its article's bit position: one lookup per matched section when a match of
        # tens of thousands of sections becomes an article bitset; section_article reads through it
        self.section_position: dict[int, int] = {}
        self.section_article = SectionArticles(self)
        self.labels: dict[str, dict[str, str]] = {f: {} for f in FACETS}
        self._intern = Interner()
        self.seen: set[int] = set()
        self.last_change = 0
        self.loaded_change = 0
        self.cache_leaves = cache_leaves
        self.leaves: OrderedDict[str, Leaf] = OrderedDict()
        self._by_date: list[int] | None = None  # article ids, newest first (None: to be sorted)
        self._by_size: dict[str, list[tuple[int, str]]] = {}  # values_by_size, per facet
        self._all_bits: int | None = None
        self._by_date_rank = None
        self.recent: list[tuple[int, set[int]]] = []  # (change id, sections it left in the index)
        # What the scoped caches (search.memo) check a remembered result against: `epoch` moves
        # when everything may have changed (a reload, a catalog change); `sequence` counts the
        # refreshes that found changes, and `changed_articles` holds, for the latest of them, the
        # articles each touched. A sequence rather than change ids: on PostgreSQL a change with a
        # lower id can commit after one with a higher id, and is then found by a later refresh.
        self.serial = next(_serials)  # unlike id(), never reused by a later index
        self.epoch = 0
        self.sequence = 0
        self.changed_articles: list[tuple[int, frozenset[int], frozenset[int]]] = []  # (sequence, touched, facts changed)
        self.leaf_size = 0
        self.lock = threading.RLock()

    # -- loading -------------------------------------------------------------------------------

    def load_all(self):
        self.epoch += 1
        self.changed_articles = []
        self.last_change = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.loaded_change = self.last_change  # `recent` knows the sections changed after this
        self.seen = set(IndexChange.objects.filter(pk__gt=self.last_change - REREAD_WINDOW).values_list("pk", flat=True))
        self.articles.clear()
        self._intern = Interner()
        self.section_position.clear()
        self.position.clear()
        self.article_at = []
        self.bits = {f: {} for f in FACETS}
        self._by_date = None
        self._by_size = {}
        self._all_bits = None
        self.leaves.clear()
        self.leaf_size = 0
        self._load_labels()
        self._load_articles(None)
        if not self.sections_from_archive and not self.section_article and Section.objects.filter(
            published_q("article")
        ).exists():
            raise IndexUnavailable("the index holds no section, yet published sections exist")

    def _load_labels(self):
        labels = {f: {} for f in FACETS}
        labels["kind"] = dict(Article.Kind.choices)
        for slug, name, short in Department.objects.values_list("slug", "name", "short_name"):
            labels["department"][slug] = short or name
        labels["initiative"] = dict(Initiative.objects.values_list("slug", "name"))
        labels["source"] = dict(Source.objects.values_list("slug", "name"))
        labels["author"] = dict(Person.objects.filter(authorships__isnull=False).distinct().values_list("slug", "name"))
        years = Article.objects.published().exclude(date=None).dates("date", "year")
        labels["year"] = {str(d.year): f"{d.year}年" for d in years}
        self.labels = labels

    def _load_articles(self, article_ids):
        """(Re)load the facts of these articles (all when None)."""
        def scoped(queryset, field):
            return queryset if article_ids is None else queryset.filter(**{f"{field}__in": article_ids})

        # Rows are streamed (iterator) rather than cached by the queryset: the serving process
        # keeps whatever its peak was, and 170,000 mention rows at once are most of that peak.
        intern = self._intern
        values: dict[int, dict[str, set]] = {}
        dates = {}
        ends = {}
        for aid, date, precision, kind, source_slug in scoped(Article.objects.published(), "pk").values_list(
            "pk", "date", "date_precision", "kind", "source__slug"
        ).iterator(chunk_size=5000):
            entry = values[aid] = {f: set() for f in FACETS}
            entry["kind"].add(intern(kind))
            if date:
                entry["year"].add(intern(str(date.year)))
            if source_slug:
                entry["source"].add(intern(source_slug))
            dates[aid] = intern(date)
            ends[aid] = intern(period_end(date, precision))
        for facet, rows in (
            ("department", scoped(ArticleDepartment.objects, "article_id").values_list("article_id", "department__slug")),
            ("initiative", scoped(Mention.objects, "section__article_id").values_list("section__article_id", "initiative__slug").distinct()),
            ("author", scoped(Authorship.objects, "article_id").values_list("article_id", "person__slug")),
        ):
            for aid, slug in rows.iterator(chunk_size=5000):
                if aid in values:
                    values[aid][facet].add(intern(slug))
        sections: dict[int, list[int]] = {}
        if self.sections_from_archive:
            indexed = scoped(Section.objects.filter(published_q("article")), "article_id")
            pairs = indexed.values_list("pk", "article_id")
        else:
            pairs = scoped(SearchDocument.objects, "article_id").values_list("section_id", "article_id")
        for sid, aid in pairs.iterator(chunk_size=5000):
            sections.setdefault(aid, []).append(sid)
        if article_ids is not None:
            for aid in article_ids:
                old = self.articles.pop(aid, None)
                if old:
                    for sid in old.sections:
                        self.section_position.pop(sid, None)
                    self._set_bits(aid, old.values, on=False)
        for aid, entry in values.items():
            sets = intern(tuple(intern(tuple(sorted(entry[f]))) for f in FACETS))
            facts = Facts(FacetValues(sets), dates[aid], tuple(sorted(sections.get(aid, ()))), ends[aid])
            self.articles[aid] = facts
            self._set_bits(aid, facts.values, on=True)
            pos = self.position[aid]
            for sid in facts.sections:
                self.section_position[sid] = pos

    def _set_bits(self, aid: int, values: Mapping, on: bool):
        self._by_size = {}
        self._all_bits = None
        pos = self.position.get(aid)
        if pos is None:
            if not on:
                return
            pos = self.position[aid] = len(self.article_at)
            self.article_at.append(aid)
        bit = 1 << pos
        for facet, facet_values in values.items():
            table = self.bits[facet]
            for value in facet_values:
                table[value] = (table.get(value, 0) | bit) if on else (table.get(value, 0) & ~bit)

    # -- bitsets ----------------------------------------------------------------------------------

    def article_bits_of_sections(self, section_ids) -> int:
        """The bitset of the articles these sections belong to."""
        if not self.article_at:
            return 0
        raw = bytearray((len(self.article_at) + 7) // 8)
        get = self.section_position.get
        for pos in map(get, section_ids):
            if pos is not None:
                raw[pos >> 3] |= 1 << (pos & 7)
        return int.from_bytes(raw, "little")

    def article_bits_within(self, bits: int, sections: set[int], subset: set[int]) -> int:
        """The article bitset of `subset`, given `bits`, the article bitset of `sections`, of which
        `subset` is a subset: the articles of the sections left out lose their bit unless another
        of their sections is in `subset`."""
        with self.lock:
            lost = bytearray((len(self.article_at) + 7) // 8)
            seen: set[int] = set()
            position, article_at, articles = self.section_position, self.article_at, self.articles
            for sid in sections - subset:
                pos = position.get(sid)
                if pos is None or pos in seen:
                    continue
                seen.add(pos)
                if not any(other in subset for other in articles[article_at[pos]].sections):
                    lost[pos >> 3] |= 1 << (pos & 7)
            return bits & ~int.from_bytes(lost, "little")

    def period_bits(self, start, end) -> int:
        """The bitset of the articles whose dated period (a day, a month or a year, as precisely
        as the date is known) overlaps start..end; undated articles are in no period."""
        with self.lock:
            return self.to_bits(
                aid for aid, facts in self.articles.items()
                if facts.date is not None and facts.date <= end and facts.end >= start
            )

    def all_bits(self) -> int:
        """The bitset of every published article (kept until the articles change)."""
        with self.lock:
            if self._all_bits is None:
                self._all_bits = self.to_bits(self.articles)
            return self._all_bits

    def by_date(self) -> list[int]:
        """Published article ids, newest first (undated last), ties by id descending."""
        with self.lock:
            if self._by_date is None:
                self._by_date = sorted(
                    self.articles,
                    key=lambda a: (-(self.articles[a].date.toordinal() if self.articles[a].date else 0), -a),
                )
            return self._by_date

    def pick(self, bits: int, ordered, limit: int, skip=()) -> list[int]:
        """The first `limit` articles of `ordered` whose bit is set, skipping `skip`. A few
        matching articles are sorted directly; many are met early in the ordered list."""
        count = bits.bit_count()
        if count <= FEW_TO_SORT:
            rank = self._rank_in(ordered)
            found = [a for a in self.from_bits(bits) if a not in skip]
            return sorted(found, key=rank.__getitem__)[:limit]
        raw = bits.to_bytes((len(self.article_at) + 7) // 8 or 1, "little")
        position, out = self.position, []
        for aid in ordered:
            pos = position.get(aid)
            if pos is not None and raw[pos >> 3] >> (pos & 7) & 1 and aid not in skip:
                out.append(aid)
                if len(out) >= limit:
                    break
        return out

    def _rank_in(self, ordered) -> dict[int, int]:
        """Position of each article in an ordering (cached for the newest-first list)."""
        if ordered is self._by_date:
            if self._by_date_rank is None or self._by_date_rank[0] is not ordered:
                self._by_date_rank = (ordered, {aid: i for i, aid in enumerate(ordered)})
            return self._by_date_rank[1]
        return {aid: i for i, aid in enumerate(ordered)}

    def sections_changed_since(self, change_id: int) -> list[int]:
        """Sections (re)indexed by changes after change_id, as far as this index remembers."""
        with self.lock:
            return sorted({sid for cid, sids in self.recent if cid > change_id for sid in sids})

    def values_by_size(self, facet: str) -> list[tuple[int, str]]:
        """[(articles having the value, value)], largest first; kept until the bitsets change."""
        with self.lock:
            ordered = self._by_size.get(facet)
            if ordered is None:
                ordered = self._by_size[facet] = sorted(
                    ((bits.bit_count(), value) for value, bits in self.bits[facet].items()), reverse=True
                )
            return ordered

    def articles_changed_since(self, sequence: int, facts_only: bool = False) -> set[int] | None:
        """Articles touched by the changes found after refresh number `sequence` (facts_only:
        those whose facet values or date changed, or that were published or withdrawn); None
        when this index no longer remembers that far back."""
        with self.lock:
            if sequence == self.sequence:
                return set()
            if sequence > self.sequence or not self.changed_articles or self.changed_articles[0][0] > sequence + 1:
                return None
            which = 2 if facts_only else 1
            return {aid for entry in self.changed_articles if entry[0] > sequence for aid in entry[which]}

    def _facts_key(self, aid: int):
        facts = self.articles.get(aid)
        return None if facts is None else (facts.values._sets, facts.date, facts.end)

    def position_bits(self, article_ids) -> int:
        """The bitset of these articles' positions, whether or not they are still published
        (positions are never reused): what a change to them may have touched."""
        bits = 0
        for aid in article_ids:
            pos = self.position.get(aid)
            if pos is not None:
                bits |= 1 << pos
        return bits

    def has(self, bits: int, aid: int) -> bool:
        pos = self.position.get(aid)
        return pos is not None and bits >> pos & 1 == 1

    def to_bits(self, article_ids) -> int:
        """The bitset of these articles (those the index knows)."""
        if not self.article_at:
            return 0
        raw = bytearray((len(self.article_at) + 7) // 8)
        position = self.position
        for aid in article_ids:
            pos = position.get(aid)
            if pos is not None and aid in self.articles:
                raw[pos >> 3] |= 1 << (pos & 7)
        return int.from_bytes(raw, "little")

    def from_bits(self, bits: int) -> list[int]:
        """Article ids of a bitset."""
        out, at = [], self.article_at
        text = bin(bits)[:1:-1]  # least significant bit first
        start = text.find("1")
        while start != -1:
            out.append(at[start])
            start = text.find("1", start + 1)
        return out

    # -- following changes ----------------------------------------------------------------------

    def refresh(self):
        with self.lock:
            rows = list(
                IndexChange.objects.filter(pk__gt=self.last_change - REREAD_WINDOW)
                .exclude(pk__in=self.seen)
                .values_list("pk", "scope", "article_id")
            )
            if not rows:
                return
            if any(scope == IndexChange.Scope.ALL for _, scope, _ in rows):
                self.load_all()
                return
            changed = {aid for _, scope, aid in rows if scope == IndexChange.Scope.ARTICLE and aid is not None}
            if any(scope == IndexChange.Scope.CATALOG for _, scope, _ in rows):
                self._load_labels()
                self.epoch += 1
                segmentation.follow_catalogs()
            else:
                self._note_labels(changed)
            after: set[int] = set()
            facts_changed: set[int] = set()
            if changed:
                before = {sid for aid in changed if aid in self.articles for sid in self.articles[aid].sections}
                old_facts = {aid: self._facts_key(aid) for aid in changed}
                self._load_articles(changed)
                facts_changed = {aid for aid in changed if self._facts_key(aid) != old_facts[aid]}
                after = {sid for aid in changed if aid in self.articles for sid in self.articles[aid].sections}
                self._recheck_leaves(before | after, after, changed)
            self.sequence += 1
            self.changed_articles.append((self.sequence, frozenset(changed), frozenset(facts_changed)))
            del self.changed_articles[:-CHANGES_REMEMBERED]
            self.recent.append((max(pk for pk, _, _ in rows), after))
            del self.recent[:-64]
            self.seen |= {pk for pk, _, _ in rows}
            self.last_change = max(self.last_change, max(pk for pk, _, _ in rows))
            self.seen = {pk for pk in self.seen if pk > self.last_change - REREAD_WINDOW}

    def _note_labels(self, article_ids):
        """New years, people or sources brought by changed articles get their labels."""
        if not article_ids:
            return
        for date in Article.objects.filter(pk__in=article_ids).exclude(date=None).values_list("date", flat=True):
            self.labels["year"].setdefault(str(date.year), f"{date.year}年")
        for slug, name in Person.objects.filter(authorships__article_id__in=article_ids).values_list("slug", "name"):
            self.labels["author"].setdefault(slug, name)
        for slug, name in Source.objects.filter(articles__pk__in=article_ids).values_list("slug", "name"):
            self.labels["source"].setdefault(slug, name)

    def _recheck_leaves(self, touched: set[int], current: set[int], changed_articles: set[int]):
        """Bring cached terms up to date with the sections `touched` by a change (`current`: those
        of them still indexed), reading only those sections; the terms' article bitsets are
        patched for the changed articles (positions never move: a removed article keeps its)."""
        self._by_date = None
        if not self.leaves or not touched:
            return
        found = sections_matching(self.leaves.keys(), current)
        for key, leaf in self.leaves.items():
            before = len(leaf)
            matches = found[key]
            leaf.patch(touched, matches)
            self.leaf_size += len(leaf) - before
            if leaf.bits is not None:
                leaf.bits = self._patch_bits(leaf.bits, changed_articles, matches)

    def _patch_bits(self, bits: int, article_ids, matches: set[int]) -> int:
        for aid in article_ids:
            pos = self.position.get(aid)
            if pos is None:
                continue
            bits &= ~(1 << pos)
            facts = self.articles.get(aid)
            if facts is not None and any(sid in matches for sid in facts.sections):
                bits |= 1 << pos
        return bits

    # -- leaf cache -----------------------------------------------------------------------------

    def cached_leaf(self, key: str) -> set[int] | None:
        """The sections of a cached term (a new set), or None."""
        with self.lock:
            leaf = self.leaves.get(key)
            if leaf is None:
                return None
            self.leaves.move_to_end(key)
            return leaf.ids()

    def store_leaf(self, key: str, ids: set[int]):
        if not self.cache_leaves or len(ids) > LEAF_CACHE_IDS // 4:
            return
        with self.lock:
            if key in self.leaves:
                return
            leaf = self.leaves[key] = Leaf(ids)  # Matcher.leaf gives indexed sections only
            self.leaf_size += len(leaf)
            while self.leaf_size > LEAF_CACHE_IDS and self.leaves:
                _, dropped = self.leaves.popitem(last=False)
                self.leaf_size -= len(dropped)

    def leaf_article_bits(self, key: str) -> int | None:
        """The article bitset of a cached term's sections, computed once, then patched."""
        with self.lock:
            leaf = self.leaves.get(key)
            if leaf is None:
                return None
            if leaf.bits is None:
                leaf.bits = self.article_bits_of_sections(leaf.ids())
            return leaf.bits

    # -- reading --------------------------------------------------------------------------------

    def universe(self) -> set[int]:
        return set(self.section_article)


_lock = threading.Lock()
_shared: dict[str, LiveIndex] = {}
_private_local = threading.local()  # per thread: {connection alias: (token, LiveIndex)}


def _private_indexes() -> dict:
    if not hasattr(_private_local, "by_alias"):
        _private_local.by_alias = {}
    return _private_local.by_alias


def live_index() -> LiveIndex:
    """The process's live index, refreshed; inside a transaction, a private one for the index's
    current token (a random value new with every index write, so a rolled-back write's view is
    never met again), never shared with other transactions. Always read from the primary, with
    read replicas too (config/db_routing.py): the index is shared by every request of the process,
    so its change log and the facts it reloads come from one connection, the newest view."""
    with primary_reads():
        return _live_index()


def _live_index() -> LiveIndex:
    if connection.in_atomic_block:
        token = IndexState.objects.filter(pk=1).values_list("token", flat=True).first()
        private = _private_indexes().get(connection.alias)
        if private is None or private[0] != token or token is None:
            index = LiveIndex(cache_leaves=False)
            index.load_all()
            _private_indexes()[connection.alias] = private = (token, index)
        return private[1]
    key = connection.settings_dict["NAME"]
    with _lock:
        shared = _shared.get(key)
        if shared is None:
            shared = _shared[key] = LiveIndex(cache_leaves=True)
            shared.load_all()
            return shared
    shared.refresh()
    return shared


def forget():
    with _lock:
        _shared.clear()
    _private_indexes().clear()
