"""Keyword in context: every place an initiative is named, as a line of text around the name.

Built from the linker's offsets (Mention.offsets), so each line is a mention the initiative page
counts. The context stays inside the paragraph the name is in: a line that ran on into the next
paragraph would join two sentences the report keeps apart.
"""

from dataclasses import dataclass

CONTEXT_CHARS = 30


@dataclass
class KwicLine:
    before: str
    name: str
    after: str
    cut_before: bool  # the paragraph goes on before the context (shown as …)
    cut_after: bool
    in_heading: bool


@dataclass
class KwicGroup:
    article: object
    section: object
    lines: list[KwicLine]


def kwic_line(text: str, start: int, end: int, width: int = CONTEXT_CHARS, in_heading: bool = False) -> KwicLine:
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end == -1 else para_end
    left = max(para_start, start - width)
    right = min(para_end, end + width)
    return KwicLine(
        before=text[left:start],
        name=text[start:end],
        after=text[end:right],
        cut_before=left > para_start,
        cut_after=right < para_end,
        in_heading=in_heading,
    )


def kwic_groups(mentions, width: int = CONTEXT_CHARS) -> list[KwicGroup]:
    """One group per mention (a section), its lines in reading order. Mentions come with
    section and section.article selected."""
    groups = []
    for mention in mentions:
        section = mention.section
        lines = []
        for field_name, start, end in sorted(mention.offsets, key=lambda o: (o[0] != "heading", o[1])):
            text = section.heading if field_name == "heading" else section.body
            if 0 <= start < end <= len(text):
                lines.append(kwic_line(text, start, end, width, in_heading=field_name == "heading"))
        groups.append(KwicGroup(article=section.article, section=section, lines=lines))
    return groups
