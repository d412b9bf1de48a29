"""SQLite FTS5 backend. One FTS5 row per section (rowid = section id); user text never reaches
MATCH: only gram and unit tokens (letters, digits, CJK) go in, each quoted."""

from django.db import DatabaseError, connection

from .base import IndexRow, SearchBackend

WORD_COLUMNS = "{title_words init_words heading_words body_words}"


def quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def write(self, rows: list[IndexRow]) -> None:
        if not rows:
            return
        self.delete([r.section_id for r in rows])
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_fts(rowid, grams, units, title_words, init_words, heading_words, body_words)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        r.section_id,
                        " ".join(r.grams),
                        " ".join(r.units),
                        " ".join(r.title_words),
                        " ".join(r.init_words),
                        " ".join(r.heading_words),
                        " ".join(r.body_words),
                    )
                    for r in rows
                ],
            )

    def delete(self, section_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(section_ids), 500):
                chunk = section_ids[start : start + 500]
                cursor.execute(
                    f"DELETE FROM search_fts WHERE rowid IN ({','.join(['%s'] * len(chunk))})", chunk
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")

    def candidates(self, grams: list[str], units: list[str]) -> set[int]:
        parts = []
        if grams:
            parts.append("grams : " + quote(" ".join(grams)))
        parts += ["units : " + quote(u) for u in units]
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [" AND ".join(parts)])
            return {row[0] for row in cursor.fetchall()}

    def document_frequency(self, word: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s", [f"{WORD_COLUMNS} : {quote(word)}"]
            )
            return cursor.fetchone()[0]

    def row_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            return cursor.fetchone()[0]

    def healthy(self) -> bool:
        try:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            return True
        except DatabaseError:
            return False
