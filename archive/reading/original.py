"""The original text of a report with the line numbers of the raw file it came from.

An article keeps its original text verbatim: the raw file's lines for that report, whole lines
in file order (archive.ingest.corpus.original_text). Editorial notes refer to those lines by number
(“第83行与第67行……”), so the original page shows each line with its number in the raw file,
found again by matching the lines against the raw document. Where that cannot be done (an
edited text, no raw file) the lines are shown without numbers rather than with wrong ones.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Line:
    number: int | None
    text: str


def numbered_lines(original: str, raw: str | None) -> list[Line]:
    lines = original.splitlines(keepends=True)
    if not raw:
        return [Line(None, line.rstrip("\r\n")) for line in lines]
    raw_lines = raw.splitlines(keepends=True)
    where: dict[str, list[int]] = {}
    for index, line in enumerate(raw_lines):
        where.setdefault(line.rstrip("\r\n"), []).append(index)
    numbered, next_index = [], 0
    for line in lines:
        text = line.rstrip("\r\n")
        # the raw line right after the previous one when it fits (runs of blank lines), else the
        # first later line with this text
        if next_index < len(raw_lines) and raw_lines[next_index].rstrip("\r\n") == text:
            found = next_index
        else:
            found = next((i for i in where.get(text, ()) if i >= next_index), None)
        if found is None:
            return [Line(None, line.rstrip("\r\n")) for line in lines]
        numbered.append(Line(found + 1, text))
        next_index = found + 1
    return numbered


LINE_REFERENCE = re.compile(r"第(\d+)(?:[—–\-~～至](\d+))?行")


def link_line_references(note: str, original_url: str, known: set[int]) -> SafeString:
    """The editorial note as HTML, each “第83行” / “第91—103行” linked to that line of the
    original text when the original page shows it. Line breaks become <br>."""
    escaped = str(escape(note))

    def link(match):
        first = int(match.group(1))
        if first not in known:
            return match.group(0)
        return f'<a href="{escape(original_url)}#L{first}">{match.group(0)}</a>'

    return mark_safe(LINE_REFERENCE.sub(link, escaped).replace("\n", "<br>"))
