"""Raw bytes to text and numbered lines: strict UTF-8 (with or without BOM), then strict GB18030;
CRLF, CR and LF alike, each line keeping its ending so that joining them gives the text back."""

import codecs
import re
import unicodedata
from dataclasses import dataclass

from archive.ingest.drafts import ImporterError


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was in: UTF-8 with or without BOM, else GB18030,
    both strictly. Raises ImporterError for anything that is not plain text."""
    if not data.strip():
        raise ImporterError("the file is empty")
    if b"\x00" in data:
        raise ImporterError("the file holds binary data (NUL bytes), not text")
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec, errors="strict")
        except UnicodeDecodeError:
            continue
        if codec == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            encoding = "gb18030"
        break
    else:
        raise ImporterError("the file is neither UTF-8 nor GB18030 text")
    if not text.strip():
        raise ImporterError("the file holds only whitespace")
    odd = sum(
        1
        for ch in text
        if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v") or unicodedata.category(ch) in ("Co", "Cn", "Cs")
    )
    if odd > max(2, len(text) // 200):
        raise ImporterError(f"the file holds {odd} control or unassigned characters: it looks like binary data, not text")
    return text, encoding


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
