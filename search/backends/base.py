"""The interface every search backend implements. Backends find candidates; search.engine makes
the final, exact decision and the ranking in Python, so both backends give the same results."""

from dataclasses import dataclass, field


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
