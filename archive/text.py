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


# What XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
# newline and carriage return, unpaired surrogates, and U+FFFE/U+FFFF. Every XML the archive
# writes (feeds, OAI-PMH, sitemaps) passes its text through xml_safe.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (a form feed or vertical tab becomes a
    space, so the words either side stay apart; the rest are dropped)."""
    if not text:
        return text
    return _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


# What the archive stores (services, the editors' forms, the importer all clean by this rule):
# no C0 control but tab and the line endings, no DEL, no C1 control. A vertical tab, form feed or
# NEL (U+0085) ends a line in multi-line text (a form feed is a page break in text converted from
# PDF) and is a space in a one-line field (a title, a name), so the words either side stay apart;
# the rest are dropped. Noncharacters (U+FDD0–U+FDEF and the last two code points of every plane)
# and unpaired surrogates are not text: stored_text drops them, and the editors' forms refuse
# them with unstorable() so the editor sees what was wrong.
_LINE_BREAKING = "\x0b\x0c\x85"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ONE_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NONCHARACTER = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)


def stored_text(text: str, *, multiline: bool = True) -> str:
    """Text as the archive stores it (the rule above): multi-line text keeps tabs and line
    endings; in a one-line field every control character that separates (tab, line endings,
    vertical tab, form feed, NEL) becomes a space."""
    if not text:
        return text
    text = _NONCHARACTER.sub("", text)
    if multiline:
        return _CONTROL.sub(lambda m: "\n" if m.group() in _LINE_BREAKING else "", text)
    return _ONE_LINE_CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" + _LINE_BREAKING else "", text)


def unstorable(text: str) -> list[str]:
    """The noncharacters and unpaired surrogates in text, each once, as U+XXXX (for an error
    message: they are refused, not silently dropped, where an editor typed them)."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in _NONCHARACTER.findall(text or "")))
