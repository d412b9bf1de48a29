"""PDF: the text layer with pdfplumber, page by page; pages without one are OCRed (see ocr.py).

pdfplumber (on pdfminer.six) gives every word with its position and font size, which is what
reading order needs; it also renders a page (through pypdfium2) for OCR, so no poppler is needed.

Per page:
- Running headers and footers are dropped: a line at the top or bottom of a page (first or last
  two rows) whose text, digits aside, repeats in that place on at least half the pages; and bare
  page numbers there ("- 3 -", "第3页", "3/12", "3").
- Columns: a vertical gutter — an x-range no word crosses through most of the page's text height,
  with real text lines on both sides — splits the page; full-width lines crossing it (a headline
  over both columns) split it into bands. Each band is read left column top to bottom, then the
  right one, and columns are looked for again inside each side (three-column pages).
- Lines are rebuilt from words; a blank line is put where a paragraph evidently ends (a short
  line in justified text, or a wide vertical gap). Lines set much larger than the body text are
  marked as title (≥ 1.4×) or heading1 (≥ 1.15×) when short.
- A page whose text layer is missing (a scan) or undecodable (glyph ids, "(cid:12)") is rendered
  at 200 dpi and OCRed, when OCR is on.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter

from . import ocr as ocr_module
from .base import Extracted, Limits, Line, fail, package_version, tidy_blank_lines

OCR_DPI = 200

_PAGE_NUMBER = [
    re.compile(r"^[-—–－~·\s]*\d{1,4}[-—–－~·\s]*$"),
    re.compile(r"^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.I),
]
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def engine() -> str:
    import pdfplumber

    return f"pdfplumber {package_version(pdfplumber)}".strip()


def available() -> tuple[bool, str]:
    try:
        import pdfplumber  # noqa: F401
    except ImportError:
        return False, "需要安装 Python 软件包 pdfplumber（pip install pdfplumber）"
    return True, ""


def is_page_number(text: str) -> bool:
    text = text.strip()
    return any(p.match(text) for p in _PAGE_NUMBER)


def _cause_names(exc: BaseException) -> str:
    names = []
    seen = 0
    while exc is not None and seen < 6:
        names.append(type(exc).__name__ + " " + str(exc))
        exc = exc.__cause__ or exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None)
        seen += 1
    return " ".join(names)


def _encrypted_error(name: str):
    return fail(name, "文件已加密，无法读取文字", "请去掉密码保护（在 PDF 阅读器中另存或打印为不加密的 PDF）后重新导入")


def _corrupt_error(name: str, detail: str = ""):
    extra = f"（详情：{detail[:100]}）" if detail else ""
    return fail(name, f"文件已损坏，或不是 PDF{extra}", "请用 PDF 阅读器打开确认，另存一份后重新导入")


def read(data: bytes, name: str, *, ocr: bool = True, limits: Limits | None = None, **_) -> Extracted:
    limits = limits or Limits()
    ok, missing = available()
    if not ok:
        raise fail(name, "服务器无法读取 PDF", missing)
    if not data.strip():
        raise fail(name, "文件是空的", "请检查是否选错了文件")
    if b"%PDF" not in data[:1024]:
        raise _corrupt_error(name)

    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        page_objects = list(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for broken or locked files
        causes = _cause_names(exc)
        if "Password" in causes or "Encrypt" in causes or "encrypt" in causes:
            raise _encrypted_error(name) from exc
        raise _corrupt_error(name, str(exc)) from exc

    with pdf:
        if not page_objects:
            raise fail(name, "PDF 里没有页面", "请检查文件是否完整")
        try:
            hints = _hints(pdf.metadata or {})
        except Exception:  # noqa: BLE001
            hints = {}
        pages: list[_Page] = []
        for number, page in enumerate(page_objects, 1):
            try:
                pages.append(_Page.read(number, page))
            except Exception as exc:  # noqa: BLE001
                causes = _cause_names(exc)
                if "Password" in causes or "Encrypt" in causes:
                    raise _encrypted_error(name) from exc
                raise fail(name, f"第{number}页已损坏，无法读取（{str(exc)[:80]}）", "请用 PDF 阅读器打开确认，另存一份后重新导入") from exc

        need_ocr = [p for p in pages if p.needs_ocr]
        if need_ocr and not ocr:
            numbers = "、".join(str(p.number) for p in need_ocr[:10]) + ("等" if len(need_ocr) > 10 else "")
            raise fail(
                name,
                f"第{numbers}页没有可用的文字层（是扫描图像），读取它们需要文字识别（OCR），而文字识别已关闭",
                "请开启文字识别后重新导入",
            )
        if need_ocr:
            ocr_module.require(name, "这份 PDF 含扫描页，")

        running = _drop_running_lines(pages)
        body_size = _body_size(pages)

        lines: list[Line] = []
        warnings: list[str] = []
        ocr_pages: list[int] = []
        for page in pages:
            if page.needs_ocr:
                try:
                    image = page_objects[page.number - 1].to_image(resolution=OCR_DPI).original.convert("L")
                except Exception as exc:  # noqa: BLE001 - pdfium refuses some broken pages
                    raise fail(name, f"第{page.number}页无法渲染成图像以进行文字识别（{str(exc)[:80]}）", "请用 PDF 阅读器打开确认，另存一份后重新导入") from exc
                text = ocr_module.recognise(image, name, dpi=OCR_DPI, limits=limits, where=f"第{page.number}页")
                why = "文字层无法解码" if page.undecodable else "无文字层"
                if ocr_module.has_text(text):
                    page_lines = _drop_running_ocr_lines(ocr_module.text_lines(text, page.number), running)
                    ocr_pages.append(page.number)
                    warnings.append(f"第{page.number}页{why}，已用 Tesseract 识别，可能有错字，请对照原件核对。")
                else:
                    page_lines = []
                    warnings.append(f"第{page.number}页{why}，用 Tesseract 也没有识别出文字。")
            else:
                page_lines = page.lines(body_size)
            # No blank line at a page break: a paragraph may run on to the next page.
            lines.extend(page_lines)

    lines = tidy_blank_lines(lines)
    if not any(line.text.strip() for line in lines):
        if any(p.empty for p in pages) and not need_ocr:
            raise fail(name, "PDF 里没有文字", "请检查文件是否完整")
        raise fail(name, "PDF 里没有读出文字", "如是扫描件，请确认扫描清晰（建议 200–300 dpi）后重新导入")

    text_pages = [p.number for p in pages if not p.needs_ocr and not p.empty]
    if ocr_pages and not text_pages:
        fmt, eng = "scan", ocr_module.engine()
    elif ocr_pages:
        fmt, eng = "pdf", f"{engine()} + {ocr_module.engine()}"
    else:
        fmt, eng = "pdf", engine()
    return Extracted(
        name=name,
        format=fmt,
        engine=eng,
        lines=lines,
        data=data,
        ocr=bool(ocr_pages),
        ocr_pages=ocr_pages,
        hints=hints,
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------------
# Metadata

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?")


def _pdf_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        for codec in ("utf-8", "gb18030", "latin-1"):
            try:
                return value.decode(codec)
            except UnicodeDecodeError:
                continue
    return str(getattr(value, "name", value))


def pdf_date(value: str) -> str:
    """"D:20241105083000+08'00'" → "2024-11-05T08:30:00+08:00" (as precise as it was given)."""
    match = _PDF_DATE.search(value)
    if not match:
        return value.strip()
    y, mo, d, h, mi, s, tz = match.groups()
    out = y
    if mo:
        out += f"-{mo}"
    if d:
        out += f"-{d}"
    if h:
        out += f"T{h}:{mi or '00'}:{s or '00'}"
        if tz:
            out += "Z" if tz in "Zz" else tz.replace("'", "")[:3] + ":" + tz.replace("'", "")[3:5]
    return out


def _hints(metadata: dict) -> dict:
    hints = {}
    title = _pdf_text(metadata.get("Title")).strip()
    author = _pdf_text(metadata.get("Author")).strip()
    created = _pdf_text(metadata.get("CreationDate")).strip()
    if title and title.lower() not in {"untitled", "无标题"}:
        hints["title"] = title
    if author:
        hints["author"] = author
    if created:
        hints["date"] = pdf_date(created)
    return hints


# ---------------------------------------------------------------------------------------------
# Pages, words, rows


class _Word:
    __slots__ = ("text", "x0", "x1", "top", "bottom", "size")

    def __init__(self, w: dict):
        self.text = w["text"].strip()
        self.x0, self.x1 = float(w["x0"]), float(w["x1"])
        self.top, self.bottom = float(w["top"]), float(w["bottom"])
        self.size = float(w.get("size") or (self.bottom - self.top) or 10)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


class _Row:
    def __init__(self, words: list[_Word]):
        self.words = sorted(words, key=lambda w: w.x0)
        self.top = min(w.top for w in words)
        self.bottom = max(w.bottom for w in words)
        self.x0 = min(w.x0 for w in words)
        self.x1 = max(w.x1 for w in words)

    @property
    def size(self) -> float:
        counts = Counter()
        for w in self.words:
            counts[round(w.size, 1)] += len(w.text)
        return counts.most_common(1)[0][0]

    @property
    def text(self) -> str:
        out = []
        previous = None
        for w in self.words:
            if previous is not None:
                gap = w.x0 - previous.x1
                # A space the text layer has is inside a word; a gap between words reads as one
                # only when wide (not the autospace set between Chinese and Latin letters).
                if gap > 0.5 * min(w.size, previous.size):
                    out.append(" ")
            out.append(w.text)
            previous = w
        return "".join(out)


def group_rows(words: list[_Word]) -> list[_Row]:
    """Words → visual lines, top to bottom: a word joins a line its vertical middle falls inside."""
    rows: list[list[_Word]] = []
    bounds: list[list[float]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = bounds[i]
            if top - 0.5 <= w.middle <= bottom + 0.5 and abs(w.top - top) < 0.6 * max(w.size, 1):
                rows[i].append(w)
                bounds[i] = [min(top, w.top), max(bottom, w.bottom)]
                break
        else:
            rows.append([w])
            bounds.append([w.top, w.bottom])
    out = [_Row(r) for r in rows]
    out.sort(key=lambda r: (r.top, r.x0))
    return out


class _Page:
    def __init__(self, number: int):
        self.number = number
        self.words: list[_Word] = []
        self.rows: list[_Row] = []  # all words as rows across the page (for headers and footers)
        self.dropped: set[int] = set()  # ids of words in running headers, footers, page numbers
        self.needs_ocr = False
        self.undecodable = False
        self.empty = False
        self.width = 0.0
        self.height = 0.0

    @classmethod
    def read(cls, number: int, page) -> "_Page":
        self = cls(number)
        self.width, self.height = float(page.width), float(page.height)
        page = page.dedupe_chars()
        chars = [c for c in page.chars if c.get("text", "").strip()]
        cid = sum(1 for c in chars if c["text"].startswith("(cid:"))
        if len(chars) < 5 or cid > 0.3 * len(chars):
            self.undecodable = bool(chars) and cid > 0.3 * len(chars)
            has_marks = bool(page.images or page.rects or page.curves or page.lines or chars)
            self.needs_ocr = has_marks
            self.empty = not has_marks
            return self
        words = page.extract_words(x_tolerance=2, y_tolerance=2, keep_blank_chars=True, extra_attrs=["size"])
        self.words = [_Word(w) for w in words if w["text"].strip() and not w["text"].startswith("(cid:")]
        self.rows = group_rows(self.words)
        return self

    def edge_rows(self) -> list[tuple[str, _Row]]:
        """The first two and last two rows, each with its place ("top"/"bottom")."""
        out = []
        for row in self.rows[:2]:
            out.append(("top", row))
        for row in self.rows[-2:]:
            if row not in self.rows[:2]:
                out.append(("bottom", row))
        return out

    def lines(self, body_size: float) -> list[Line]:
        words = [w for w in self.words if id(w) not in self.dropped]
        if not words:
            return []
        return _page_lines(reading_order(words), self.number, body_size)


def _normalise(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_ocr_lines(lines: list[Line], running: set[str]) -> list[Line]:
    """An OCRed page without the running header and footer the text pages have, and without a
    bare page number at its top or bottom."""
    lines = list(lines)
    for end in (0, -1):
        for _ in range(2):
            body = [i for i, line in enumerate(lines) if line.text.strip()]
            if not body:
                break
            i = body[end]
            text = lines[i].text
            if _normalise(text) in running or is_page_number(text):
                del lines[i]
            else:
                break
    return tidy_blank_lines(lines)


def _drop_running_lines(pages: list[_Page]) -> set[str]:
    """Mark running headers, footers and page numbers as dropped; return the running texts
    (normalised), for OCRed pages to drop too."""
    text_pages = [p for p in pages if p.rows]
    n = len(text_pages)
    counts: Counter = Counter()
    for page in text_pages:
        seen = set()
        for place, row in page.edge_rows():
            key = (place, _normalise(row.text))
            if key not in seen:
                counts[key] += 1
                seen.add(key)
    found: set[str] = set()

    def running(place, row) -> bool:
        key = (place, _normalise(row.text))
        repeated = n >= 2 and counts[key] >= 2 and counts[key] >= 0.5 * n and len(key[1]) <= 80
        return repeated or is_page_number(row.text)

    for page in text_pages:
        if len(page.rows) < 2:
            continue
        # From each edge inwards, at most two rows, and the inner one only when the outer one went.
        for place, candidates in (("top", page.rows[:2]), ("bottom", page.rows[::-1][:2])):
            for row in candidates:
                if not running(place, row):
                    break
                page.dropped.update(id(w) for w in row.words)
                if not is_page_number(row.text):
                    found.add(_normalise(row.text))
    return found


def _body_size(pages: list[_Page]) -> float:
    counts: Counter = Counter()
    for page in pages:
        for w in page.words:
            counts[round(w.size, 1)] += len(w.text)
    return counts.most_common(1)[0][0] if counts else 10.0


# ---------------------------------------------------------------------------------------------
# Reading order


def find_gutter(words: list[_Word]) -> tuple[float, float] | None:
    """An x-range (x0, x1) between two columns of text, or None for a single column."""
    if len(words) < 6:
        return None
    left = min(w.x0 for w in words)
    right = max(w.x1 for w in words)
    top = min(w.top for w in words)
    bottom = max(w.bottom for w in words)
    width, height = right - left, bottom - top
    if width < 120 or height < 40:
        return None
    cells = int(math.ceil(width)) + 1
    cover = [0.0] * cells
    for w in words:
        a = max(0, int(math.floor(w.x0 - left)))
        b = min(cells - 1, int(math.ceil(w.x1 - left)))
        h = w.bottom - w.top
        for x in range(a, b + 1):
            cover[x] += h
    lo, hi = int(0.15 * width), int(0.85 * width)
    threshold = 0.25 * height  # a gutter: words cross it over at most a quarter of the text's height
    sizes = sorted(w.size for w in words)
    min_gap = max(6.0, 0.8 * sizes[len(sizes) // 2])
    best = None
    x = lo
    while x <= hi:
        if cover[x] <= threshold:
            start = x
            while x <= hi and cover[x] <= threshold:
                x += 1
            run = (start, x - 1)
            if run[1] - run[0] + 1 >= min_gap and (best is None or run[1] - run[0] > best[1] - best[0]):
                best = run
        x += 1
    if best is None:
        return None
    g0, g1 = best[0] + left, best[1] + left
    middle = (g0 + g1) / 2
    left_words = [w for w in words if w.x1 <= middle]
    right_words = [w for w in words if w.x0 >= middle]
    if not _looks_like_column(left_words) or not _looks_like_column(right_words):
        return None
    return g0, g1


def _looks_like_column(words: list[_Word]) -> bool:
    """Text lines, not a column of table cells or a stray label."""
    rows = group_rows(words)
    if len(rows) < 3:
        return False
    lengths = sorted(len(r.text) for r in rows)
    return lengths[len(lengths) // 2] >= 6


class _Block(list):
    """Rows of one column stretch (or of a full-width band) in reading order."""

    def __init__(self, rows, spanning: bool = False):
        super().__init__(rows)
        self.spanning = spanning


def reading_order(words: list[_Word], depth: int = 0) -> list[_Block]:
    """Blocks of rows in reading order: column stretches, and the full-width rows between them."""
    gutter = find_gutter(words) if depth < 3 else None
    if gutter is None:
        return [_Block(group_rows(words))]
    middle = (gutter[0] + gutter[1]) / 2
    spanning = [w for w in words if w.x0 < middle < w.x1]
    rest = [w for w in words if not (w.x0 < middle < w.x1)]
    bands = group_rows(spanning) if spanning else []
    edges = [-math.inf] + [(b.top + b.bottom) / 2 for b in bands] + [math.inf]
    out: list[_Block] = []
    for i in range(len(bands) + 1):
        inside = [w for w in rest if edges[i] <= w.middle < edges[i + 1]]
        for side in ([w for w in inside if w.centre < middle], [w for w in inside if w.centre >= middle]):
            if side:
                out.extend(reading_order(side, depth + 1))
        if i < len(bands):
            if not inside and out and out[-1].spanning:
                out[-1].append(bands[i])  # consecutive full-width rows: one block
            else:
                out.append(_Block([bands[i]], spanning=True))
    return out


def _page_lines(blocks: list[_Block], page: int, body_size: float) -> list[Line]:
    """Rows → lines, a blank line where a paragraph evidently ends: after a short line (Chinese
    text is justified, so only a paragraph's last line falls short of the column's right edge), at
    a wide vertical gap, and around title and heading lines."""
    out: list[Line] = []
    previous: _Row | None = None
    previous_style = None
    previous_right = 0.0
    for block in blocks:
        if not block:
            continue
        right = max(r.x1 for r in block)
        pitches = [b.top - a.top for a, b in zip(block, block[1:]) if b.top > a.top]
        pitch = statistics.median(pitches) if pitches else 0
        for index, row in enumerate(block):
            text = row.text
            style = _style(row, text, body_size)
            if previous is not None:
                em = max(previous.size, 1)
                gap_break = index > 0 and pitch and (row.top - previous.top) > 1.6 * pitch
                short_break = previous.x1 < previous_right - 2 * em
                adjacent = -0.5 * em < row.top - previous.bottom < 0.8 * em
                if style and style == previous_style and adjacent:
                    # A heading set over two lines: one line.
                    out[-1] = Line(out[-1].text + _joiner(out[-1].text, text) + text, page=page, style=style)
                    previous = row
                    continue
                if gap_break or short_break or style != previous_style:
                    out.append(Line("", page=page))
            out.append(Line(text, page=page, style=style))
            previous, previous_style, previous_right = row, style, right
    return out


def _style(row: _Row, text: str, body_size: float) -> str:
    if len(text) > 60 or (len(text) > 30 and not _CJK_CHAR.search(text)):
        return ""
    size = row.size
    if size >= 1.4 * body_size:
        return "title"
    if size >= 1.15 * body_size:
        return "heading1"
    return ""


def _joiner(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return " "
    return ""
