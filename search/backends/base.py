"""The interface every search backend implements. Backends find candidates; search.engine makes
the final, exact decision and the ranking in Python, so both backends give the same results."""

from dataclasses import dataclass, field

from django.db import connection


@dataclass
class IndexRow:
    section_id: int
    grams: list[str]  # the gram stream, BREAK included, in order
    units: list[str]  # distinct units
    title_words: list[str]
    init_words: list[str]
    heading_words: list[str]
    body_words: list[str]
    needs_confirm: bool = field(default=False)


class SearchBackend:
    vendor = ""

    def write(self, rows: list[IndexRow]) -> None:
        """Insert or replace the backend index rows of these sections (SearchDocument exists)."""
        raise NotImplementedError

    def delete(self, section_ids: list[int]) -> None:
        raise NotImplementedError

    def recreate(self) -> None:
        """Create the backend's index structures afresh (or where they are missing)."""
        raise NotImplementedError

    # -- a whole rebuild: rows are prepared in the worker processes, written in bulk ----------

    DOCUMENT_COLUMNS = ("section_id", "article_id", "canon", "title_words", "init_words", "heading_words", "body_words")

    def prepare(self, rows: list[IndexRow]) -> list:
        """What bulk_write needs of these rows, computed without the database: runs in the
        rebuild's worker processes, and is what they send back (one string per field pickles
        far faster than a list of a thousand grams)."""
        raise NotImplementedError

    def bulk_begin(self) -> None:
        """Before a rebuild writes every row (inside its transaction)."""

    def bulk_write(self, documents: list[tuple], prepared: list) -> None:
        """Insert SearchDocument rows (tuples in DOCUMENT_COLUMNS order) and their prepared
        index rows."""
        raise NotImplementedError

    def insert_documents(self, documents: list[tuple]) -> None:
        """Insert SearchDocument rows (tuples in DOCUMENT_COLUMNS order), none flagged."""
        from search.models import SearchDocument

        columns = ", ".join(self.DOCUMENT_COLUMNS + ("needs_confirm",))
        marks = ", ".join(["%s"] * (len(self.DOCUMENT_COLUMNS) + 1))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {SearchDocument._meta.db_table} ({columns}) VALUES ({marks})", [d + (False,) for d in documents]
            )

    def bulk_end(self) -> None:
        """After a rebuild wrote every row (inside its transaction)."""

    def refresh_statistics(self) -> None:
        """After a rebuild: let the database's query planner see the tables as they now are."""

    def clear(self) -> None:
        raise NotImplementedError

    def candidates(self, grams: list[str], units: list[str]) -> set[int]:
        """Sections whose index has these grams at consecutive positions (when grams is not empty)
        and all these units. A superset of the exact answer is allowed, never a subset."""
        raise NotImplementedError

    def unsure(self, section_ids) -> set[int]:
        """Those of these sections whose index could not hold every position (then a phrase match
        must be confirmed on the text)."""
        raise NotImplementedError

    def best_sections(self, words: list[str], limit: int) -> list[int]:
        """Up to limit sections with any of the words, best first by the backend's own ranking:
        the bounded candidate set that a large result is ranked from."""
        raise NotImplementedError

    def document_frequency(self, word: str) -> int:
        """How many sections have the word in any word field."""
        raise NotImplementedError

    def row_count(self) -> int:
        raise NotImplementedError

    def healthy(self) -> bool:
        """False when the backend index is missing or unreadable."""
        raise NotImplementedError
