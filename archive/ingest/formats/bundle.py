"""Zip bundles (.zip): every readable member, in member-name order.

The bundle as a whole is refused (FormatError) when it is corrupt, when a member's path is
absolute or climbs out with "..", when it holds more than `Limits.max_files` files, or when it
looks like a zip bomb (more than `Limits.max_total_uncompressed` bytes unpacked, or a member
compressed more than `Limits.max_ratio` times). Otherwise each member is read on its own and
one that cannot be read becomes a `Failed` entry, so the rest still come through: an encrypted
member, an unsupported type, a member over `Limits.max_bytes`, a broken file.

Directories and junk (`__MACOSX/`, dotfiles, Thumbs.db, desktop.ini, Office "~$" lock files)
are skipped silently. A zip inside the zip is opened (its members named "outer.zip/inner.zip/x");
a zip inside that one is not. Member names stored in GBK by Chinese Windows (no UTF-8 flag) are
decoded as GB18030.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from .base import MB, Extracted, Failed, FormatError, Limits, fail, size_text
from .suffixes import kind_of, unsupported_message

RATIO_FLOOR = 1 * MB  # the compression ratio is judged only for members at least this big unpacked
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "__macosx"}


@dataclass
class _Budget:
    """What the whole bundle, nested zips included, may still hold."""

    files: int
    bytes: int


def member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def unsafe(member: str) -> bool:
    path = member.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return True
    return ".." in path.split("/")


def junk(member: str) -> bool:
    parts = [p for p in member.replace("\\", "/").split("/") if p]
    return any(p.startswith((".", "~$")) or p.lower() in _JUNK_NAMES for p in parts)


def read(
    data: bytes,
    name: str,
    *,
    read_member,
    ocr: bool = True,
    limits: Limits | None = None,
    depth: int = 0,
    budget: _Budget | None = None,
) -> list[Extracted | Failed]:
    """The members of a zip, each read by read_member(data, name, kind, ocr=, limits=) (the
    dispatcher passes its own, so this module need not import it back)."""

    limits = limits or Limits()
    if not data.strip():
        raise fail(name, "压缩包是空的", "请检查是否选错了文件")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise fail(name, "压缩包已损坏，或不是 zip 格式", "请重新打包成 zip 后导入（.rar、.7z 请先解压，再打包成 zip）") from exc

    entries: list[tuple[str, zipfile.ZipInfo]] = []
    for info in infos:
        member = member_name(info)
        if unsafe(member):
            raise fail(
                name,
                f"压缩包中的“{member}”路径不安全（绝对路径或含“..”），整个压缩包已拒收",
                "请检查压缩包的来源，解压后只把报告文件重新打包再导入",
            )
        if info.is_dir() or member.endswith(("/", "\\")) or junk(member):
            continue
        entries.append((member, info))

    if budget is None:
        budget = _Budget(files=limits.max_files, bytes=limits.max_total_uncompressed)
    if len(entries) > budget.files:
        raise fail(
            name,
            f"压缩包里有 {len(entries)} 个文件，超过一次最多导入 {limits.max_files} 个的限制",
            "请分成几个较小的压缩包导入",
        )
    total = sum(info.file_size for _, info in entries)
    if total > budget.bytes:
        raise fail(
            name,
            f"压缩包解压后有 {size_text(total)}，超过 {size_text(limits.max_total_uncompressed)} 的上限（可能是“压缩炸弹”）",
            "请分批导入，或检查压缩包的来源",
        )
    for member, info in entries:
        if info.file_size >= RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise fail(
                name,
                f"压缩包中的“{member}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），像是“压缩炸弹”，整个压缩包已拒收",
                "请检查压缩包的来源",
            )
    budget.files -= len(entries)
    budget.bytes -= total

    results: list[Extracted | Failed] = []
    for member, info in sorted(entries, key=lambda e: e[0]):
        full = f"{name}/{member}"
        kind = kind_of(member)
        if kind is None:
            results.append(Failed(full, unsupported_message(full) + "已跳过这个文件。"))
            continue
        if info.flag_bits & 0x1:
            results.append(Failed(full, str(fail(full, "文件在压缩包中被加密（设了密码），无法读取", "请解压后去掉密码，重新打包导入"))))
            continue
        if info.file_size > limits.max_bytes:
            results.append(
                Failed(full, str(fail(full, f"文件有 {size_text(info.file_size)}，超过导入上限 {size_text(limits.max_bytes)}", "请拆分成较小的文件后导入")))
            )
            continue
        try:
            member_data = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
            results.append(Failed(full, str(fail(full, f"无法从压缩包中解出这个文件（{str(exc)[:80]}）", "请解压检查后重新打包导入"))))
            continue
        if kind == "zip":
            if depth >= 1:
                results.append(Failed(full, str(fail(full, "压缩包里的压缩包又套了压缩包，超过一层的没有打开", "请解压后重新打包导入"))))
                continue
            try:
                results.extend(read(member_data, full, read_member=read_member, ocr=ocr, limits=limits, depth=depth + 1, budget=budget))
            except FormatError as exc:
                results.append(Failed(full, str(exc)))
            continue
        try:
            results.append(read_member(member_data, full, kind, ocr=ocr, limits=limits))
        except FormatError as exc:
            results.append(Failed(full, str(exc)))
        except Exception as exc:  # noqa: BLE001 - one broken member must not sink the bundle
            results.append(Failed(full, str(fail(full, f"读取时出错（{type(exc).__name__}: {str(exc)[:80]}）", "请单独导入这个文件查看详情，或把它另存为其他格式"))))
    return results
