"""The search index of this node: a tantivy index (PyPI `tantivy`) on its own disk that says which
sections and reports contain a term, how many sections have a word, and which sections rank best
for some words (BM25), on both databases (docs/search-performance.md, "The engine: tantivy
weighed": tantivy matches and proposes the candidates; the live index counts; search.ranking
scores the candidates).

One tantivy document per indexed section:

- `grams`: the section's character channel (search.tokens: adjacent units as grams, a break token
  `|` where punctuation breaks adjacency, the title, heading and body apart as by punctuation),
  then its distinct units as `#unit` tokens. A term of two or more units is a phrase query on its
  grams, a one-unit term a term query on `#unit`: every literal substring is found, as by the gram
  tables. Two Latin units meet as `ab_cd`, so `ab cd` and `abc d` stay apart and need no recheck.
- `agrams`, `f_title`, `f_author`, `f_dept`, `f_docno`, `f_caption`: the same for the report's
  texts printed once (search.documents), repeated in each of its sections.
- the jieba words (`w_*`, weighted as search.weights), the facets, `aid` and `sid` (u64 fast
  fields), the date and period end as day ordinals, and a stored `text` (left empty by the site;
  the benchmark's engine, bench/tantivy_engine.py, shows snippets from it).

The site builds it from what the database holds (SearchDocument.canon and *_words, ArticleDocument's
canon columns and words): no jieba pass. It follows the database's change log (IndexChange) as the
live index does: a small JSON file beside it (state.json) names the directory in use, the last
change applied (with the ids seen just below it, which may commit out of order, and when it was
logged), and the index token and rebuild time (IndexState) it was built from, and is replaced
atomically after each commit. sync() applies the changes not yet applied (each changed report's
documents deleted by `aid` and added again from the database rows); a rebuild of the database's
index, or a last applied change that is gone or logged at another time (rows rolled back, a
database restored), rebuilds into a new directory and swaps it in, in the background. tantivy
allows one writer per directory: a file lock decides which process applies; the others reload
their searcher when state.json changes.

A search asks a Lookup (one consistent view): which sections' own text has a term (`grams`),
which reports print it (`agrams`, or the field's grams for a field term), a word's document
frequency and the best sections for some words (the `w_*` fields). Answers stay exact while the
index lags: the reports changed since its last applied change ("pending") are left out of the
index's answer and decided on the database's text (SearchDocument.canon and *_words,
ArticleDocument's canon columns). Inside a transaction the index cannot see the transaction's
own rows: their change-log entries, read through the transaction's connection, are pending too,
and nothing is applied or rebuilt from inside a transaction (its rows may be rolled back). While
the index is missing, being rebuilt or unreadable, or after a tantivy error (logged), every report
is decided on its text: slower, never a wrong or a failed search.
"""

import datetime
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from search.documents import ARTICLE_WORD_PARTS, DOCUMENT_COLUMNS
from search.weights import FIELD_WEIGHTS, SECTION_FIELDS

logger = logging.getLogger(__name__)

FACETS = ("department", "initiative", "year", "kind", "source", "author")
ARTICLE_FIELDS = ("title", "author", "dept", "docno", "caption")
BREAK = "|"
# the jieba word fields, weighted as search.weights (w_article: what is printed once per report)
WORD_FIELDS = {**{f"w_{field}": FIELD_WEIGHTS[field] for field in SECTION_FIELDS}, "w_article": 0.5}
# ArticleDocument's *_words columns, in search.documents.ARTICLE_WORD_PARTS' order
ARTICLE_WORD_COLUMNS = tuple(ARTICLE_WORD_PARTS)
# The index's fields and what they hold: a state that names another version is rebuilt (an
# index built by older code, or by newer code on a node rolled back).
SCHEMA_VERSION = 1
CHUNK = 2000  # sections read and written per batch in a build
WRITER_HEAP = 50_000_000  # bytes: an apply writes a few documents; a build writes more at once
BUILD_HEAP = 200_000_000
SYNC_SECONDS = 1.0  # a process applies changes at most this often; meanwhile they are decided on the text
CHECK_SECONDS = 5.0  # with no change seen by the live index, the log is checked this often anyway
REBUILD_RETRY_SECONDS = 30.0  # a rebuild not done (another process builds, an error) is tried again after this


# ---------------------------------------------------------------------------------------------
# Token streams


def stream(seq) -> list[str]:
    """Grams of a unit sequence (None = break), as search.tokens.stream_of but with Latin pairs
    kept apart by `_`. Two breaks in a row (an empty heading between title and body) give two
    break tokens, as the gram tables' title + break + heading + break + body does."""
    out = []
    for a, b in zip(seq, seq[1:]):
        if a is None:
            if b is None:
                out.append(BREAK)
            continue
        if b is None:
            out.append(BREAK)
        else:
            out.append(a + "_" + b if a.isascii() and b.isascii() else a + b)
    return out


def channel(seqs) -> str:
    """The `grams` text of several unit sequences: their streams apart by breaks, then the units."""
    tokens: list[str] = []
    for seq in seqs:
        if tokens:
            tokens.append(BREAK)
        tokens += stream(seq)
    distinct = sorted({u for seq in seqs for u in seq if u is not None})
    return " ".join(tokens + [BREAK] + ["#" + u for u in distinct])


def canon_units(canon: str) -> list:
    """The unit sequence of a canonical string (search.tokens.canonical_of)."""
    from search.tokens import BREAK_MARK, UNIT_END

    return [None if piece == BREAK_MARK[0] else piece for piece in canon.split(UNIT_END)[:-1]]


def leaf_tokens(text: str):
    """('term', token) or ('phrase', tokens) for a term's text (normalised), or None."""
    from search.tokens import units

    seq = units(text)
    present = [u for u in seq if u is not None]
    if not present:
        return None
    if len(present) == 1:
        return ("term", "#" + present[0])
    grams = stream(seq)
    return ("term", grams[0]) if len(grams) == 1 else ("phrase", grams)


def leaf_query(schema, text: str, fieldname: str):
    """The tantivy query for a term in one of the gram fields, or None (nothing searchable)."""
    import tantivy

    tokens = leaf_tokens(text)
    if tokens is None:
        return None
    kind, value = tokens
    if kind == "term":
        return tantivy.Query.term_query(schema, fieldname, value, index_option="basic")
    return tantivy.Query.phrase_query(schema, fieldname, value)


# ---------------------------------------------------------------------------------------------
# Schema and documents


def schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("sid", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("aid", stored=True, indexed=True, fast=True)
    sb.add_integer_field("start", indexed=True, fast=True)  # day ordinals; 0 = undated
    sb.add_integer_field("end", indexed=True, fast=True)
    for name in ("grams", "agrams", *(f"f_{f}" for f in ARTICLE_FIELDS)):
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in WORD_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in FACETS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("text", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def archive_article_rows(article_ids) -> dict:
    """aid → (agrams, field grams, article words) from the reports' printed texts, read from the
    archive and segmented (what ArticleDocument holds, worked out afresh: for the benchmark)."""
    from search import segmentation
    from search.documents import printed_parts, texts_of_parts
    from search.normalize import normalize

    tk = segmentation.tokenizer()
    out = {}
    for aid, parts in printed_parts(article_ids).items():
        texts = texts_of_parts(parts)
        fields = {f: channel([canon_units(getattr(texts, f))]) for f in ARTICLE_FIELDS}
        words = [w for key in ARTICLE_WORD_PARTS.values() for part in parts[key] if part
                 for w in segmentation.words(normalize(part), tk)]
        out[aid] = (channel([canon_units(texts.canon)]), fields, " ".join(words))
    return out


def archive_section_rows(items) -> list[tuple]:
    """Prepared section rows for (sid, aid, title, heading, body, initiative names), read from the
    archive and segmented (what SearchDocument holds, worked out afresh: for the benchmark; runs
    in its worker processes)."""
    from archive.text import folded
    from search import segmentation
    from search.normalize import normalize
    from search.tokens import units

    tk = segmentation.tokenizer()
    out = []
    for sid, aid, title, heading, body, names in items:
        parts = [normalize(title), normalize(heading), normalize(body)]
        out.append((
            sid, aid, channel([units(p) for p in parts]),
            " ".join(segmentation.words(parts[0], tk)),
            " ".join(folded(normalize(n)) for n in names),
            " ".join(segmentation.words(parts[1], tk)),
            " ".join(segmentation.words(parts[2], tk)),
            body or heading,
        ))
    return out


def stored_article_rows(article_ids) -> dict:
    """aid → (agrams, field grams, article words) from the reports' ArticleDocument rows."""
    from search.models import ArticleDocument

    columns = ["canon", *(f"{f}_canon" for f in ARTICLE_FIELDS), *(f"{c}_words" for c in ARTICLE_WORD_COLUMNS)]
    out = {}
    for aid, canon, *rest in ArticleDocument.objects.filter(article_id__in=list(article_ids)).values_list(
        "article_id", *columns
    ):
        fields = {f: channel([canon_units(value)]) for f, value in zip(ARTICLE_FIELDS, rest)}
        words = " ".join(w for w in rest[len(ARTICLE_FIELDS):] if w)
        out[aid] = (channel([canon_units(canon)]), fields, words)
    return out


def stored_section_rows(documents) -> list[tuple]:
    """Prepared section rows from SearchDocument rows (section_id, article_id, canon, title_words,
    init_words, heading_words, body_words). The stored text is left empty: the site shows its
    snippets from the sections themselves."""
    return [
        (sid, aid, channel([canon_units(canon)]), title_words, " ".join(_words(init_words)), heading_words,
         body_words, "")
        for sid, aid, canon, title_words, init_words, heading_words, body_words in documents
    ]


def document(row, article_row, article):
    """The tantivy document of a prepared section row, its report's printed texts and facts
    (search.live.Facts, or None)."""
    import tantivy

    sid, aid, grams, w_title, w_init, w_heading, w_body, text = row
    agrams, fields, w_article = article_row or ("", {}, "")
    doc = tantivy.Document()
    doc.add_unsigned("sid", sid)
    doc.add_unsigned("aid", aid)
    doc.add_integer("start", article.date.toordinal() if article and article.date else 0)
    doc.add_integer("end", article.end.toordinal() if article and article.end else 0)
    texts = {"grams": grams, "agrams": agrams, "w_title": w_title, "w_init": w_init, "w_heading": w_heading,
             "w_body": w_body, "w_article": w_article, "text": text,
             **{f"f_{f}": fields.get(f, "") for f in ARTICLE_FIELDS}}
    for name, value in texts.items():
        doc.add_text(name, value)
    for facet in FACETS:
        for value in (article.values[facet] if article else ()):
            doc.add_text(facet, value)
    return doc


def _facts(article_ids):
    """The facet values and dates of these reports (search.live.Facts by id)."""
    from search.live import LiveIndex

    facts = LiveIndex(cache_leaves=False)
    facts._load_articles(list(article_ids))
    return facts.articles


def write_articles(writer, index_schema, article_ids) -> int:
    """Write the documents of these reports' indexed sections from the database rows, first
    deleting what the index holds for them (by a query: tantivy's delete by term does not match
    a u64 field's values). Returns the number of sections written."""
    import tantivy

    from search.models import SearchDocument

    article_ids = sorted(set(article_ids))
    written = 0
    for start in range(0, len(article_ids), CHUNK):
        chunk = article_ids[start : start + CHUNK]
        writer.delete_documents_by_query(tantivy.Query.term_set_query(index_schema, "aid", chunk))
        documents = SearchDocument.objects.filter(article_id__in=chunk).order_by("pk").values_list(*DOCUMENT_COLUMNS)
        written += _add(writer, stored_section_rows(documents))
    return written


def _add(writer, rows) -> int:
    aids = {row[1] for row in rows}
    articles, facts = stored_article_rows(aids), _facts(aids)
    for row in rows:
        writer.add_document(document(row, articles.get(row[1]), facts.get(row[1])))
    return len(rows)


def build_directory(path) -> int:
    """A fresh index of every indexed section in `path`, from the database rows. Returns the
    number of sections."""
    import tantivy

    from search.models import SearchDocument

    path = Path(path)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema(), path=str(path))
    writer = index.writer(heap_size=BUILD_HEAP, num_threads=1)
    ids = list(SearchDocument.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        documents = SearchDocument.objects.filter(pk__in=part).order_by("pk").values_list(*DOCUMENT_COLUMNS)
        _add(writer, stored_section_rows(documents))
    writer.commit()
    writer.wait_merging_threads()
    return len(ids)


def directory_mb(path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


# ---------------------------------------------------------------------------------------------
# The index of this node: where, its state file, the writer's lock


def folder() -> Path:
    """SEARCH_INDEX_DIR / the database's name (sanitised): one index per database."""
    name = str(connection.settings_dict["NAME"] or "default")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-") or "default"
    return Path(settings.SEARCH_INDEX_DIR) / safe


def read_state(where: Path) -> dict | None:
    try:
        return json.loads((where / "state.json").read_text())
    except FileNotFoundError:
        return None


def write_state(where: Path, state: dict) -> None:
    """Replace state.json atomically (a reader sees the old file or the new one, never a part)."""
    fd, name = tempfile.mkstemp(dir=where, prefix=".state-", suffix=".json")
    with os.fdopen(fd, "w") as out:
        json.dump(state, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(name, where / "state.json")


@contextmanager
def writer_lock(where: Path, wait: bool = False):
    """The right to write the index of this database (one process at a time): yields whether it
    was had (without waiting, unless `wait`)."""
    where.mkdir(parents=True, exist_ok=True)
    with open(where / "writer.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _log_position() -> dict:
    """Where the change log and the index state stand: read before the rows they describe, so
    that whatever commits meanwhile is applied later (applying a report twice is harmless)."""
    from search.live import REREAD_WINDOW
    from search.models import IndexChange, IndexState

    latest = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    seen = list(IndexChange.objects.filter(pk__gt=latest - REREAD_WINDOW).values_list("pk", flat=True))
    built_at = IndexState.objects.filter(pk=1).values_list("built_at", flat=True).first()
    return {"applied": latest, "seen": sorted(seen), "token": _token(), "generation": _generation(built_at),
            "fingerprint": _fingerprint(latest)}


def _token() -> str:
    from search.models import IndexState

    return IndexState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _fingerprint(change_id: int) -> str:
    """When the change `change_id` was logged ("" for none): the same id logged at another time
    is another change (SQLite gives a rolled-back id out again)."""
    from search.models import IndexChange

    created = IndexChange.objects.filter(pk=change_id).values_list("created_at", flat=True).first()
    return created.isoformat() if created else ""


def _generation(built_at) -> str:
    return built_at.isoformat() if built_at else ""


def rebuild(where: Path | None = None, wait: bool = True) -> dict | None:
    """Build the index into a new directory and swap it in (state.json names it); older
    directories but the one before are removed. Returns the new state, or None when another
    process holds the writer and `wait` is false."""
    where = where or folder()
    with writer_lock(where, wait=wait) as got:
        if not got:
            return None
        started = time.monotonic()
        state = _log_position()
        name = f"index-{datetime.datetime.now(datetime.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        state["sections"] = build_directory(where / name)
        state["schema"] = SCHEMA_VERSION
        state["directory"] = name
        state["built_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        state["seconds"] = round(time.monotonic() - started, 2)
        try:
            previous = read_state(where)
        except ValueError:  # an unreadable state file, replaced now
            previous = None
        write_state(where, state)
        keep = {name, previous.get("directory") if previous else None}
        for old in where.glob("index-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return state


# ---------------------------------------------------------------------------------------------
# Following the change log, and matching


class NodeIndex:
    """This process's view of the node's index for one database: the searcher, the state it
    reflects, and the reports changed since (decided on their text until applied)."""

    def __init__(self, where: Path):
        self.where = where
        self.state: dict | None = None
        self.stamp = None  # state.json's (inode, mtime, size) when read
        self.index = None
        self.searcher = None
        self.schema = None
        self.pending: frozenset[int] = frozenset()  # reports changed after the applied change
        self.unapplied = 0  # change rows not applied (those of catalog changes name no report)
        self.stale = True  # missing, unreadable, or to be rebuilt
        self.checked = None  # the live index's (serial, epoch, sequence) at the last check
        self.checked_at = 0.0
        self.applied_at = 0.0
        self.rebuilding: threading.Thread | None = None
        self.rebuild_started = 0.0
        self.lock = threading.RLock()

    # -- the files -----------------------------------------------------------------------------

    def _follow_file(self) -> None:
        """Read state.json again and (re)open the index when another process (or this one)
        replaced it: the state is read before the searcher reloads, so the searcher holds at
        least what the state says."""
        try:
            info = (self.where / "state.json").stat()
        except FileNotFoundError:
            self.state, self.stamp, self.index, self.searcher, self.stale = None, None, None, None, True
            return
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        if stamp == self.stamp:
            return
        import tantivy

        state = read_state(self.where)
        directory = self.where / state["directory"]
        if self.index is None or self.state is None or self.state.get("directory") != state["directory"]:
            self.index = tantivy.Index.open(str(directory))
            self.schema = self.index.schema
        else:
            self.index.reload()
        self.searcher = self.index.searcher()
        self.state, self.stamp = state, stamp
        self.checked = None  # the pending reports are to be worked out against the new state

    def _follow_or_forget(self) -> None:
        """_follow_file, and on an unreadable index forget it (logged): no state, no searcher, and
        every report is decided on its text until it is rebuilt."""
        try:
            self._follow_file()
        except Exception as exc:
            logger.warning("tantivy index at %s unreadable, deciding on the text: %s", self.where, exc)
            self.state, self.stamp, self.index, self.searcher = None, None, None, None

    # -- following changes ---------------------------------------------------------------------

    def sync(self, live) -> bool:
        """Bring the view up to date with the change log, as far as the live index `live` has
        seen it; apply changes (at most every SYNC_SECONDS, when this process gets the writer)
        or start a rebuild. Returns whether the index can answer for the live index's view."""
        with self.lock:
            self._follow_or_forget()
            if self.state is None:
                self.stale = True
                self._start_rebuild()
                return False
            seen_by_live = (live.serial, live.epoch, live.sequence)
            if self.checked != seen_by_live or time.monotonic() - self.checked_at >= CHECK_SECONDS:
                self._check()
                self.checked, self.checked_at = seen_by_live, time.monotonic()
            if not self.stale and self.unapplied and time.monotonic() - self.applied_at >= SYNC_SECONDS:
                self._apply()
            if self.stale:
                self._start_rebuild()
                return False
            return True

    def _unapplied(self, state) -> tuple[list, bool]:
        """(change rows not applied, whether the index must be rebuilt) against a state. Rebuilt:
        its schema is another version (SCHEMA_VERSION), the database's index was rebuilt since,
        or the last change applied is gone or is another change now (its rows were rolled back,
        the database restored). The token is not asked:
        a write that touched no published report (a draft's section saved) replaces it too,
        with no change logged."""
        from search.live import REREAD_WINDOW
        from search.models import IndexChange, IndexState

        built_at = IndexState.objects.filter(pk=1).values_list("built_at", flat=True).first()
        if state.get("schema") != SCHEMA_VERSION or _generation(built_at) != state["generation"]:
            return [], True
        if _fingerprint(state["applied"]) != state["fingerprint"]:
            return [], True
        rows = list(
            IndexChange.objects.filter(pk__gt=state["applied"] - REREAD_WINDOW)
            .exclude(pk__in=state["seen"])
            .values_list("pk", "scope", "article_id")
        )
        return rows, any(scope == IndexChange.Scope.ALL for _, scope, _ in rows)

    def _check(self) -> None:
        rows, self.stale = self._unapplied(self.state)
        self.unapplied = len(rows)
        self.pending = _reports_of(rows)

    def _apply(self) -> None:
        """Apply the unapplied changes, if this process gets the writer; the others see the new
        state.json at their next sync."""
        from search.live import REREAD_WINDOW

        self.applied_at = time.monotonic()
        with writer_lock(self.where) as got:
            if not got:
                return
            self._follow_file()  # another process may have applied them meanwhile
            if self.state is None:
                return
            state = dict(self.state)
            rows, stale = self._unapplied(state)
            if stale or not rows:
                self._check()
                return
            articles = _reports_of(rows)
            if articles:
                writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
                write_articles(writer, self.schema, articles)
                writer.commit()
                writer.wait_merging_threads()
            applied = max(state["applied"], max(pk for pk, _, _ in rows))
            seen = set(state["seen"]) | {pk for pk, _, _ in rows}
            state.update(
                applied=applied, seen=sorted(pk for pk in seen if pk > applied - REREAD_WINDOW), token=_token(),
                fingerprint=_fingerprint(applied), applied_at=datetime.datetime.now(datetime.timezone.utc).isoformat(),
            )
            write_state(self.where, state)
            self._follow_file()
            self._check()

    def _start_rebuild(self) -> None:
        """Rebuild in a background thread (a request does not wait for it); meanwhile the
        database answers."""
        if self.rebuilding is not None and (
            self.rebuilding.is_alive() or time.monotonic() - self.rebuild_started < REBUILD_RETRY_SECONDS
        ):
            return
        self.rebuild_started = time.monotonic()
        alias = connection.alias

        def run():
            from django.db import connections

            from config.db_routing import primary_reads

            try:
                with primary_reads():
                    rebuild(self.where, wait=False)
            except Exception as exc:
                logger.warning("tantivy index at %s not rebuilt: %s", self.where, exc)
            finally:
                connections[alias].close()

        self.rebuilding = threading.Thread(target=run, name="tantivy-rebuild", daemon=True)
        self.rebuilding.start()

    # -- the view one search uses -----------------------------------------------------------------

    def lookup(self) -> "Lookup":
        """The index as it stands for this process: what it holds, and the reports changed after
        its last applied change (decided on their text)."""
        with self.lock:
            if self.stale or self.searcher is None:
                return Lookup(None, None, None)
            return Lookup(self.searcher, self.schema, self.pending)

    def lookup_in_transaction(self) -> "Lookup":
        """Inside a transaction the index cannot see the transaction's own rows: its change-log
        entries are read here, through the transaction's connection, and join the pending
        reports (decided on their text, as the transaction sees it). Nothing is applied or
        rebuilt from inside a transaction: its rows may yet be rolled back."""
        with self.lock:
            self._follow_or_forget()
            if self.state is None or self.searcher is None:
                return Lookup(None, None, None)
            rows, stale = self._unapplied(self.state)
            if stale:
                return Lookup(None, None, None)
            return Lookup(self.searcher, self.schema, _reports_of(rows))


def _reports_of(rows) -> frozenset[int]:
    """The reports that change-log rows (pk, scope, article id) name (a catalog change or a rebuild
    names none)."""
    from search.models import IndexChange

    return frozenset(aid for _, scope, aid in rows if scope == IndexChange.Scope.ARTICLE and aid is not None)


class Lookup:
    """One search's answers about terms and words, exact: the node's index for the reports it is
    up to date with, the database's text for the `pending` reports (changed since its last applied
    change, or in the caller's transaction). With no index to use (`pending` None: missing,
    being rebuilt, unreadable) every report is decided on its text: slower, never wrong."""

    def __init__(self, searcher, schema, pending):
        self.searcher = searcher
        self.schema = schema
        self.pending = pending

    @property
    def complete(self) -> bool:
        """Whether the node's index answers (for all but the pending reports)."""
        return self.pending is not None

    def _without_pending(self, query):
        import tantivy

        if not self.pending:
            return query
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Must, query),
            (tantivy.Occur.MustNot, tantivy.Query.term_set_query(self.schema, "aid", sorted(self.pending))),
        ])

    def _matching(self, query, field: str) -> set[int]:
        """The values of a u64 fast field (sid, aid) over the documents a query matches, leaving
        out the documents of the pending reports."""
        query = self._without_pending(query)
        count = self.searcher.search(query, limit=1, count=True).count
        if not count:
            return set()
        return {value for value, _ in self.searcher.search(query, limit=count, count=False, order_by_field=field).hits}

    def _pending_rows(self, model, words, word_columns, *columns):
        """`columns` of the pending reports' rows of `model` (SearchDocument or ArticleDocument;
        every report's, with no index) whose `word_columns` may hold one of the words (a LIKE
        narrows them; the caller decides by whole words)."""
        from django.db.models import Q

        rows = model.objects.all() if self.pending is None else model.objects.filter(article_id__in=self.pending)
        narrow = Q()
        for word in words:
            for column in word_columns:
                narrow |= Q(**{f"{column}__contains": word})
        return rows.filter(narrow).values_list(*columns).iterator(chunk_size=2000)

    def _pending_words(self, words, *columns):
        """Word columns of the pending reports' sections that may hold one of the words."""
        from search.models import SearchDocument

        return self._pending_rows(SearchDocument, words, WORD_COLUMNS, *columns)

    def articles_with(self, text: str, key: str) -> set[int]:
        """The reports whose printed texts have the term (in the term's field, for a field term)."""
        from search.documents import FIELDS, indexed_articles_with, split_key

        field, canon = split_key(key)
        if field is not None and field not in FIELDS or not canon:
            return set()
        if not self.complete:
            return indexed_articles_with(key)
        query = leaf_query(self.schema, text, f"f_{field}" if field else "agrams")
        if query is None:
            return set()
        found = self._matching(query, "aid")
        if self.pending:
            found |= indexed_articles_with(key, among=self.pending)
        return found

    def sections_with(self, text: str, key: str) -> set[int]:
        """The sections whose own text (title, heading, body) has the term."""
        from search.documents import indexed_sections_with

        if not self.complete:
            return indexed_sections_with(key)
        query = leaf_query(self.schema, text, "grams")
        if query is None:
            return set()
        found = self._matching(query, "sid")
        if self.pending:
            found |= indexed_sections_with(key, among=self.pending)
        return found

    def _word_query(self, word: str, boosted: bool = False):
        import tantivy

        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, _boost(tantivy.Query.term_query(self.schema, field, word), weight if boosted else 1.0))
            for field, weight in SECTION_WORD_FIELDS.items()
        ])

    def document_frequency(self, word: str) -> int:
        """How many sections have the word in one of their own word fields (title, initiative
        names, heading, body)."""
        count = 0
        if self.complete:
            count = self.searcher.search(self._without_pending(self._word_query(word)), limit=1, count=True).count
        if self.pending is None or self.pending:
            count += sum(1 for row in self._pending_words([word], *WORD_COLUMNS) if word in section_words(row))
        return count

    def report_frequency(self, word: str) -> int:
        """How many reports print the word once per report (subtitle, 文号, bylines, departments,
        captions, series, source: ArticleDocument's word columns, the index's `w_article`)."""
        import tantivy

        from search.models import ArticleDocument

        count = 0
        if self.complete:
            query = tantivy.Query.term_query(self.schema, "w_article", word, index_option="basic")
            count = len(self._matching(query, "aid"))
        if self.pending is None or self.pending:
            columns = [f"{column}_words" for column in ARTICLE_WORD_COLUMNS]
            rows = self._pending_rows(ArticleDocument, [word], columns, *columns)
            count += sum(1 for row in rows if word in " ".join(row).split())
        return count

    def best_sections(self, words: list[str], limit: int) -> list[int]:
        """Sections with any of the words, best first: the pending reports' sections (changed
        since the index's last applied change, or in this transaction; up to `limit`, by their
        weighted count of the words), then up to `limit` of the index's by BM25 over the word
        fields, boosted by search.weights. search.ranking scores the candidates properly; this
        only bounds the set, and a report just edited is never left out of it."""
        import tantivy

        best: list[int] = []
        if self.pending is None or self.pending:
            wanted = set(words)
            scored = []
            for row in self._pending_words(words, "section_id", *WORD_COLUMNS):
                score = sum(
                    weight * sum(1 for w in _words(value) if w in wanted)
                    for value, weight in zip(row[1:], SECTION_WORD_FIELDS.values())
                )
                if score:
                    scored.append((-score, row[0]))
            best = [sid for _, sid in sorted(scored)[:limit]]
        if self.complete and words:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Should, self._word_query(w, boosted=True)) for w in words])
            hits = self.searcher.search(self._without_pending(query), limit=limit, count=False).hits
            sids = self.searcher.fast_field_values("sid", [address for _, address in hits])
            # equal scores: the lower section id first
            best += [sid for _, sid in sorted(zip((-score for score, _ in hits), sids))]
        return best


WORD_COLUMNS = ("title_words", "init_words", "heading_words", "body_words")
SECTION_WORD_FIELDS = {f"w_{field}": WORD_FIELDS[f"w_{field}"] for field in SECTION_FIELDS}  # WORD_COLUMNS' order


def _words(value: str) -> list[str]:
    """The words of one of a section's word columns as the node's index holds them (initiative
    names, tab-separated in init_words, split at their spaces too)."""
    return value.replace("\t", " ").split()


def section_words(row) -> set[str]:
    """The distinct words of a section's word columns (title, initiative names, heading, body)."""
    return set(_words(" ".join(row)))


def _boost(query, weight: float):
    import tantivy

    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)


def health(latest_change: int) -> dict:
    """What /healthz reports of this node's index (config/health.py): read from its state file,
    nothing opened: the last change it applied and how many it lags behind `latest_change`."""
    try:
        state = read_state(folder())
    except ValueError:
        state = None
    if state is None:
        return {"present": False, "applied_change": None, "lag": None}
    return {"present": True, "applied_change": state["applied"], "lag": max(0, latest_change - state["applied"]),
            "built_at": state.get("built_at"), "applied_at": state.get("applied_at")}


_lock = threading.Lock()
_indexes: dict[tuple[int, Path], NodeIndex] = {}


def node_index() -> NodeIndex:
    """This process's NodeIndex for the database in use (a forked worker opens its own)."""
    key = (os.getpid(), folder())
    with _lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = NodeIndex(key[1])
        return index


def for_matching(live) -> Lookup:
    """The node's index as one search may use it: synced with the change log outside a
    transaction (applying changes, starting a rebuild where needed); inside one, with the
    transaction's own changes pending. Where there is no index to use, a Lookup that decides
    every report on its text."""
    if connection.in_atomic_block:
        return current_lookup()
    try:
        index = node_index()
        index.sync(live)
        return index.lookup()
    except Exception as exc:
        logger.warning("tantivy index not used, deciding on the text: %s", exc)
        return Lookup(None, None, None)


def current_lookup() -> Lookup:
    """The node's index as it stands, with the change log read now through this connection (in a
    transaction, its own changes too): for a write that must find every text with a name
    (search.indexing.catalog_names_changed). Applies and rebuilds nothing."""
    try:
        return node_index().lookup_in_transaction()
    except Exception as exc:
        logger.warning("tantivy index not used, deciding on the text: %s", exc)
        return Lookup(None, None, None)


def forget() -> None:
    with _lock:
        _indexes.clear()
