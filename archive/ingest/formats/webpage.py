"""Saved web pages (.html, .htm): the article body with trafilatura.

trafilatura is maintained, handles Chinese news and government sites well, drops navigation,
comments, related links and footers, and extracts the page's metadata (title, date, author, site
name, canonical URL) in the same pass; readability-lxml finds the body but no metadata. Its XML
output keeps paragraphs, headings (h1–h6), lists and tables apart, which become lines here.

The bytes are decoded by the charset the page declares (BOM, <meta charset>, <meta http-equiv>,
<?xml encoding?>), GB2312/GBK read as their superset GB18030; with no declaration, strict UTF-8,
then strict GB18030. Metadata trafilatura misses is taken from the meta tags Chinese sites use
(ArticleTitle, PubDate, ContentSource, SiteName, Author).
"""

from __future__ import annotations

import codecs
import re

from .base import Extracted, Line, fail, package_version, tidy_blank_lines

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_GB = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "cp936", "ms936", "euc-cn", "csgb2312", "chinese", "gb18030", "iso-ir-58"}


def engine() -> str:
    import trafilatura

    return f"trafilatura {package_version(trafilatura)}".strip()


def available() -> tuple[bool, str]:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False, "需要安装 Python 软件包 trafilatura（pip install trafilatura）"
    return True, ""


def normalise_charset(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    if label in _GB:
        return "gb18030"
    if label in {"big5", "big5-hkscs", "x-x-big5"}:
        return "big5hkscs"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:8192]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if match:
            charset = normalise_charset(match.group(1).decode("ascii", "replace"))
            if charset:
                return "utf-8-sig" if charset == "utf-8" and data.startswith(codecs.BOM_UTF8) else charset
    return None


def decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings)."""
    warnings: list[str] = []
    declared = declared_charset(data)
    if declared:
        try:
            return data.decode(declared), declared, warnings
        except UnicodeDecodeError:
            pass
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if declared:
            warnings.append(f"网页声明的编码是 {declared}，实际内容却是 {codec}，已按 {codec} 读取。")
        return text, codec, warnings
    codec = declared or "utf-8"
    warnings.append(f"网页中有无法按 {codec} 解码的字节，已用替换字符（�）代替，请核对。")
    return data.decode(codec, errors="replace"), codec, warnings


def _meta_fallbacks(html: str) -> dict:
    """Metadata from meta tags trafilatura may not look at."""
    try:
        import lxml.html

        tree = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001
        return {}
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = value
    out = {}
    for field, keys in {
        "title": ("articletitle", "og:title", "title"),
        "author": ("author", "article:author", "contentauthor"),
        "date": ("pubdate", "publishdate", "article:published_time", "publishtime", "firstpublishedtime", "date"),
        "source": ("contentsource", "og:site_name", "sitename", "source"),
        "url": ("og:url", "url"),
    }.items():
        for key in keys:
            if meta.get(key):
                out[field] = meta[key]
                break
    if "url" not in out:
        for el in tree.iter("link"):
            if (el.get("rel") or "").lower() == "canonical" and el.get("href"):
                out["url"] = el.get("href").strip()
                break
    return out


def _inline(el) -> list[str]:
    """An element's text, split at <lb/>."""
    parts = [""]
    if el.text:
        parts[-1] += el.text
    for child in el:
        if child.tag == "lb":
            parts.append("")
        else:
            sub = _inline(child)
            parts[-1] += sub[0]
            parts.extend(sub[1:])
        if child.tail:
            parts[-1] += child.tail
    return parts


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


_HEAD_STYLE = {"h1": "heading1", "h2": "heading1", "h3": "heading2"}


def _main_lines(main, title: str) -> list[Line]:
    lines: list[Line] = []

    def paragraph(parts, style=""):
        texts = [_clean(t) for t in parts]
        texts = [t for t in texts if t]
        for t in texts:
            lines.append(Line(t, style=style))
        if texts:
            lines.append(Line(""))

    def walk(el):
        for child in el:
            tag = child.tag
            if tag == "head":
                text = _clean("".join(_inline(child)))
                style = _HEAD_STYLE.get(child.get("rend", ""), "heading3")
                if title and text == title and not any(l.text for l in lines):
                    style = "title"
                paragraph([text], style)
            elif tag == "p" or tag == "quote" and not len(child):
                paragraph(_inline(child))
            elif tag == "list":
                for item in child.iter("item"):
                    paragraph(_inline(item))
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [_clean(" ".join(_inline(c))) for c in row.iter("cell")]
                    if any(cells):
                        lines.append(Line(" | ".join(cells), style="table"))
                lines.append(Line(""))
            elif tag in ("quote", "div", "main", "section"):
                walk(child)
            elif tag in ("graphic", "ref"):
                continue
            else:
                paragraph(_inline(child))

    walk(main)
    return lines


def read(data: bytes, name: str, **_) -> Extracted:
    ok, missing = available()
    if not ok:
        raise fail(name, "服务器无法读取网页文件", missing)
    if not data.strip():
        raise fail(name, "文件是空的", "请检查是否选错了文件")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise fail(name, "文件含有二进制数据，不是网页", "请在浏览器中打开原网页，用“另存为 → 网页，仅 HTML”保存后导入")

    import trafilatura
    from lxml import etree

    html, encoding, warnings = decode(data, name)
    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
    except Exception as exc:  # noqa: BLE001
        raise fail(name, f"无法解析这个网页（{str(exc)[:80]}）", "请在浏览器中打开原网页，重新另存为 HTML 后导入") from exc
    if not xml:
        raise fail(
            name,
            "没有在网页中找到正文",
            "网页可能只有导航或由脚本动态加载正文；请在浏览器中打开文章页面，复制正文另存为 .txt 后导入",
        )
    try:
        doc = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise fail(name, "网页正文解析出错", "请把正文复制另存为 .txt 后导入") from exc

    fallback = _meta_fallbacks(html)
    hints = {}
    for field, attr in (("title", "title"), ("author", "author"), ("date", "date"), ("source", "sitename"), ("url", "url")):
        value = (doc.get(attr) or "").strip() or fallback.get(field, "")
        if value:
            hints[field] = value

    main = doc.find("main")
    title = hints.get("title", "")
    lines = _main_lines(main if main is not None else doc, title)
    first = next((l for l in lines if l.text.strip()), None)
    if title and (first is None or first.text.strip() != title):
        lines = [Line(title, style="title"), Line("")] + lines
    lines = tidy_blank_lines(lines)
    if not any(l.text.strip() and l.style != "title" for l in lines):
        raise fail(name, "没有在网页中找到正文", "请在浏览器中打开文章页面，复制正文另存为 .txt 后导入")
    return Extracted(
        name=name,
        format="html",
        engine=engine(),
        lines=lines,
        data=data,
        encoding="",
        hints=hints,
        warnings=warnings,
    )
