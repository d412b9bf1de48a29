"""What the importer makes of a raw file: draft reports with their sections, bylines and
uncertain lines, before anything is written (docs/corpus.md, "The importer")."""

import datetime
from dataclasses import dataclass, field

from archive.models import (
    Article,
    Authorship,
    RawDocument,
)

EDITORIAL_NOTE = "由导入程序自动生成，待编辑审校。"


class ImporterError(Exception):
    """A file the importer refuses as a whole (not text, empty, unreadable); nothing was written."""


@dataclass
class DraftAuthor:
    name: str
    role: str = Authorship.Role.AUTHOR
    position: str = ""


@dataclass
class DraftSection:
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class DraftReport:
    title: str = ""
    subtitle: str = ""
    kind: str = Article.Kind.NEWS
    sections: list[DraftSection] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    authors: list[DraftAuthor] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    doc_number: str = ""
    source: str = ""  # the paper or publisher, from a masthead or the file's metadata
    page: str = ""  # 版次, from a masthead
    date: datetime.date | None = None
    date_precision: str = Article.DatePrecision.UNKNOWN
    date_inferred: bool = False  # the date is not printed in the text: from the document number or the web page
    first_line: int = 0
    last_line: int = 0
    original: str = ""
    changes: list[str] = field(default_factory=list)
    uncertain: list[dict] = field(default_factory=list)

    @property
    def editorial_note(self) -> str:
        if not self.changes:
            return EDITORIAL_NOTE
        return EDITORIAL_NOTE + "；".join(self.changes) + "。"

    def unsure(self, line: int, text: str, why: str):
        self.uncertain.append({"line": line, "text": text.strip(), "why": why})


@dataclass
class Duplicate:
    """An existing article a draft repeats: exactly (the same normalised text) or nearly."""

    article: Article
    similarity: float
    exact: bool


@dataclass
class ImportResult:
    filename: str
    sha256: str
    encoding: str = ""
    reports: list[DraftReport] = field(default_factory=list)
    already_imported: bool = False
    dry_run: bool = False
    raw_document: RawDocument | None = None
    articles: list[Article] = field(default_factory=list)
    unresolved_departments: list[str] = field(default_factory=list)
    format: str = ""
    engine: str = ""
    ocr: bool = False
    error: str | None = None  # plain Chinese: why nothing of this file was written
    warnings: list[str] = field(default_factory=list)
    duplicates: list[Duplicate | None] = field(default_factory=list)  # per report

    @property
    def status(self) -> str:
        """imported, dry-run, duplicate (nothing new in it) or failed."""
        if self.error is not None:
            return "failed"
        new = [d for d in self.duplicates if d is None or not d.exact] if self.duplicates else self.reports
        if self.already_imported or (self.reports and not new):
            return "duplicate"
        return "dry-run" if self.dry_run else "imported"

    @property
    def uncertain(self) -> list[dict]:
        return sorted((item for report in self.reports for item in report.uncertain), key=lambda i: i["line"])
