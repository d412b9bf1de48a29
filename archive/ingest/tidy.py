"""Character classes and the small text repairs of extracted lines: spaces that do not belong
between CJK characters, sentence ends, display width."""

import re
import unicodedata

# Defined once for the whole project (archive.text); layout, bylines and the formats import them from here.
from archive.text import CJK, is_cjk

WIDE_PUNCT = (  # CJK and full-width punctuation, curly quotes, ellipsis, dash, middle dot
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    "\u2018\u2019\u201c\u201d\u2026\u2014\u00b7\ufe10-\ufe1f\ufe30-\ufe4f"
)


SPACE = "[ \t\u3000\u00a0]+"


SENTENCE_END = "。！？；…!?;"


LINE_END = SENTENCE_END + "：:"


CLOSERS = "”」』）)】〕]\"'’"


STARTS_CLOSED = "，。、；：？！,.;:?!）)】」』”’》"


CONTINUES_AFTER = "，、,（(“「『《【"


# A line ending in one of these words stops mid-phrase: 乡村振兴的 / 战略支撑点.
FUNCTION_WORDS = set("的和与及或在对从把被将向为以于并而之其让使由同按据")


_SPACE_WIDE = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[{CJK}{WIDE_PUNCT}])")


_SPACE_BEFORE_NUMBER = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[0-9A-Za-z])")


_SPACE_AFTER_NUMBER = re.compile(f"(?<=[0-9A-Za-z%]){SPACE}(?=[{CJK}{WIDE_PUNCT}])")


# Straight quotes and ASCII punctuation in Chinese text (、 "制造名城"; '核', 株洲) attract spaces too.
_SPACE_QUOTE = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[\"'])|(?<=[\"']){SPACE}(?=[{CJK}{WIDE_PUNCT}])")


_SPACE_AFTER_ASCII_PUNCT = re.compile(f"(?<=[{CJK}\"'][,;:?!]){SPACE}(?=[{CJK}\"'])")


BOLD = re.compile(r"\*\*(.+?)\*\*")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def tidy_body(text: str) -> tuple[str, int]:
    """Spurious spaces out of running text: between Chinese characters (市属国 企), between a
    Chinese character and a number or Latin word (512 万). Returns the text and how many went."""
    count = 0
    text = text.strip()
    for pattern in (_SPACE_WIDE, _SPACE_BEFORE_NUMBER, _SPACE_AFTER_NUMBER, _SPACE_QUOTE, _SPACE_AFTER_ASCII_PUNCT):
        text, n = pattern.subn("", text)
        count += n
    return text, count


def tidy_heading(text: str) -> tuple[str, int]:
    """Headings keep the spaces that separate phrases (向改革要动力 发展难题加力破解) and lose those
    around a lone character (建议的 答 复) or a number (2022 年)."""
    tokens = [t for t in re.split(SPACE, text.strip()) if t]
    if not tokens:
        return "", 0
    out, count = tokens[0], 0
    for previous, token in zip(tokens, tokens[1:]):
        lone = (len(token) == 1 and is_cjk(token)) or (len(previous) == 1 and is_cjk(previous))
        number = (previous[-1].isascii() and previous[-1].isalnum() and not token[0].isascii()) or (
            token[0].isascii() and token[0].isalnum() and not previous[-1].isascii()
        )
        if lone or number:
            out += token
            count += 1
        else:
            out += " " + token
    return out, count


def ends_sentence(text: str, *, wrapped: bool = False) -> bool:
    """Whether a line ends where a sentence may end. A closing quote or bracket counts after
    sentence-final punctuation; in hard-wrapped text (fixed-width columns) only then, since a
    column can end right after a quotation (“中国制造 2025”/建设制造强市…)."""
    t = text.rstrip()
    if not t or t[-1] in LINE_END or t.endswith("——"):
        return True
    if t[-1] in CLOSERS:
        core = t.rstrip(CLOSERS)
        if core and core[-1] in SENTENCE_END:
            return True
        # A sentence closed by a bracketed byline or note: “……表示。 （陈旭尧）”.
        if _CLOSED_BY_BRACKET.search(t):
            return True
        return not wrapped
    return False


_CLOSED_BY_BRACKET = re.compile(r"[。！？!?…”\"]\s*[（(][^()（）]{1,24}[)）]$")
