"""Plain text (.txt): strict UTF-8 (with or without BOM), else strict GB18030; lines verbatim.

Anything that is not text — empty, NUL bytes, many control or unassigned characters — is refused.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from .base import Extracted, Line, fail

_EOL = re.compile(r"\r\n|\r|\n")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) with encoding one of "utf-8", "utf-8-sig", "gb18030"."""
    if not data.strip():
        raise fail(name, "文件是空的", "请检查是否选错了文件")
    if b"\x00" in data:
        raise fail(
            name,
            "文件含有二进制数据（NUL 字节），不是纯文本",
            "如果是 UTF-16 编码的文本，请另存为 UTF-8 后重新导入；否则请按原格式（如 .docx、.pdf）导入",
        )
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec, errors="strict")
        except UnicodeDecodeError:
            continue
        if codec == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            encoding = "gb18030"
        break
    else:
        raise fail(name, "文件既不是 UTF-8 也不是 GB18030（GBK）编码的文本", "请用文本编辑器另存为 UTF-8 后重新导入")
    if not text.strip():
        raise fail(name, "文件只有空白，没有文字", "请检查是否选错了文件")
    odd = sum(
        1
        for ch in text
        if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
        or unicodedata.category(ch) in ("Co", "Cn", "Cs")
    )
    if odd > max(2, len(text) // 200):
        raise fail(
            name,
            f"文件里有 {odd} 个控制字符或未定义字符，看起来是二进制数据而不是文本",
            "请按原格式导入，或先另存为纯文本（UTF-8）",
        )
    return text, encoding


def split_lines(text: str) -> list[str]:
    """CRLF, CR and LF alike; a final line ending does not make an extra empty line."""
    parts = _EOL.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def read(data: bytes, name: str, **_) -> Extracted:
    text, encoding = decode(data, name)
    lines = [Line(t) for t in split_lines(text)]
    return Extracted(name=name, format="txt", engine="Python 文本解码", lines=lines, data=data, encoding=encoding)
