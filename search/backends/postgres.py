"""PostgreSQL backend: tsvector columns with GIN indexes on search_searchdocument.

Vectors and queries are written as tsvector/tsquery literals built here from gram, unit and word
tokens (never to_tsquery on user text), so PostgreSQL's parser and stemming play no part.
A tsvector keeps at most 256 positions per lexeme and positions up to 16383; a section that
exceeds either is flagged needs_confirm and matched by its lexemes alone (then confirmed
exactly in Python), so long sections do not silently stop matching phrases.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

from search.backends.base import IndexRow, SearchBackend
from search.weights import POSTGRES_LABELS, POSTGRES_RANK_WEIGHTS

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
ENSURE = (  # as in migration 0002
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS grams_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS words_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX IF NOT EXISTS search_doc_grams_gin ON search_searchdocument USING gin (grams_tsv)",
    "CREATE INDEX IF NOT EXISTS search_doc_words_gin ON search_searchdocument USING gin (words_tsv)",
)
UNIT_PREFIX = "~"  # units share the grams vector, positionless, apart from grams by this prefix


def lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def gram_vector(row: IndexRow) -> tuple[str, bool]:
    positions: dict[str, list[int]] = defaultdict(list)
    clipped = False
    for pos, gram in enumerate(row.grams, 1):
        if pos > MAX_POSITION or len(positions[gram]) >= MAX_POSITIONS_PER_LEXEME:
            clipped = True
            positions.setdefault(gram, [])
            continue
        positions[gram].append(pos)
    parts = [f"{lexeme(g)}:{','.join(map(str, p))}" if p else lexeme(g) for g, p in positions.items()]
    parts += [lexeme(UNIT_PREFIX + u) for u in row.units]
    return " ".join(parts), clipped


def word_vector(row: IndexRow) -> str:
    """Each word once, labelled with the weightiest field it occurs in (search.weights)."""
    labels: dict[str, str] = {}
    for field, label in sorted(POSTGRES_LABELS.items(), key=lambda item: item[1]):
        for word in getattr(row, f"{field}_words"):
            labels.setdefault(word, label)
    return " ".join(f"{lexeme(w)}:1{label}" for w, label in labels.items())


# A term's sections come from the GIN index, whatever their number: for a frequent gram the
# planner otherwise prefers reading the whole table, which unpacks every section's grams vector
# (2.7 s for 改革 at 300,000 sections, against 0.43 s through the index with a bitmap kept exact by
# enough work_mem; docs/search-performance.md).
CANDIDATE_SETTINGS = {"enable_seqscan": "off", "work_mem": "64MB"}


@contextmanager
def _gin_only(cursor):
    """CANDIDATE_SETTINGS for the statements inside (in a transaction or savepoint), the previous
    values restored after, so that the caller's transaction goes on with its own settings."""
    names = list(CANDIDATE_SETTINGS)
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    before = dict(zip(names, cursor.fetchone()))

    def apply(values):
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
            [x for name in names for x in (name, values[name])],
        )

    apply(CANDIDATE_SETTINGS)
    yield
    apply(before)  # after an error, rolling back the savepoint undoes them (and this would fail)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def prepare(self, rows: list[IndexRow]) -> list[tuple]:
        """(grams vector, words vector, needs confirming) as tsvector literals, per row."""
        out = []
        for row in rows:
            grams, clipped = gram_vector(row)
            out.append((grams, word_vector(row), row.needs_confirm or clipped))
        return out

    def write(self, rows: list[IndexRow]) -> None:
        values = [p + (row.section_id,) for row, p in zip(rows, self.prepare(rows))]
        if not values:
            return
        grams, words, confirm, ids = (list(column) for column in zip(*values))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_searchdocument AS d SET grams_tsv = v.g::tsvector, words_tsv = v.w::tsvector,"
                " needs_confirm = v.c FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bool[]) AS v(id, g, w, c)"
                " WHERE d.section_id = v.id",
                [ids, grams, words, confirm],
            )

    def delete(self, section_ids: list[int]) -> None:
        pass  # the vectors live on SearchDocument rows, which search.indexing deletes

    def recreate(self) -> None:
        """Make sure the vector columns and their GIN indexes exist (a rebuild refills them)."""
        with connection.cursor() as cursor:
            for statement in ENSURE:
                cursor.execute(statement)

    def clear(self) -> None:
        pass

    def bulk_begin(self) -> None:
        """A GIN index is built far faster in one go than row by row: drop both, and build them
        again in bulk_end (in the rebuild's transaction, so a failed rebuild keeps them)."""
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_doc_grams_gin")
            cursor.execute("DROP INDEX IF EXISTS search_doc_words_gin")

    def bulk_write(self, documents: list[tuple], prepared: list) -> None:
        """One COPY of the rows with their vectors (rather than inserting them and then updating
        each with its vectors, which writes every row twice)."""
        columns = ", ".join(self.DOCUMENT_COLUMNS + ("grams_tsv", "words_tsv", "needs_confirm"))
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY search_searchdocument ({columns}) FROM STDIN") as copy:
                for document, (grams, words, confirm) in zip(documents, prepared):
                    copy.write_row(document + (grams, words, confirm))

    def bulk_end(self) -> None:
        with connection.cursor() as cursor:
            # Building the indexes over a whole archive (and, at a million sections, the deferred
            # checks just below) may outlast DATABASE_STATEMENT_TIMEOUT, which bounds the
            # statements of web requests (config/settings.py).
            cursor.execute("SET LOCAL statement_timeout = 0")
            # the rows' deferred foreign-key checks run now: an index cannot be built on a table
            # with pending trigger events
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in ENSURE:
                if statement.startswith("CREATE INDEX"):
                    cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def refresh_statistics(self) -> None:
        """ANALYZE the whole database (about 2 s at 100,000 sections): after a bulk load and a
        rebuild, autovacuum has not yet sampled the new rows, and the planner, believing the
        article table holds a handful of rows, joins a few reports' mentions by reading all 20,000
        articles (15 ms instead of 1)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")  # a million sections: not bounded as a web request
            cursor.execute("ANALYZE")

    def candidates(self, grams: list[str], units: list[str]) -> set[int]:
        unit_terms = [lexeme(UNIT_PREFIX + u) for u in units]
        if grams:
            phrase = " <-> ".join(lexeme(g) for g in grams)
            loose = " & ".join([lexeme(g) for g in dict.fromkeys(grams)] + unit_terms)
            exact = " & ".join([f"({phrase})"] + unit_terms)
            sql = (
                "SELECT section_id FROM search_searchdocument WHERE grams_tsv @@ %s::tsquery"
                " OR (needs_confirm AND grams_tsv @@ %s::tsquery)"
            )
            params = [exact, loose]
        else:
            sql = "SELECT section_id FROM search_searchdocument WHERE grams_tsv @@ %s::tsquery"
            params = [" & ".join(unit_terms)]
        with transaction.atomic(), connection.cursor() as cursor, _gin_only(cursor):
            cursor.execute(sql, params)
            return {row[0] for row in cursor.fetchall()}

    def unsure(self, section_ids) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT section_id FROM search_searchdocument WHERE needs_confirm")
            flagged = {row[0] for row in cursor.fetchall()}
        return flagged & set(section_ids)

    def best_sections(self, words: list[str], limit: int) -> list[int]:
        query = " | ".join(lexeme(w) for w in words)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT section_id FROM search_searchdocument WHERE words_tsv @@ %s::tsquery"
                f" ORDER BY ts_rank('{POSTGRES_RANK_WEIGHTS}', words_tsv, %s::tsquery) DESC, section_id LIMIT %s",
                [query, query, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, word: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchdocument WHERE words_tsv @@ %s::tsquery", [lexeme(word)])
            return cursor.fetchone()[0]

    def row_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchdocument WHERE grams_tsv <> ''::tsvector")
            return cursor.fetchone()[0]

    def healthy(self) -> bool:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT grams_tsv, words_tsv FROM search_searchdocument LIMIT 1")
            return True
        except DatabaseError:
            return False
