"""The one linker: finds where named initiatives are mentioned in sections.

Names and aliases are matched on text with quotation marks and whitespace removed (archive.text.fold,
the rule the search index reads by too), so “五好”园区, "五好" 园区, 《五好》园区 and 五好园区 are one
mention. Longer names win where two overlap (国有企业改革深化提升行动 over 国企改革): reading
left to right, the longest name starting at a position wins, and each stretch of text counts
once.
Offsets point into the section's own heading or body.
"""

from dataclasses import dataclass

# Also read as archive.linking.fold (archive.ingest.candidates).
from archive.text import fold


@dataclass(frozen=True)
class Match:
    field: str  # "heading" or "body"
    start: int
    end: int
    initiative_id: int


def build_patterns(initiatives) -> dict[str, list[tuple[str, int]]]:
    """Folded names by first character, longest first: {first char: [(name, initiative id)]}.
    initiatives is an iterable of objects with .pk and .names."""
    patterns: dict[str, int] = {}
    for initiative in initiatives:
        for name in initiative.names:
            folded, _ = fold(name)
            if len(folded) >= 2:
                patterns.setdefault(folded, initiative.pk)
    by_first: dict[str, list[tuple[str, int]]] = {}
    for folded, pk in sorted(patterns.items(), key=lambda item: (-len(item[0]), item[0])):
        by_first.setdefault(folded[0], []).append((folded, pk))
    return by_first


def find_mentions(text: str, field: str, patterns: dict[str, list[tuple[str, int]]]) -> list[Match]:
    """Leftmost-longest: reading left to right, the longest name that starts at a position wins
    and the scan resumes after it."""
    folded, index = fold(text)
    matches = []
    i = 0
    while i < len(folded):
        for pattern, initiative_id in patterns.get(folded[i], ()):
            if folded.startswith(pattern, i):
                end = i + len(pattern)
                matches.append(Match(field, index[i], index[end - 1] + 1, initiative_id))
                i = end
                break
        else:
            i += 1
    return matches


def mentions_in_section(heading: str, body: str, patterns) -> dict[int, list[Match]]:
    found: dict[int, list[Match]] = {}
    for match in find_mentions(heading, "heading", patterns) + find_mentions(body, "body", patterns):
        found.setdefault(match.initiative_id, []).append(match)
    return found
