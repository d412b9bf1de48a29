"""Character rules that every layer shares: what a CJK ideograph is, and which characters do not
count when two pieces of text are compared.

Ingest, the linker, the editors' desk and the search app all read text by these rules, so this
module imports nothing from the project: any of them may import it (the search app too, which
already reads archive.models) without creating a cycle.
"""

import re

# Han ideographs of the Basic Multilingual Plane: Extension A, the unified block and the
# compatibility ideographs (as a regular expression class body: f"[{CJK}]").
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

_CJK_CHAR = re.compile(f"[{CJK}]")


def is_cjk(ch: str) -> bool:
    """One character of the CJK ranges (False for the empty string)."""
    return bool(ch) and bool(_CJK_CHAR.fullmatch(ch))


# Quotation marks, including the book-title marks 《》〈〉: they quote a name without changing
# it, so “五好”园区, "五好" 园区, 《五好》园区 and 五好园区 are the same words. Whitespace does not
# count either (raw texts have stray spaces inside words). Every other punctuation mark does: it
# breaks the text.
#
# The linker used to keep 《》〈〉 while the search index dropped them, so a name a reader found
# by search was not linked, and the editors' catalog search (which folds like the linker)
# disagreed with the readers' search on the same text; the search index's rule is the one kept,
# since the index and its marks are what readers see most.
QUOTATION_MARKS = "\"'“”‘’「」『』《》〈〉"

_QUOTATION_MARKS = frozenset(QUOTATION_MARKS)

# The same characters as a regular expression class body. `\s` matches exactly what
# str.isspace() accepts (both use the Unicode whitespace property), so a regular expression
# built on it agrees with ignored().
IGNORED_CLASS = r"\s" + re.escape(QUOTATION_MARKS)


def ignored(ch: str) -> bool:
    """Whether a character does not count when text is compared."""
    return ch.isspace() or ch in _QUOTATION_MARKS


def fold(text: str) -> tuple[str, list[int]]:
    """Text without the characters that do not count, and for each kept character its index in
    text, so that a match in the folded text can be marked in the original."""
    kept, index = [], []
    for i, ch in enumerate(text):
        if not (ch.isspace() or ch in _QUOTATION_MARKS):
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


def folded(text: str) -> str:
    """Text without the characters that do not count (fold's text alone)."""
    return "".join(ch for ch in text if not (ch.isspace() or ch in _QUOTATION_MARKS))
