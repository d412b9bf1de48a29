"""How an article's text is shown: sections with heading levels, the initiatives they name
linked to their pages, and (when the reader came from a search) the searched terms marked.

Links come from the linker's own offsets (Mention.offsets), so what is linked is exactly what
the initiative pages count. Search marks come from search.engine.highlight, the search app's
public marking function, so the article marks what the result list marked (same
normalisation: traditional characters, full-width letters, quotes inside names)."""

import html
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.api import highlight

TOP_NUMBERED = re.compile(r"^[一二三四五六七八九十百]+、")
SUB_NUMBERED = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
# A heading that carries its own number (一、 （一） (1) 1. 1、 ①  第一章…): the table of contents
# shows that number and adds none of its own. "2019年…" is a year, not a number: a number needs its mark.
OWN_NUMBER = re.compile(
    r"^\s*(?:[一二三四五六七八九十百零〇]+[、．.]"
    r"|[（(][一二三四五六七八九十百零〇\d]+[）)]"
    r"|\d+(?:[.．]\d+)*(?:[、．)）]|\.(?!\d))|\d+(?:[.．]\d+)+\s"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节部分篇编条])"
)
MAX_NEEDLES = 8
MAX_NEEDLE_CHARS = 40


@dataclass
class SectionView:
    section: object
    level: int  # 2 or 3: （一） under 一、 is a sub-heading
    heading_html: SafeString
    paragraphs: list[SafeString]
    initiatives: list  # the initiatives named in the section, each once, in name order
    marks: int = 0
    children: list = field(default_factory=list)  # for the table of contents

    @property
    def anchor(self) -> str:
        return self.section.anchor

    @property
    def own_number(self) -> bool:
        """The heading is numbered by its author (the table of contents then numbers it not again)."""
        return bool(OWN_NUMBER.match(self.section.heading or ""))


def needles_from(value: str | None) -> list[str]:
    """The terms in an `hl` parameter (space-separated, as search results write it), bounded."""
    words = [w for w in (value or "").split() if w.strip()]
    return [w[:MAX_NEEDLE_CHARS] for w in dict.fromkeys(words)][:MAX_NEEDLES]


def section_views(sections, needles: list[str]) -> list[SectionView]:
    """Sections (with mentions and their initiatives prefetched) ready for the template."""
    views = []
    seen_top = False
    for section in sections:
        heading = section.heading
        level = 3 if seen_top and SUB_NUMBERED.match(heading) else 2
        seen_top = seen_top or bool(TOP_NUMBERED.match(heading))
        mentions = list(section.mentions.all())
        links = _first_links(mentions, "body")
        heading_marks = mark_spans(heading, needles)
        body_marks = mark_spans(section.body, needles)
        views.append(
            SectionView(
                section=section,
                level=level,
                heading_html=render_lines(heading, [], heading_marks)[0] if heading else mark_safe(""),
                paragraphs=render_lines(section.body, links, body_marks),
                initiatives=sorted({m.initiative for m in mentions}, key=lambda i: i.name),
                marks=len(heading_marks) + len(body_marks),
            )
        )
    return views


def toc(views: list[SectionView]) -> list[SectionView]:
    """Headed sections as a two-level tree: sub-headings under the heading before them."""
    tree: list[SectionView] = []
    for view in views:
        view.children = []
        if not view.section.heading:
            continue
        if view.level == 3 and tree:
            tree[-1].children.append(view)
        else:
            tree.append(view)
    return tree


def _first_links(mentions, field_name: str) -> list[tuple[int, int, str, str]]:
    """The first place each initiative is named in the field, as (start, end, url, name): a name
    is linked once per section, as a reference work links a term once, not at every repeat."""
    links = []
    for mention in mentions:
        spots = sorted((a, b) for f, a, b in mention.offsets if f == field_name)
        if spots:
            start, end = spots[0]
            links.append((start, end, mention.initiative.get_absolute_url(), mention.initiative.name))
    return sorted(links)


def mark_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where search.engine.highlight marks the needles in text, as (start, end) offsets.
    Read back from its HTML (escaped text and <mark> tags) so that only its public interface is
    relied on; if the text read back is not the text given, nothing is marked."""
    if not text or not needles:
        return []
    spans, pos, start = [], 0, 0
    for part in re.split(r"(</?mark>)", str(highlight(text, needles))):
        if part == "<mark>":
            start = pos
        elif part == "</mark>":
            spans.append((start, pos))
        else:
            pos += len(html.unescape(part))
    return spans if pos == len(text) else []


def render_lines(text: str, links, marks) -> list[SafeString]:
    """Each non-blank line of text as escaped HTML, with <a> around linked spans and <mark>
    around marked ones (a mark may cross a link's edge: the runs are split where either
    changes, so the tags always nest)."""
    if not text:
        return []
    link_at = [None] * len(text)
    for index, (start, end, url, name) in enumerate(links):
        for i in range(max(0, start), min(end, len(text))):
            link_at[i] = index
    marked = [False] * len(text)
    for start, end in marks:
        for i in range(max(0, start), min(end, len(text))):
            marked[i] = True
    out = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            out.append(_render_runs(line, offset, link_at, marked, links))
        offset += len(line) + 1
    return out


def _render_runs(line, offset, link_at, marked, links) -> SafeString:
    runs = []  # (link index or None, marked, text)
    for i, ch in enumerate(line):
        key = (link_at[offset + i], marked[offset + i])
        if runs and runs[-1][:2] == key:
            runs[-1] = (*key, runs[-1][2] + ch)
        else:
            runs.append((*key, ch))
    parts = []
    current_link = None
    for link, is_marked, chunk in runs:
        if link != current_link:
            if current_link is not None:
                parts.append("</a>")
            if link is not None:
                _, _, url, name = links[link]
                parts.append(f'<a class="initiative-link" href="{escape(url)}" title="改革举措：{escape(name)}">')
            current_link = link
        piece = escape(chunk)
        parts.append(f"<mark>{piece}</mark>" if is_marked else piece)
    if current_link is not None:
        parts.append("</a>")
    return mark_safe("".join(parts))
