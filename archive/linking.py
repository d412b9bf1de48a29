"""The one linker: finds where named initiatives are mentioned in sections.

Names and aliases are matched on text with quotation marks and whitespace removed, so
“五好”园区, "五好" 园区 and 五好园区 are one mention. Longer names win where two overlap
(国有企业改革深化提升行动 over 国企改革), and each stretch of text counts once.
Offsets point into the section's own heading or body.
"""

from dataclasses import dataclass

IGNORED = set(" \t\r\n\u3000\"'“”‘’「」『』")


@dataclass(frozen=True)
class Match:
    field: str  # "heading" or "body"
    start: int
    end: int
    initiative_id: int


def fold(text: str) -> tuple[str, list[int]]:
    """Text without ignored characters, and for each kept character its index in the original."""
    kept, index = [], []
    for i, ch in enumerate(text):
        if ch not in IGNORED:
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


def build_patterns(initiatives) -> list[tuple[str, int]]:
    """(folded name, initiative id) pairs, longest first; initiatives is an iterable of objects
    with .pk and .names."""
    patterns = {}
    for initiative in initiatives:
        for name in initiative.names:
            folded, _ = fold(name)
            if len(folded) >= 2:
                patterns.setdefault(folded, initiative.pk)
    return sorted(patterns.items(), key=lambda item: (-len(item[0]), item[0]))


def find_mentions(text: str, field: str, patterns: list[tuple[str, int]]) -> list[Match]:
    folded, index = fold(text)
    taken = [False] * len(folded)
    matches = []
    for pattern, initiative_id in patterns:
        start = folded.find(pattern)
        while start != -1:
            end = start + len(pattern)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                matches.append(Match(field, index[start], index[end - 1] + 1, initiative_id))
            start = folded.find(pattern, start + 1)
    return sorted(matches, key=lambda m: (m.field != "heading", m.start))


def mentions_in_section(heading: str, body: str, patterns) -> dict[int, list[Match]]:
    found: dict[int, list[Match]] = {}
    for match in find_mentions(heading, "heading", patterns) + find_mentions(body, "body", patterns):
        found.setdefault(match.initiative_id, []).append(match)
    return found
