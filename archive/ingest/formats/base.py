"""The contract every format adapter keeps, and the helpers they share.

An adapter turns one file into an `Extracted`: text lines (with page numbers and a few styles),
metadata hints and warnings, plus the file's bytes untouched. The line-repair/layout pipeline
reads `Extracted.text()` as plain text; nothing here tries to repair lines or guess reports.

A file that cannot be read raises `FormatError`, whose message is plain Chinese, names the file
and says what to do. Inside a zip, one unreadable member becomes a `Failed` entry instead, so
the rest of the bundle is still read.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field

MB = 1024 * 1024

STYLES = ("", "title", "heading1", "heading2", "heading3", "bold", "table")

# Han ideographs, CJK punctuation, full-width forms: the characters between which a space is an
# artefact (of OCR, of a text layer) rather than part of the text.
CJK = "\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_SPACES = re.compile(f"(?<=[{CJK}])[ \t\u00a0]+(?=[{CJK}])")


@dataclass
class Line:
    text: str
    page: int | None = None  # 1-based page number where the format has pages
    style: str = ""  # "" | "title" | "heading1" | "heading2" | "heading3" | "bold" | "table"


_PREFIX = {"title": "# ", "heading1": "## ", "heading2": "### "}


@dataclass
class Extracted:
    name: str  # file name (for a zip member: "bundle.zip/inner/name.docx")
    format: str  # txt docx doc wps rtf odt pdf scan image html
    engine: str  # what produced the text, with version
    lines: list[Line]
    data: bytes  # the file's bytes, untouched
    encoding: str = ""  # txt only: "utf-8", "utf-8-sig", "gb18030"
    ocr: bool = False  # some or all text came from OCR
    ocr_pages: list[int] = field(default_factory=list)
    hints: dict = field(default_factory=dict)  # title, author, date, source, url: hints only
    warnings: list[str] = field(default_factory=list)  # plain-Chinese notes

    def text(self) -> str:
        """The lines as the layout pipeline reads them: a title as "# 文字", heading1 as "## 文字",
        heading2 as "### 文字", every other line verbatim; a blank line separates paragraphs."""
        out = []
        for line in self.lines:
            prefix = _PREFIX.get(line.style, "") if line.text.strip() else ""
            out.append(prefix + line.text)
        return "\n".join(out)

    def plain(self) -> str:
        """The lines' text without heading marks (for comparisons and search)."""
        return "\n".join(line.text for line in self.lines)

    def pages(self) -> list[int]:
        return sorted({line.page for line in self.lines if line.page is not None})


@dataclass
class Failed:
    """A zip member that could not be read; the other members of the bundle still are."""

    name: str
    error: str  # plain Chinese, as str(FormatError)


class FormatError(Exception):
    """A file that cannot be read. str(exc) is a clear message in plain Chinese that names the file
    and says what to do."""

    def __init__(self, message: str, *, name: str = ""):
        super().__init__(message)
        self.name = name


def fail(name: str, problem: str, todo: str = "") -> FormatError:
    """FormatError("《name》：problem。todo") — build the message in one place so they all read alike."""
    message = f"《{name}》：{problem.rstrip('。')}。"
    if todo:
        message += todo.rstrip("。") + "。"
    return FormatError(message, name=name)


# ---------------------------------------------------------------------------------------------
# Limits


def _setting(name: str, default):
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # Django not installed or not configured: the defaults hold
        return default


@dataclass
class Limits:
    """What an import may cost. Each default is read from Django settings when they define it."""

    max_bytes: int = field(default_factory=lambda: _setting("IMPORT_MAX_BYTES", 50 * MB))
    max_files: int = field(default_factory=lambda: _setting("IMPORT_MAX_FILES", 200))
    max_total_uncompressed: int = field(default_factory=lambda: _setting("IMPORT_MAX_UNCOMPRESSED", 500 * MB))
    max_ratio: float = field(default_factory=lambda: _setting("IMPORT_MAX_COMPRESSION_RATIO", 100))
    soffice_timeout: float = field(default_factory=lambda: _setting("IMPORT_SOFFICE_TIMEOUT", 60))
    ocr_timeout: float = field(default_factory=lambda: _setting("IMPORT_OCR_TIMEOUT", 120))  # per page


def size_text(n: float) -> str:
    if n >= MB:
        return f"{n / MB:.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{int(n)} 字节"


def check_size(name: str, size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise fail(
            name,
            f"文件有 {size_text(size)}，超过导入上限 {size_text(limits.max_bytes)}",
            "请拆分成较小的文件，或请管理员调高 IMPORT_MAX_BYTES 后重新导入",
        )


# ---------------------------------------------------------------------------------------------
# Text helpers


def remove_cjk_spaces(text: str) -> str:
    """Drop spaces between two CJK characters (OCR and some text layers put them there)."""
    return _CJK_SPACES.sub("", text)


_EXPECTED = [
    (0x09, 0x0D), (0x20, 0x7E), (0xA0, 0x17F), (0x370, 0x4FF), (0x2000, 0x22FF), (0x2460, 0x27BF),
    (0x2E80, 0x2FDF), (0x3000, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
]


def looks_like_noise(text: str) -> bool:
    """True when most characters are outside the scripts and symbols documents here are written
    in — what a binary file imported as text gives (random code points spread over Unicode)."""
    chars = [ord(c) for c in text if not c.isspace()]
    if len(chars) < 20:
        return False
    expected = sum(1 for c in chars if any(lo <= c <= hi for lo, hi in _EXPECTED))
    return expected < 0.8 * len(chars)


def paragraphs_to_lines(paragraphs, *, page=None, style="") -> list[Line]:
    """Paragraph texts → lines, a blank line after each paragraph."""
    lines: list[Line] = []
    for text in paragraphs:
        if not text.strip():
            continue
        lines.append(Line(text, page=page, style=style))
        lines.append(Line("", page=page))
    return lines


def tidy_blank_lines(lines: list[Line]) -> list[Line]:
    """No blank line at the start or end, never two in a row."""
    out: list[Line] = []
    for line in lines:
        if not line.text.strip():
            if not out or not out[-1].text.strip():
                continue
            line = Line("", page=line.page)
        out.append(line)
    while out and not out[-1].text.strip():
        out.pop()
    return out


# ---------------------------------------------------------------------------------------------
# External tools


def find_tool(name: str) -> str | None:
    """The path of an external program, or None. One place, so tests can pretend it is missing."""
    return shutil.which(name)


class ToolTimeout(Exception):
    pass


def run_tool(args: list[str], *, timeout: float, cwd=None, env=None) -> subprocess.CompletedProcess:
    """Run a program in its own process group; past the timeout the whole group is killed (soffice
    is a shell script that starts soffice.bin, which a plain kill would leave running)."""
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ToolTimeout(args[0]) from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except Exception:
        pass


@functools.lru_cache(maxsize=16)
def tool_version(path: str, pattern: str) -> str:
    """The version a program reports (`path --version`), matched by pattern; "" when unknown."""
    try:
        done = run_tool([path, "--version"], timeout=30)
    except (OSError, ToolTimeout):
        return ""
    out = (done.stdout + done.stderr).decode("utf-8", "replace")
    match = re.search(pattern, out)
    return match.group(1) if match else ""


def package_version(module) -> str:
    return getattr(module, "__version__", "") or ""
