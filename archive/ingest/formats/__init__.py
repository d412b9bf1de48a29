"""Document format adapters for the importer: each turns a file into text lines and metadata
hints that the line-repair/layout pipeline reads as plain text (`Extracted.text()`).

    read(path, *, ocr=True, name=None, limits=None) -> list[Extracted | Failed]
    read_bytes(data, name, *, ocr=True, limits=None) -> list[Extracted | Failed]
    capabilities() -> list[dict]

A single file gives a one-item list (or raises FormatError); a .zip gives one item per member,
a member that could not be read being a `Failed` (see bundle.py). Dispatch is by the suffix of
the file name, case-insensitively:

    .txt                        plaintext.py   strict UTF-8 / GB18030
    .docx                       word.py        python-docx
    .doc .wps .rtf .odt         libreoffice.py soffice --convert-to docx, then word.py
    .pdf                        pdf.py         pdfplumber; pages without text layer → ocr.py
    .png .jpg .jpeg .tif .tiff  ocr.py         Tesseract chi_sim
    .html .htm                  webpage.py     trafilatura
    .zip                        bundle.py
"""

from __future__ import annotations

from pathlib import Path

from . import bundle, libreoffice, pdf, plaintext, webpage, word
from . import ocr as ocr_adapter
from .base import Extracted, Failed, FormatError, Limits, Line, check_size, fail
from .suffixes import SUFFIXES, kind_of, unsupported_message

__all__ = [
    "Extracted",
    "Failed",
    "FormatError",
    "Limits",
    "Line",
    "SUFFIXES",
    "capabilities",
    "kind_of",
    "read",
    "read_bytes",
]

def read_one(data: bytes, name: str, kind: str, *, ocr: bool = True, limits: Limits | None = None) -> Extracted:
    """One file (not a zip) with the adapter for its kind."""
    limits = limits or Limits()
    if kind == "txt":
        return plaintext.read(data, name)
    if kind == "docx":
        if word.is_old_doc(data):  # an old binary .doc saved under a .docx name: LibreOffice reads it
            result = libreoffice.read(data, name, format="doc", limits=limits)
            result.warnings.insert(0, "文件扩展名是 .docx，内容却是旧版 Word（.doc）格式，已按 .doc 读取。")
            return result
        return word.read(data, name, limits=limits)
    if kind in libreoffice.LABELS:
        return libreoffice.read(data, name, format=kind, limits=limits)
    if kind == "pdf":
        return pdf.read(data, name, ocr=ocr, limits=limits)
    if kind == "image":
        return ocr_adapter.read_image(data, name, ocr=ocr, limits=limits)
    if kind == "html":
        return webpage.read(data, name)
    raise FormatError(unsupported_message(name), name=name)


def read_bytes(data: bytes, name: str, *, ocr: bool = True, limits: Limits | None = None) -> list[Extracted | Failed]:
    """A file's text from its bytes (the admin upload). A zip gives one item per member."""
    limits = limits or Limits()
    kind = kind_of(name)
    if kind is None:
        raise FormatError(unsupported_message(name), name=name)
    check_size(name, len(data), limits)
    if kind == "zip":
        return bundle.read(data, name, ocr=ocr, limits=limits, read_member=read_one)
    return [read_one(data, name, kind, ocr=ocr, limits=limits)]


def read(path: Path, *, ocr: bool = True, name: str | None = None, limits: Limits | None = None) -> list[Extracted | Failed]:
    """A file's text. `name` (default: the path's file name) is what messages and results call it,
    and its suffix chooses the adapter when it has one."""
    path = Path(path)
    limits = limits or Limits()
    name = name or path.name
    kind = kind_of(name) or kind_of(path.name)
    if kind is None:
        raise FormatError(unsupported_message(name), name=name)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail(name, "找不到这个文件", "请检查路径后重试") from None
    except OSError as exc:
        raise fail(name, f"无法访问这个文件（{exc.strerror or exc}）", "请检查文件权限后重试") from exc
    if path.is_dir():
        raise fail(name, "这是一个文件夹，不是文件", "请选择其中的文件，或把文件夹打包成 zip 后导入")
    check_size(name, size, limits)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(name, f"无法读取这个文件（{exc.strerror or exc}）", "请检查文件权限后重试") from exc
    if kind == "zip":
        return bundle.read(data, name, ocr=ocr, limits=limits, read_member=read_one)
    return [read_one(data, name, kind, ocr=ocr, limits=limits)]


def capabilities() -> list[dict]:
    """One entry per format: what it is called, whether this server can read it, and if not,
    what to install."""

    def entry(fmt, label, suffixes, status):
        ok, missing = status
        return {"format": fmt, "label": label, "suffixes": suffixes, "available": ok, "missing": "" if ok else missing}

    def both(*statuses):
        for ok, missing in statuses:
            if not ok:
                return False, missing
        return True, ""

    return [
        entry("txt", "纯文本（.txt，UTF-8 或 GB18030）", [".txt"], (True, "")),
        entry("docx", "Word 文档（.docx）", [".docx"], word.available()),
        entry("doc", "Word 97–2003 文档（.doc）", [".doc"], libreoffice.available()),
        entry("wps", "WPS 文字文档（.wps）", [".wps"], libreoffice.available()),
        entry("rtf", "RTF 文档（.rtf）", [".rtf"], libreoffice.available()),
        entry("odt", "OpenDocument 文本（.odt）", [".odt"], libreoffice.available()),
        entry("pdf", "PDF（有文字层）", [".pdf"], pdf.available()),
        entry("scan", "扫描版 PDF（文字识别）", [".pdf"], both(pdf.available(), ocr_adapter.available())),
        entry("image", "扫描图片（.png、.jpg、.tif，文字识别）", [".png", ".jpg", ".jpeg", ".tif", ".tiff"], ocr_adapter.available()),
        entry("html", "网页（.html、.htm）", [".html", ".htm"], webpage.available()),
        entry("zip", "压缩包（.zip，内含以上格式）", [".zip"], (True, "")),
    ]
