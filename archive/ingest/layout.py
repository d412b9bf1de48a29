"""Layout detection: what each line is (heading, byline, masthead, caption, page header, date,
document number…) and which broken lines make one paragraph."""

import re
from dataclasses import dataclass, field

from archive.ingest.bylines import (
    BRACKETED,
    LABEL,
    META_LABELS,
    PLACE_ENDING,
    TRAILING_BYLINE,
    is_name,
    looks_like_department,
    parse_byline,
)
from archive.ingest.dates import DATE_LINE, DATE_START, parse_date
from archive.ingest.decoding import RawLine
from archive.ingest.drafts import DraftAuthor
from archive.ingest.tidy import (
    BOLD,
    CJK,
    CLOSERS,
    CONTINUES_AFTER,
    FUNCTION_WORDS,
    SPACE,
    STARTS_CLOSED,
    display_width,
    ends_sentence,
    is_cjk,
    tidy_body,
    tidy_heading,
)
from archive.models import (
    Authorship,
)

_LEADIN = re.compile(f"([{CJK}（）()·]{{2,20}})\\s*[:：]")


_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［﹝【(（]\s*(?:19|20)\d{2}\s*[〕\]］﹞】)）]\s*\d{1,4}\s*号"
)


_MARKDOWN = re.compile(r"(#{1,6})\s*(.*)")


_NUMBERED = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}\s*[.．、]\s*(?=[\u4e00-\u9fff])|第[一二三四五六七八九十]{1,3}[部分章节条])"
)


_BRACKET_HEADING = re.compile(r"【[^】]{1,20}】")


_SUBTITLE = re.compile(r"(?:——|—|--|－－)\s*(?P<text>[^。！？!?]{2,80})")


_EDITOR = re.compile(r"[【\[]?\s*(?P<marker>编者按|编者的话|编后|写在前面)\s*[】\]]?\s*[:：]?\s*")


_CAPTION_CREDIT = re.compile(
    f"(?:^|[\\s（(/]|记者|通讯员)(?P<name>[{CJK}]{{2,4}})\\s*摄(?:影)?\\s*[)）]?$"
)


_CAPTION_MARKS = [
    re.compile(r"图片?由.{1,30}提供"),
    re.compile(r"供图\s*[)）]?$"),
    re.compile(r"^[（(]\s*图"),
    re.compile(r"[（(]\s*图[片为：:\s]"),
    re.compile(r"资料图片?\s*[)）]?$"),
]


_PAGE_HEADER = [
    re.compile(r"第\s*[0-9一二三四五六七八九十]{1,3}\s*版.*"),
    re.compile(r"[-—－–]\s*\d{1,3}\s*[-—－–]"),
    re.compile(r"\d{1,3}(?:\s*/\s*\d{1,3})?"),
    re.compile(r".{0,12}(?:日报|晚报|时报|商报)\s*.{0,30}"),
]


_PAGE_HEADER_WORDS = re.compile(r"责任编辑|版式设计|美编|校对|组版")


@dataclass
class LineKind:
    name: str  # blank, text, markdown, caption, pageheader, docnum, date, leadin, byline, department, meta
    level: int = 0
    text: str = ""
    authors: list[DraftAuthor] = field(default_factory=list)
    department: str = ""
    bracketed: bool = False
    why: str = ""


def classify_line(text: str) -> LineKind:
    """What one line is on its own; lines that need their neighbours to decide are "text"."""
    s = text.strip()
    if not s:
        return LineKind("blank")
    md = _MARKDOWN.fullmatch(s)
    if md:
        return LineKind("markdown", level=len(md.group(1)), text=md.group(2).strip())
    if len(s) <= 120 and (_CAPTION_CREDIT.search(s) or any(p.search(s) for p in _CAPTION_MARKS)):
        credit = _CAPTION_CREDIT.search(s)
        authors = []
        if credit and is_name(credit.group("name")):
            authors = [DraftAuthor(credit.group("name"), Authorship.Role.PHOTOGRAPHER)]
        return LineKind("caption", text=s, authors=authors)
    if len(s) <= 40 and (any(p.fullmatch(s) for p in _PAGE_HEADER) or _PAGE_HEADER_WORDS.search(s)):
        return LineKind("pageheader", text=s)
    if _DOC_NUMBER.fullmatch(s):
        return LineKind("docnum", text=re.sub(SPACE, "", s))
    if DATE_LINE.fullmatch(s) and parse_date(s):
        return LineKind("date", text=s)
    leadin = _LEADIN.fullmatch(s)
    if leadin and (looks_like_department(leadin.group(1)) or PLACE_ENDING.search(leadin.group(1))):
        return LineKind("leadin", text=s, department=leadin.group(1))
    label = LABEL.fullmatch(s)
    if label and re.sub(SPACE, "", label.group(1)) in META_LABELS:
        return LineKind("meta", text=s)
    authors = parse_byline(s)
    if authors:
        return LineKind("byline", text=s, authors=authors, bracketed=bool(BRACKETED.fullmatch(s)))
    bracketed = BRACKETED.fullmatch(s)
    if bracketed and looks_like_department(re.sub(SPACE, "", bracketed.group(1))):
        return LineKind("byline", text=s, department=re.sub(SPACE, "", bracketed.group(1)), bracketed=True)
    plain = re.sub(SPACE, "", s)
    if plain.endswith("文件") and looks_like_department(plain[:-2]):
        return LineKind("department", text=s, department=plain[:-2], why="发文机关版头")
    if looks_like_department(plain):
        return LineKind("department", text=s, department=plain, why="单位署名")
    return LineKind("text", text=s)


@dataclass
class Unit:
    kind: str  # para, heading, subtitle, kicker, editor, byline, leadin, department, docnum, date, caption, pageheader, meta
    text: str
    lines: list[int]
    level: int = 0  # markdown '#' count for headings
    numbered: bool = False
    authors: list[DraftAuthor] = field(default_factory=list)
    department: str = ""
    bracketed: bool = False
    title_block: bool = False
    orphan: bool = False
    marker: str = ""
    joins: list[tuple[int, int, str]] = field(default_factory=list)
    spaces: int = 0
    bold: int = 0
    why: str = ""
    seq: int = 0


@dataclass
class Layout:
    markdown: bool  # headings are marked with '#': unmarked lines are never headings
    wrapped: bool  # hard-wrapped at a fixed column width: most text lines have a text neighbour
    full: set[int]  # line numbers that fill their column


def _layout(lines: list[RawLine], kinds: list[LineKind]) -> Layout:
    text_idx = [i for i, k in enumerate(kinds) if k.name == "text"]
    markdown = sum(1 for k in kinds if k.name == "markdown") >= 2
    adjacent = [i for i in text_idx if i + 1 < len(kinds) and kinds[i + 1].name == "text"]
    wrapped = len(text_idx) >= 10 and len(adjacent) >= 0.3 * len(text_idx)
    full = set()
    if wrapped:
        # A line followed directly by more text of its paragraph fills the column; the median of
        # those nearby is the column width (neighbouring articles may be set in other widths).
        widths = {i: display_width(lines[i].stripped) for i in adjacent if lines[i].stripped.count(" ") <= 2}
        for i in text_idx:
            near = sorted(w for j, w in widths.items() if abs(j - i) <= 10)
            if near and display_width(lines[i].stripped) >= 0.85 * near[len(near) // 2]:
                full.add(lines[i].number)
    return Layout(markdown, wrapped, full)


def _mark_captions(lines: list[RawLine], kinds: list[LineKind]):
    """Captions the line alone cannot show: a short line next to a credit line (株洲神农城 before
    易跃跃 摄), and a short sentence standing alone after two or more blank lines."""

    def neighbour(i, step):
        j = i + step
        while 0 <= j < len(kinds) and kinds[j].name == "blank":
            j += step
        return j if 0 <= j < len(kinds) else None

    def standalone(i):
        return (i == 0 or kinds[i - 1].name == "blank") and (i + 1 == len(kinds) or kinds[i + 1].name == "blank")

    for i, kind in enumerate(kinds):
        if kind.name == "caption" and (j := neighbour(i, -1)) is not None:
            s = lines[j].stripped
            if kinds[j].name == "text" and standalone(j) and len(s) <= 40 and not _NUMBERED.match(s) and s[-1] not in "，、,：:":
                kinds[j] = LineKind("caption", text=s, why="图片说明旁的短行，判为图片说明")
    for i, kind in enumerate(kinds):
        if kind.name != "text" or not standalone(i):
            continue
        blanks_before = 0
        j = i - 1
        while j >= 0 and kinds[j].name == "blank":
            blanks_before, j = blanks_before + 1, j - 1
        s = lines[i].stripped
        if j >= 0 and blanks_before >= 2 and len(s) <= 50 and s.endswith("。") and not _NUMBERED.match(s):
            kinds[i] = LineKind("caption", text=s, why="前有多个空行的孤立短句，判为图片说明")


def _splits_word(left: str, right: str) -> bool:
    """Whether the break between two lines falls inside a word (打造国/家重要 → 国家)."""
    left, right = re.sub(r"\s", "", left)[-6:], re.sub(r"\s", "", right)[:6]
    if not (left and right and is_cjk(left[-1]) and is_cjk(right[0])):
        return False
    from search.api import tokenizer  # the one jieba wrapper

    position = 0
    for word in tokenizer().cut(left + right):
        if position < len(left) < position + len(word):
            return True
        position += len(word)
    return False


def heading_like(text: str, line_count: int = 1) -> bool:
    """Short, no sentence punctuation inside, not stopping on a comma: a heading or a title."""
    t = text.strip()
    if not t or t[-1] in "，、,；;：:" or any(ch in t for ch in "。！？!?"):
        return False
    if _NUMBERED.match(t):
        return len(t) <= 60 and line_count <= 3
    if _BRACKET_HEADING.fullmatch(t):
        return True
    return len(t) <= 40 and line_count <= 2


@dataclass
class _Paragraph:
    lines: list[RawLine]
    joins: list[tuple[int, int, str]] = field(default_factory=list)
    subtitle: bool = False  # a ——… line right under a heading: complete as it is

    @property
    def text(self) -> str:
        out = ""
        for line in self.lines:
            s = line.stripped
            out += (" " if out and out[-1].isascii() and out[-1].isalpha() and s[:1].isascii() and s[:1].isalpha() else "") + s
        return out


def _join_reason(paragraph: _Paragraph, line: RawLine, blank_between: bool, layout: Layout) -> str | None:
    """Why the next text line continues the paragraph, or None when it starts a new one."""
    text, last, nxt = paragraph.text, paragraph.lines[-1], line.stripped
    if ends_sentence(text, wrapped=layout.wrapped) or paragraph.subtitle:
        return None
    if nxt[0] in STARTS_CLOSED or text[-1] in CONTINUES_AFTER:
        return "punctuation"
    if _SUBTITLE.fullmatch(nxt) or _EDITOR.match(nxt):
        return None
    if _NUMBERED.match(nxt) and heading_like(text, len(paragraph.lines)):
        return None  # 一、… under a heading starts an item; mid-paragraph it can be 一、二类乡镇
    if DATE_START.match(nxt):
        return None
    if text[-1] in FUNCTION_WORDS:
        return "function word"
    if (text[-1].isdigit() or text[-1] in "年月") and nxt[0].isdigit():
        return "number"
    if text[-1].isdigit() and nxt[0] in "万亿千百个位年月日%":
        return "number"
    if _splits_word(last.stripped, nxt):
        return "word"
    if layout.markdown:
        return "markdown"
    heading = heading_like(text, len(paragraph.lines))
    if layout.wrapped and last.number in layout.full and not (heading and _NUMBERED.match(text)):
        return "column"
    if heading:
        return None
    return "long line"


def _paragraph_units(paragraph: _Paragraph, layout: Layout) -> list[Unit]:
    numbers = [line.number for line in paragraph.lines]
    text, bold = BOLD.subn(r"\1", paragraph.text)
    base = dict(lines=numbers, joins=paragraph.joins, bold=bold)
    editor = _EDITOR.match(text)
    if editor:
        body, spaces = tidy_body(text[editor.end() :])
        return [Unit("editor", body, marker=editor.group("marker"), spaces=spaces, **base)]
    subtitle = _SUBTITLE.fullmatch(text)
    if subtitle:
        clean, spaces = tidy_heading(subtitle.group("text"))
        return [Unit("subtitle", clean, spaces=spaces, **base)]
    numbered = bool(_NUMBERED.match(text))
    if heading_like(text, len(numbers)) and not ends_sentence(text.rstrip(CLOSERS)) and (not layout.markdown or numbered):
        clean, spaces = tidy_heading(text)
        return [Unit("heading", clean, numbered=numbered, spaces=spaces, **base)]
    if numbered and "。" in text:
        head, _, rest = text.partition("。")
        if len(head) < 60 and rest.strip():
            heading, spaces = tidy_heading(head + "。")
            units = [Unit("heading", heading, numbered=True, spaces=spaces, **base)]
            return units + _body_units(rest, dict(base, joins=[], bold=0))
    return _body_units(text, base)


def _body_units(text: str, base: dict) -> list[Unit]:
    """A paragraph, and the byline printed at its end if there is one: ……澎湃动力。 (郭淑珍)."""
    trailing = TRAILING_BYLINE.match(text.strip())
    if trailing:
        inner = re.sub(SPACE, "", trailing.group("byline")[1:-1])
        authors = parse_byline(trailing.group("byline"))
        department = inner if not authors and looks_like_department(inner) else ""
        if authors or department:
            body, spaces = tidy_body(trailing.group("body"))
            return [
                Unit("para", body, spaces=spaces, **base),
                Unit("byline", trailing.group("byline"), lines=base["lines"][-1:], authors=authors or [],
                     department=department, bracketed=True),
            ]
    body, spaces = tidy_body(text)
    return [Unit("para", body, spaces=spaces, **base)]


def _line_unit(line: RawLine, kind: LineKind) -> Unit:
    common = dict(lines=[line.number], authors=kind.authors, department=kind.department, bracketed=kind.bracketed, why=kind.why)
    if kind.name == "markdown":
        subtitle = _SUBTITLE.fullmatch(kind.text)
        text, spaces = tidy_heading(subtitle.group("text") if subtitle else kind.text)
        return Unit("subtitle" if subtitle else "heading", text, level=kind.level, spaces=spaces, **common)
    if kind.name == "caption":
        text, spaces = tidy_body(kind.text)
        if re.search(f"[{CJK}]{SPACE}摄", kind.text):
            text, spaces = re.sub(f"(?<=[{CJK}])摄", " 摄", text), spaces - 1  # 易跃跃 摄: the credit keeps its space
        return Unit("caption", text, spaces=spaces, **common)
    return Unit(kind.name, kind.text, **common)


def clean_lines(lines: list[RawLine]) -> list[Unit]:
    """The lines as units in file order: paragraphs re-joined where a line was broken, spurious
    spaces removed, and every other line classified (heading, byline, caption, …)."""
    kinds = [classify_line(line.text) for line in lines]
    _mark_captions(lines, kinds)
    layout = _layout(lines, kinds)
    units: list[Unit] = []
    paragraph: _Paragraph | None = None
    blank_between = False

    def close():
        nonlocal paragraph
        if paragraph is not None:
            units.extend(_paragraph_units(paragraph, layout))
        paragraph = None

    for line, kind in zip(lines, kinds):
        if kind.name == "blank":
            blank_between = paragraph is not None
            continue
        if kind.name != "text":
            if kind.name in ("caption", "pageheader") and paragraph is not None:
                units.append(_line_unit(line, kind))  # a paragraph may go on after a caption
                blank_between = True
                continue
            close()
            units.append(_line_unit(line, kind))
            continue
        if paragraph is not None:
            reason = _join_reason(paragraph, line, blank_between, layout)
            if reason:
                # Joins across a blank line are listed in the editorial note; a join on no
                # evidence but a long line without final punctuation also goes to "uncertain".
                noted = reason if blank_between or reason == "long line" else ""
                paragraph.joins.append((paragraph.lines[-1].number, line.number, noted))
                paragraph.lines.append(line)
                blank_between = False
                continue
            close()
        paragraph = _Paragraph([line])
        paragraph.subtitle = bool(_SUBTITLE.fullmatch(line.stripped)) and bool(units) and units[-1].kind == "heading"
        blank_between = False
    close()
    for seq, unit in enumerate(units):
        unit.seq = seq
    units.sort(key=lambda u: (u.lines[0], u.seq))
    return units
