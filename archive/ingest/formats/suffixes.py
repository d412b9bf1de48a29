"""Which adapter a file name goes to, and what to tell the user about a format the archive does not read."""

from __future__ import annotations

from pathlib import PurePosixPath

from .base import fail

SUFFIXES = {
    ".txt": "txt",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "wps",
    ".rtf": "rtf",
    ".odt": "odt",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".html": "html",
    ".htm": "html",
    ".zip": "zip",
}

_ADVICE = {
    ".xls": "表格请另存为 PDF 后导入",
    ".xlsx": "表格请另存为 PDF 后导入",
    ".et": "表格请另存为 PDF 后导入",
    ".ppt": "演示文稿请另存为 PDF 后导入",
    ".pptx": "演示文稿请另存为 PDF 后导入",
    ".dps": "演示文稿请另存为 PDF 后导入",
    ".rar": "请先解压，再打包成 zip 后导入",
    ".7z": "请先解压，再打包成 zip 后导入",
    ".mht": "请在浏览器中打开，另存为“网页，仅 HTML”后导入",
    ".mhtml": "请在浏览器中打开，另存为“网页，仅 HTML”后导入",
    ".wpt": "请在 WPS 中另存为 .docx 后导入",
    ".ofd": "请在 OFD 阅读器中另存或打印为 PDF 后导入",
    ".caj": "请在 CAJViewer 中另存或打印为 PDF 后导入",
    ".bmp": "请另存为 PNG 或 JPEG 后导入",
    ".gif": "请另存为 PNG 或 JPEG 后导入",
    ".webp": "请另存为 PNG 或 JPEG 后导入",
}


def kind_of(name: str) -> str | None:
    """The adapter a file name goes to ("txt", "docx", … "image", "html", "zip"), or None."""
    return SUFFIXES.get(PurePosixPath(name.replace("\\", "/")).suffix.lower())


def unsupported_message(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    accepted = "、".join(dict.fromkeys(SUFFIXES))
    what = f"不支持 {suffix} 文件" if suffix else "文件没有扩展名，无法判断格式"
    todo = _ADVICE.get(suffix, f"可导入的格式：{accepted}")
    return str(fail(name, what, todo))
