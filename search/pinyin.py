"""Catalog names as they are typed in pinyin: whole (erfenfa), by initials (eff), or mixed (erff,
zgju), and Chinese names that sound alike (二分发 and 二分法).

pypinyin is imported on first use (its phrase dictionary takes about 55 MB): a serving process
pays for it when a reader first types Latin letters into the search box or meets an empty
result, never for Chinese suggestions. Every reading of a character is kept (曾 is ceng and
zeng, 长 chang and zhang), the phrase dictionary's first, so a surname or a place is found however
the reader says it.
"""

import re
from functools import lru_cache

from search.normalize import normalize

Syllables = tuple[tuple[str, ...], ...]  # per character (or Latin run), its readings

_LETTERS = re.compile(r"[a-z]+")
_SEPARATORS = re.compile(r"[\s'’·]+")
_LATIN = re.compile(r"[a-z0-9]+")
MAX_LETTERS = 40


def letters_of(text: str) -> str | None:
    """The text as pinyin letters (spaces and apostrophes dropped, ü typed as v), or None when it
    is not pinyin: empty, too long, or holding anything but Latin letters."""
    letters = _SEPARATORS.sub("", normalize(text or "").replace("ü", "v"))
    if 2 <= len(letters) <= MAX_LETTERS and _LETTERS.fullmatch(letters):
        return letters
    return None


@lru_cache(maxsize=50_000)
def syllables(name: str) -> Syllables:
    """A name's readings, one tuple per Chinese character or Latin/number run; punctuation dropped.
    Cached by the name itself: a catalog entry that changes costs its new names only."""
    from pypinyin import Style, pinyin

    out: list[tuple[str, ...]] = []
    for item in pinyin(normalize(name), style=Style.NORMAL, heteronym=True, errors=lambda chars: ["\0" + chars]):
        if item[0].startswith("\0"):  # not Chinese: its Latin and digit runs, punctuation dropped
            out.extend((run,) for run in _LATIN.findall(item[0]))
        else:
            out.append(tuple(dict.fromkeys(r.replace("ü", "v") for r in item)))
    return tuple(out)


def spelled(name: str) -> str:
    """The name in pinyin by its first readings: 二分法 → erfenfa."""
    return "".join(s[0] for s in syllables(name))


def initials(name: str) -> str:
    return "".join(s[0][0] for s in syllables(name))


def match_rank(letters: str, name: str) -> int | None:
    """How the letters start the name's pinyin: 0 its pinyin spelled out (erfen), 1 its initials
    (eff), 2 any mixture of whole syllables and their first letters, in any reading (erff,
    zgju); None when they do not."""
    if spelled(name).startswith(letters):
        return 0
    if initials(name).startswith(letters):
        return 1
    return 2 if _starts(letters, syllables(name)) else None


def _starts(letters: str, syls: Syllables) -> bool:
    """Whether the letters are, syllable after syllable, a non-empty start of one of its readings."""
    frontier = {0}  # positions in letters reached after the syllables consumed so far
    for readings in syls:
        reached = set()
        for at in frontier:
            for reading in readings:
                n = 1
                while n <= len(reading) and at + n <= len(letters) and letters[at + n - 1] == reading[n - 1]:
                    reached.add(at + n)
                    n += 1
        if len(letters) in reached:
            return True
        if not reached:
            return False
        frontier = reached
    return False


def sound_alike(a: str, b: str) -> bool:
    """Two Chinese strings of the same length that can be read the same, character by character
    (二分发 and 二分法; 资归局 and 资规局)."""
    sa, sb = syllables(a), syllables(b)
    return len(sa) == len(sb) > 0 and all(set(x) & set(y) for x, y in zip(sa, sb, strict=True))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it is known to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)
