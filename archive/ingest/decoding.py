"""Raw bytes to text and numbered lines: strict UTF-8 (with or without BOM), then strict GB18030;
CRLF, CR and LF alike, each line keeping its ending so that joining them gives the text back."""

import re
from dataclasses import dataclass

from archive.ingest.drafts import ImporterError


def decode(data: bytes, name: str = "文件") -> tuple[str, str]:
    """The text of a file and the encoding it was in: UTF-8 with or without BOM, else GB18030,
    both strictly (the plain-text adapter's rule, archive/ingest/formats/plaintext.py). Raises
    ImporterError, in Chinese and naming the file, for anything that is not plain text."""
    from archive.ingest.formats import FormatError
    from archive.ingest.formats.plaintext import decode as decode_text

    try:
        return decode_text(data, name)
    except FormatError as exc:
        raise ImporterError(str(exc)) from exc


@dataclass
class RawLine:
    number: int
    text: str  # verbatim, without its line ending
    ending: str = ""

    @property
    def stripped(self) -> str:
        return self.text.strip()


def split_lines(text: str) -> list[RawLine]:
    """Lines split at CRLF, CR or LF, each keeping its ending, so joining them gives the text back."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    lines = []
    for i in range(0, len(parts), 2):
        ending = parts[i + 1] if i + 1 < len(parts) else ""
        if parts[i] or ending:
            lines.append(RawLine(len(lines) + 1, parts[i], ending))
    return lines
