"""Snippets and marks, built in Python on the original text: escaped first, then marked, so a
report or a query containing markup can never inject it."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.text import fold
from search.matching import term_words
from search.normalize import normalize
from search.query import PlainText

SNIPPET_CHARS = 120


def mark_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where the needles occur in text (normalised alike, spaces and quotation marks ignored as
    the character channel ignores them: archive.text.fold), merged, left to right."""
    haystack, index = fold(normalize(text))
    spans = []
    for needle in needles:
        needle, _ = fold(needle)
        if not needle:
            continue
        start = haystack.find(needle)
        while start != -1:
            spans.append((index[start], index[start + len(needle) - 1] + 1))
            start = haystack.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, needles: list[str]) -> str:
    """The whole text, escaped, with every match marked."""
    return mark_safe(_render(text, mark_spans(text, needles), 0, len(text)))


def snippet(text: str, needles: list[str], width: int = SNIPPET_CHARS) -> str:
    text = text.replace("\n", " ")
    spans = mark_spans(text, needles)
    if not spans:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))
    # the window that holds the most marks, starting a little before the first of them
    best_start, best_count = 0, -1
    for a, _ in spans:
        start = max(0, a - width // 4)
        count = sum(1 for x, y in spans if x >= start and y <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    # start at the beginning of the sentence or clause when one begins a little before
    first = next(a for a, _ in spans if a >= best_start)
    boundary = max(text.rfind(mark, max(0, first - width // 2), first) for mark in "。！？；")
    if boundary != -1 and boundary + 1 <= first:
        best_start = boundary + 1
        while best_start < first and text[best_start].isspace():
            best_start += 1
    end = min(len(text), best_start + width)
    html = _render(text, spans, best_start, end)
    return mark_safe(("…" if best_start > 0 else "") + html + ("…" if end < len(text) else ""))


def _render(text, spans, start, end) -> str:
    out, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)


def needles_for(terms, by_words: bool = False) -> list[str]:
    """What to mark: each term as typed; its words too when the results were found by words."""
    needles = []
    for term in terms:
        needles.append(term.text)
        if by_words and isinstance(term, PlainText):
            needles.extend(term_words(term.text))
    return list(dict.fromkeys(n for n in needles if n.strip()))




# What is printed once per report, in the order a match there is shown when the text has none.
PRINTED_LABELS = (
    ("subtitle", "副标题"), ("author", "署名"), ("caption", "图片说明"), ("docno", "文号"), ("dept", "相关单位"),
    ("series", "专栏"), ("source", "出处"), ("dept_names", "相关单位"), ("initiatives", "改革举措"),
)


def printed_snippets(article_ids, needles: list[str]) -> dict[int, str]:
    """For reports found by their printed texts rather than their sections' (search.documents),
    the first printed text that has a match, labelled and marked: 图片说明：<mark>…</mark>。"""
    from search.documents import printed_parts

    out = {}
    for aid, parts in printed_parts(article_ids).items():
        for field, label in PRINTED_LABELS:
            shown = next((s for s in (snippet(text, needles) for text in parts[field] if text) if "<mark>" in s), None)
            if shown:
                out[aid] = mark_safe(f"{label}：{shown}")
                break
    return out
