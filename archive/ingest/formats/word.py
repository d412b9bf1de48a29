"""Word documents (.docx), read with python-docx.

Why python-docx: it is the maintained, widely used library that opens the package and resolves
what we need to judge a paragraph — its style and the style's base styles (Title, Heading 1–3,
and the Chinese 标题/标题 1 names WPS writes), run-level bold, and the core properties (title,
author, created). docx2python flattens the document and loses styles; mammoth converts to HTML
and maps styles through its own rules, which is a detour for plain text lines.

python-docx's own `Paragraph.text` misses text in content controls (w:sdt), tracked insertions
and text boxes, so the body is walked here in document order over the XML python-docx exposes:
paragraphs and tables interleaved as they stand, deleted text (w:delText) and field codes left
out, the fallback copy of a text box (mc:Fallback) read once only. Page headers, footers,
footnotes and automatic list numbers are not read.
"""

from __future__ import annotations

import io
import re

from .base import Extracted, Line, fail, package_version, tidy_blank_lines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDTCONTENT, R, T, TAB, BR, CR, TXBX, DELTEXT, INSTR = (
    _w(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "r", "t", "tab", "br", "cr", "txbxContent", "delText", "instrText")
)
FALLBACK = f"{{{MC}}}Fallback"
SKIP = {DELTEXT, INSTR, FALLBACK, TXBX, _w("pPr"), _w("rPr"), _w("del"), _w("moveFrom")}

TABLE_SEPARATOR = " | "

_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$")
_TITLE_NAMES = {"title", "标题"}
# python-docx's blank template, which a document keeps when nobody set its properties.
_TEMPLATE_AUTHOR = "python-docx"
_TEMPLATE_CREATED = "2013-12-23T23:15:00Z"


def engine() -> str:
    import docx

    return f"python-docx {package_version(docx)}".strip()


def available() -> tuple[bool, str]:
    try:
        import docx  # noqa: F401
    except ImportError:
        return False, "需要安装 Python 软件包 python-docx（pip install python-docx）"
    return True, ""


def _is_ole(data: bytes) -> bool:
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_encrypted_ooxml(data: bytes) -> bool:
    return _is_ole(data) and "EncryptionInfo".encode("utf-16-le") in data


def is_old_doc(data: bytes) -> bool:
    """An old binary Word file (OLE) that is not an encrypted OOXML package."""
    return _is_ole(data) and not _is_encrypted_ooxml(data)


def read(data: bytes, name: str, *, format: str = "docx", limits=None, **_) -> Extracted:
    ok, missing = available()
    if not ok:
        raise fail(name, "服务器无法读取 Word 文档", missing)
    if _is_encrypted_ooxml(data):
        raise fail(name, "文件已加密，无法读取文字", "请在 Word 或 WPS 中去掉打开密码，另存后重新导入")
    if is_old_doc(data) and format == "docx":
        raise fail(name, "内容是旧版 Word（.doc）格式", "请把扩展名改为 .doc 后重新导入")

    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises zip, XML and package errors alike
        raise fail(
            name,
            "文件已损坏，或不是 Word 文档（.docx）",
            "请在 Word 或 WPS 中打开后另存为 .docx 再导入" + ("" if str(exc) == "" else f"（详情：{_short(exc)}）"),
        ) from exc

    reader = _Reader(document, Paragraph)
    try:
        reader.block(document.element.body)
    except Exception as exc:  # noqa: BLE001
        raise fail(name, "文件结构异常，无法读取其中的文字", f"请在 Word 或 WPS 中打开后另存为 .docx 再导入（详情：{_short(exc)}）") from exc
    lines = tidy_blank_lines(reader.lines)
    if not any(line.text.strip() for line in lines):
        raise fail(
            name,
            "文档里没有可读的文字（可能只有图片）",
            "如是扫描件，请导出为 PDF 或图片后导入，系统会用文字识别读取",
        )
    return Extracted(
        name=name,
        format=format,
        engine=engine(),
        lines=lines,
        data=data,
        hints=_hints(document),
    )


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:120]


def _hints(document) -> dict:
    hints = {}
    try:
        props = document.core_properties
        element = props._element
    except Exception:  # noqa: BLE001
        return hints
    title = (props.title or "").strip()
    author = (props.author or "").strip()
    created = ""
    for child in element:
        if child.tag.endswith("}created") and child.text:
            created = child.text.strip()
    if author == _TEMPLATE_AUTHOR and created == _TEMPLATE_CREATED:
        author, created = "", ""
    if title:
        hints["title"] = title
    if author:
        hints["author"] = author
    if created:
        hints["date"] = created
    return hints


class _Reader:
    def __init__(self, document, paragraph_class):
        self.document = document
        self.Paragraph = paragraph_class
        self.lines: list[Line] = []
        self._style_cache: dict = {}

    # -- blocks -------------------------------------------------------------------------------

    def block(self, element) -> None:
        for child in element:
            if child.tag == P:
                self.paragraph(child)
            elif child.tag == TBL:
                self.table(child)
            elif child.tag == SDT:
                for content in child.iter(SDTCONTENT):
                    self.block(content)
                    break
            elif child.tag in (_w("customXml"), _w("ins"), _w("smartTag")):
                self.block(child)

    def paragraph(self, p) -> None:
        text = _text(p)
        style = self.style_of(p, text)
        for part in text.split("\n"):
            self.lines.append(Line(part, style=style if part.strip() else ""))
        if text.strip():
            self.lines.append(Line(""))
        # Text boxes anchored in this paragraph: their paragraphs follow it.
        for box in p.iter(TXBX):
            if any(a.tag == FALLBACK for a in box.iterancestors()):
                continue
            if any(a.tag == TXBX for a in box.iterancestors()):
                continue  # nested boxes are read with their outer box
            self.block(box)

    def table(self, tbl) -> None:
        for tr in tbl.iter(TR):
            if _owner_table(tr) is not tbl:
                continue  # a row of a nested table: read with its cell
            cells = []
            for tc in tr:
                if tc.tag == SDT:
                    tcs = [c for c in tc.iter(TC)]
                else:
                    tcs = [tc] if tc.tag == TC else []
                for cell in tcs:
                    cells.append(" ".join(t for t in (_text(p).replace("\n", " ").strip() for p in cell.iter(P)) if t))
            if any(c.strip() for c in cells):
                self.lines.append(Line(TABLE_SEPARATOR.join(cells), style="table"))
        self.lines.append(Line(""))

    # -- styles -------------------------------------------------------------------------------

    def style_of(self, p, text: str) -> str:
        if not text.strip():
            return ""
        paragraph = self.Paragraph(p, self.document._body)
        try:
            style = paragraph.style
        except Exception:  # noqa: BLE001 - a style id the styles part does not define
            style = None
        level = _heading_level(style)
        if level is None:
            level = _outline_level(p, style)
        if level == 0:
            return "title"
        if level is not None:
            return f"heading{min(level, 3)}"
        if self._all_bold(p, paragraph, style):
            return "bold"
        return ""

    def _all_bold(self, p, paragraph, style) -> bool:
        from docx.text.run import Run

        para_bold = _style_bold(style)
        seen = False
        for r in p.iter(R):
            if any(a.tag in (TXBX, FALLBACK, DELTEXT) for a in r.iterancestors()):
                continue
            if not _run_text(r).strip():
                continue
            seen = True
            run = Run(r, paragraph)
            bold = run.bold
            if bold is None:
                try:
                    bold = _style_bold(run.style) if run.style is not None else None
                except Exception:  # noqa: BLE001
                    bold = None
            if bold is None:
                bold = para_bold
            if not bold:
                return False
        return seen


def _owner_table(tr):
    for a in tr.iterancestors():
        if a.tag == TBL:
            return a
    return None


def _style_chain(style):
    seen = 0
    while style is not None and seen < 20:
        yield style
        try:
            style = style.base_style
        except Exception:  # noqa: BLE001
            return
        seen += 1


def _heading_level(style) -> int | None:
    """0 for a title style, 1–9 for heading styles, else None; base styles count."""
    for s in _style_chain(style):
        name = (s.name or "").strip().lower()
        if name in _TITLE_NAMES:
            return 0
        match = _HEADING.match(name)
        if match:
            return int(match.group(1))
    return None


def _outline_level(p, style) -> int | None:
    """w:outlineLvl on the paragraph or its style: 0 → heading 1 (level 1)."""
    candidates = [p.find(_w("pPr"))]
    for s in _style_chain(style):
        candidates.append(s.element.find(_w("pPr")))
    for ppr in candidates:
        if ppr is None:
            continue
        lvl = ppr.find(_w("outlineLvl"))
        if lvl is not None:
            try:
                value = int(lvl.get(_w("val")))
            except (TypeError, ValueError):
                return None
            return value + 1 if value < 9 else None
    return None


def _style_bold(style) -> bool | None:
    for s in _style_chain(style):
        try:
            bold = s.font.bold
        except Exception:  # noqa: BLE001
            bold = None
        if bold is not None:
            return bold
    return None


def _run_text(r) -> str:
    out = []
    for el in r.iter():
        if el.tag == T:
            out.append(el.text or "")
        elif el.tag == TAB:
            out.append("\t")
    return "".join(out)


def _text(p) -> str:
    """The paragraph's text in document order, without deleted text, field codes or text boxes."""
    out: list[str] = []

    def walk(el):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == T:
                out.append(child.text or "")
            elif tag == TAB:
                out.append("\t")
            elif tag in (BR, CR):
                if tag == CR or child.get(_w("type")) in (None, "textWrapping"):
                    out.append("\n")
            elif tag == _w("noBreakHyphen"):
                out.append("-")
            elif tag == _w("sym"):
                continue
            else:
                walk(child)

    walk(p)
    return "".join(out)
