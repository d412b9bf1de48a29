"""Older and other word-processor files (.doc, .wps, .rtf, .odt): LibreOffice converts them to
.docx, which the docx adapter then reads.

Each conversion runs `soffice --headless --convert-to docx` in a private temporary profile (so
concurrent imports, or a desktop LibreOffice the same user has open, do not collide), in its own
process group, and is killed as a group past `Limits.soffice_timeout`.

Kingsoft WPS Writer's .wps files are in the Word binary format; LibreOffice detects them by
content, so they are converted like .doc.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import word
from .base import Extracted, Limits, ToolTimeout, fail, find_tool, looks_like_noise, run_tool, tool_version

LABELS = {
    "doc": "Word 97–2003 文档（.doc）",
    "wps": "WPS 文字文档（.wps）",
    "rtf": "RTF 文档（.rtf）",
    "odt": "OpenDocument 文本（.odt）",
}

MISSING = "需要安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui）"


def soffice() -> str | None:
    return find_tool("soffice") or find_tool("libreoffice")


def version(path: str) -> str:
    return tool_version(path, r"LibreOffice\s+([\d.]+)")


def available() -> tuple[bool, str]:
    if soffice() is None:
        return False, MISSING
    return word.available()


def engine(path: str) -> str:
    v = version(path)
    short = ".".join(v.split(".")[:2]) if v else ""
    return f"LibreOffice {short}".strip() + f" → {word.engine()}"


def convert_to_docx(data: bytes, name: str, suffix: str, limits: Limits) -> bytes:
    path = soffice()
    if path is None:
        raise fail(name, f"读取 .{suffix} 文件需要 LibreOffice，服务器上没有安装", "请管理员安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui），或把文件另存为 .docx 后导入")
    with tempfile.TemporaryDirectory(prefix="ingest-soffice-") as tmp:
        tmp = Path(tmp)
        src_dir, out_dir, profile = tmp / "in", tmp / "out", tmp / "profile"
        src_dir.mkdir()
        out_dir.mkdir()
        src = src_dir / f"document.{suffix}"
        src.write_bytes(data)
        env = dict(os.environ, HOME=str(tmp))
        args = [
            path,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        try:
            done = run_tool(args, timeout=limits.soffice_timeout, cwd=tmp, env=env)
        except ToolTimeout:
            raise fail(
                name,
                f"LibreOffice 转换超过 {limits.soffice_timeout:g} 秒仍未完成，已中止",
                "文件可能损坏、加密或过于复杂；请在 Word 或 WPS 中打开后另存为 .docx 再导入",
            ) from None
        except OSError as exc:
            raise fail(name, f"无法启动 LibreOffice（{exc}）", "请管理员检查 LibreOffice 的安装") from exc
        result = out_dir / "document.docx"
        if not result.exists() or result.stat().st_size == 0:
            detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip().splitlines()
            detail = [d for d in detail if "javaldx" not in d]
            hint = f"（LibreOffice：{detail[-1][:120]}）" if detail else ""
            raise fail(
                name,
                f"LibreOffice 无法打开这个文件，它可能已损坏、加密，或不是 {LABELS.get(suffix, suffix)}{hint}",
                "请在 Word 或 WPS 中打开，去掉密码后另存为 .docx 再导入",
            )
        return result.read_bytes()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return False
    for codec in ("utf-8", "gb18030"):
        try:
            head.decode(codec)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def check_kind(data: bytes, name: str, format: str) -> None:
    """Refuse what is plainly not a document of this kind before LibreOffice sees it: given
    anything, LibreOffice falls back to importing it as text and makes a document of noise."""
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    label = LABELS.get(format, format)
    if data.startswith(OLE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise fail(name, "文件已加密，无法读取文字", "请在 Word 或 WPS 中去掉打开密码，另存后重新导入")
        streams = ("WordDocument", "CONTENTS", "MatOST")
        if format in ("doc", "wps") and any(s.encode("utf-16-le") in data for s in streams):
            return
        raise fail(name, f"文件不是 {label}（它是别的 Office 文件，或已损坏）", "请在 Word 或 WPS 中打开确认，另存为 .docx 后导入")
    if body.startswith(b"{\\rtf"):
        return
    if data.startswith(b"PK\x03\x04"):
        if format in ("odt", "doc", "wps"):
            return  # .odt; or a .docx under an old name
    elif format in ("doc", "wps") and _looks_like_text(data):
        return  # web pages and text saved with a .doc name, as some systems export them
    raise fail(name, f"文件已损坏，或不是 {label}", "请在 Word 或 WPS 中打开确认，另存为 .docx 后导入")


def read(data: bytes, name: str, *, format: str, limits: Limits | None = None, **_) -> Extracted:
    limits = limits or Limits()
    if not data.strip():
        raise fail(name, "文件是空的", "请检查是否选错了文件")
    check_kind(data, name, format)
    ok, missing = word.available()
    if not ok:
        raise fail(name, "服务器无法读取 Word 文档", missing)
    converted = convert_to_docx(data, name, format, limits)
    result = word.read(converted, name, format=format, limits=limits)
    if looks_like_noise(result.plain()):
        raise fail(name, f"文件内容无法识别，它可能已损坏，或不是 {LABELS.get(format, format)}", "请在 Word 或 WPS 中打开确认，另存为 .docx 后导入")
    result.data = data
    result.engine = engine(soffice() or "soffice")
    return result
