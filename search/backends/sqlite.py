"""SQLite FTS5 backend. Three FTS5 tables keyed by section id: search_fts_grams (the gram stream,
with positions, for exact phrase matching), search_fts_units (units, presence only) and
search_fts_words (the four word fields, for bm25 and document frequencies).
User text never reaches MATCH: only gram, unit and word tokens go in, each quoted."""

from django.db import DatabaseError, connection

from search.backends.base import IndexRow, SearchBackend
from search.weights import SQLITE_BM25_WEIGHTS

WORD_COLUMNS = "{title_words init_words heading_words body_words}"
TABLES = ("search_fts_grams", "search_fts_units", "search_fts_words")
CREATE = (  # as in migration 0005
    "CREATE VIRTUAL TABLE search_fts_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE search_fts_units USING fts5(units, tokenize = 'unicode61 remove_diacritics 0', detail = none)",
    "CREATE VIRTUAL TABLE search_fts_words USING fts5(title_words, init_words, heading_words, body_words,"
    " tokenize = 'unicode61 remove_diacritics 0')",
)


def quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def write(self, rows: list[IndexRow]) -> None:
        if not rows:
            return
        self.delete([r.section_id for r in rows])
        self._insert(self.prepare(rows))

    def prepare(self, rows: list[IndexRow]) -> list[tuple]:
        """(rowid, grams, units, title, initiatives, heading, body) as FTS5 takes them."""
        return [
            (
                r.section_id, " ".join(r.grams), " ".join(r.units), " ".join(r.title_words), " ".join(r.init_words),
                " ".join(r.heading_words), " ".join(r.body_words),
            )
            for r in rows
        ]

    def bulk_write(self, documents: list[tuple], prepared: list) -> None:
        self.insert_documents(documents)
        self._insert(prepared)

    def _insert(self, prepared: list[tuple]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO search_fts_grams(rowid, grams) VALUES (%s, %s)", [p[:2] for p in prepared])
            cursor.executemany("INSERT INTO search_fts_units(rowid, units) VALUES (%s, %s)", [(p[0], p[2]) for p in prepared])
            cursor.executemany(
                "INSERT INTO search_fts_words(rowid, title_words, init_words, heading_words, body_words)"
                " VALUES (%s, %s, %s, %s, %s)",
                [(p[0],) + p[3:] for p in prepared],
            )

    def delete(self, section_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(section_ids), 500):
                chunk = section_ids[start : start + 500]
                marks = ",".join(["%s"] * len(chunk))
                for table in TABLES:
                    cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)

    def recreate(self) -> None:
        """Drop and create the FTS5 tables: a rebuild mends a missing or corrupt index."""
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in CREATE:
                cursor.execute(statement)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")

    def candidates(self, grams: list[str], units: list[str]) -> set[int]:
        with connection.cursor() as cursor:
            if grams:
                cursor.execute(
                    "SELECT rowid FROM search_fts_grams WHERE search_fts_grams MATCH %s", ["grams : " + quote(" ".join(grams))]
                )
                found = {row[0] for row in cursor.fetchall()}
                if not units or not found:
                    return found
            else:
                found = None
            match = " AND ".join(quote(u) for u in units)
            cursor.execute("SELECT rowid FROM search_fts_units WHERE search_fts_units MATCH %s", [match])
            by_units = {row[0] for row in cursor.fetchall()}
            return by_units if found is None else found & by_units

    def unsure(self, section_ids) -> set[int]:
        return set()  # FTS5 keeps every position: its phrase matches are exact

    def best_sections(self, words: list[str], limit: int) -> list[int]:
        match = WORD_COLUMNS + " : (" + " OR ".join(quote(w) for w in words) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_fts_words WHERE search_fts_words MATCH %s"
                f" ORDER BY bm25(search_fts_words, {SQLITE_BM25_WEIGHTS}), rowid LIMIT %s",
                [match, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, word: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM search_fts_words WHERE search_fts_words MATCH %s", [f"{WORD_COLUMNS} : {quote(word)}"]
            )
            return cursor.fetchone()[0]

    def row_count(self) -> int:
        counts = set()
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts.add(cursor.fetchone()[0])
        return counts.pop() if len(counts) == 1 else -1

    def healthy(self) -> bool:
        try:
            with connection.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            return True
        except DatabaseError:
            return False
