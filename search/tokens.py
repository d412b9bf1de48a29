"""The character channel: what makes every literal string findable, however jieba splits it.

Normalised text is read as units: each CJK character is a unit, each run of Latin letters and
digits is a unit; whitespace and quotation marks are ignored (archive.text: raw texts have stray
spaces inside words, and “五好”园区 is 五好园区, as the linker reads it) and anything else
(punctuation, symbols) is a break. A gram is two adjacent units with no break between them.
A string of two or more units occurs in a text exactly when its grams occur there at consecutive
positions, so an index of grams with a phrase query finds it; a single unit is indexed too.

    >>> grams("8130亩土地")
    ['8130亩', '亩土', '土地']
"""

import re

from archive.text import IGNORED_CLASS

BREAK = "qqbrk"  # stands where punctuation breaks adjacency; keeps positions honest
_UNIT = re.compile(r"[a-z0-9]+|[^\W\d_a-z]|\S", re.UNICODE)


# One match per run: ASCII word | other letters (each a unit) | ignored | other alnum | break.
_RUN = re.compile(rf"([a-z0-9]+)|([^\W\d_a-z]+)|([{IGNORED_CLASS}]+)|([^\W_])|(.)", re.S)


def units(normalized: str) -> list[str | None]:
    """Units in order, with None for each break (never two in a row, none at either end)."""
    out: list[str | None] = []
    append, extend = out.append, out.extend
    for match in _RUN.finditer(normalized):
        kind = match.lastindex
        if kind == 1:
            append(match.group(1))
        elif kind == 2:
            extend(match.group(2).lower())
        elif kind == 4:
            append(match.group(4).lower())
        elif kind == 5 and out and out[-1] is not None:
            append(None)
    if out and out[-1] is None:
        out.pop()
    return out


def stream_of(seq: list[str | None]) -> list[str]:
    """The gram stream of a unit sequence."""
    return [BREAK if b is None else a + b for a, b in zip(seq, seq[1:]) if a is not None]


def canonical_of(seq: list[str | None]) -> str:
    return "".join(BREAK_MARK if u is None else u + UNIT_END for u in seq)


def gram_stream(normalized: str) -> list[str]:
    """The indexed token stream: one gram per adjacent pair, BREAK at breaks."""
    return stream_of(units(normalized))


def grams(normalized: str) -> list[str]:
    return [g for g in gram_stream(normalized) if g != BREAK]


def searchable(term: str) -> bool:
    return any(u is not None for u in units(term))


UNIT_END = "\x01"
BREAK_MARK = "\x02" + UNIT_END


def canonical(normalized: str) -> str:
    """Units each followed by UNIT_END, breaks as BREAK_MARK: a string occurs in a text (in the
    sense of this module) exactly when UNIT_END + canonical(string) is in UNIT_END + canonical(text)."""
    return canonical_of(units(normalized))


def contains(doc_canon: str, query_canon: str) -> bool:
    return bool(query_canon) and (UNIT_END + query_canon) in (UNIT_END + doc_canon)
