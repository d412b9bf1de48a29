"""Optical character recognition with Tesseract (`chi_sim`), for scanned PDF pages and images
(.png .jpg .jpeg .tif .tiff).

Tesseract is run as a program (no Python wrapper needed), one page at a time with a per-page
timeout; its output gets the spaces it puts between Chinese characters removed. Images are opened
with Pillow first (which validates them, splits multi-page TIFFs into pages, and normalises the
colour mode); an image that says nothing about its resolution is assumed to be a scanned A4 page.
"""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
from pathlib import Path

from .base import (
    CJK,
    Extracted,
    Limits,
    Line,
    ToolTimeout,
    fail,
    find_tool,
    remove_cjk_spaces,
    run_tool,
    tidy_blank_lines,
    tool_version,
)

LANGUAGE = "chi_sim"
MISSING = "需要安装 Tesseract 及其简体中文模型（Debian 软件包 tesseract-ocr、tesseract-ocr-chi-sim）"

_WORDY = re.compile(f"[{CJK}A-Za-z0-9]")
_CJK_PUNCT_SPACE = re.compile(f"(?<=[{CJK}]) +(?=[，。、；：！？）》」』】,.;:!?)])|(?<=[（《「『【(]) +(?=[{CJK}])")


def tesseract() -> str | None:
    return find_tool("tesseract")


@functools.lru_cache(maxsize=4)
def _languages(path: str) -> frozenset[str]:
    try:
        done = run_tool([path, "--list-langs"], timeout=30)
    except (OSError, ToolTimeout):
        return frozenset()
    out = (done.stdout + done.stderr).decode("utf-8", "replace")
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def available() -> tuple[bool, str]:
    path = tesseract()
    if path is None or LANGUAGE not in _languages(path):
        return False, MISSING
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False, "需要安装 Python 软件包 Pillow（pip install Pillow）"
    return True, ""


def version() -> str:
    path = tesseract()
    return tool_version(path, r"tesseract\s+v?([\d.]+)") if path else ""


def engine() -> str:
    v = version()
    return f"Tesseract {v}（{LANGUAGE}）" if v else f"Tesseract（{LANGUAGE}）"


def require(name: str, what: str) -> None:
    """FormatError unless Tesseract with the Chinese model can run."""
    ok, missing = available()
    if not ok:
        raise fail(name, f"{what}需要文字识别（OCR），服务器上缺少相应组件", f"请管理员安装：{missing}")


def clean(text: str) -> str:
    """Tesseract's output tidied: no form feeds, no spaces between Chinese characters or before
    Chinese punctuation, no trailing spaces."""
    text = text.replace("\f", "\n")
    out = []
    for line in text.splitlines():
        line = remove_cjk_spaces(line)
        line = _CJK_PUNCT_SPACE.sub("", line)
        out.append(line.strip())
    return "\n".join(out)


def _env() -> dict:
    # Tesseract's OpenMP threads make one page several times slower on a small server (measured
    # 4× on 2 cores); one thread per page unless the administrator says otherwise.
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def recognise(image, name: str, *, dpi: int, limits: Limits, where: str) -> str:
    """The text Tesseract reads in one PIL image (a page)."""
    path = tesseract()
    with tempfile.TemporaryDirectory(prefix="ingest-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, format="PNG", dpi=(dpi, dpi))
        args = [path, str(png), "stdout", "-l", LANGUAGE, "--psm", "3", "--dpi", str(dpi)]
        try:
            done = run_tool(args, timeout=limits.ocr_timeout, cwd=tmp, env=_env())
        except ToolTimeout:
            raise fail(
                name,
                f"{where}的文字识别超过 {limits.ocr_timeout:g} 秒仍未完成，已中止",
                "请降低扫描分辨率或拆分文件后重新导入",
            ) from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise fail(
                name,
                f"{where}的文字识别失败（Tesseract：{detail[-1][:120] if detail else done.returncode}）",
                "请检查图片是否完整，或请管理员检查 Tesseract 的安装",
            )
    return clean(done.stdout.decode("utf-8", "replace"))


def has_text(text: str) -> bool:
    return len(_WORDY.findall(text)) >= 4


def text_lines(text: str, page: int | None) -> list[Line]:
    return tidy_blank_lines([Line(t, page=page) for t in text.splitlines()])


def _guess_dpi(image) -> int:
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    if 70 <= value <= 1200:
        return value
    # No usable resolution: take the image for an A4 page scanned upright (8.27 inches wide).
    width = min(image.size)
    return max(100, min(600, int(width / 8.27)))


def read_image(data: bytes, name: str, *, ocr: bool = True, limits: Limits | None = None, **_) -> Extracted:
    limits = limits or Limits()
    if not data.strip():
        raise fail(name, "文件是空的", "请检查是否选错了文件")
    if not ocr:
        raise fail(name, "这是图片，读取其中的文字需要文字识别（OCR），而文字识别已关闭", "请开启文字识别后重新导入")
    from PIL import Image, ImageOps

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError:
        raise fail(name, "图片像素过多，可能是恶意文件", "请缩小图片尺寸后重新导入") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for broken files
        raise fail(name, "图片已损坏或格式无法识别", "请用看图软件打开确认，另存为 PNG 或 JPEG 后重新导入") from exc

    require(name, "读取图片中的文字")
    frames = getattr(image, "n_frames", 1) or 1
    lines: list[Line] = []
    warnings: list[str] = []
    ocr_pages: list[int] = []
    for index in range(frames):
        try:
            image.seek(index)
            frame = ImageOps.exif_transpose(image.copy())
        except Exception as exc:  # noqa: BLE001
            raise fail(name, f"图片第 {index + 1} 页已损坏", "请重新扫描或另存后导入") from exc
        dpi = _guess_dpi(image)
        frame = frame.convert("L")
        page = index + 1
        where = f"第{page}页" if frames > 1 else "图片"
        text = recognise(frame, name, dpi=dpi, limits=limits, where=where)
        if has_text(text):
            if lines:
                lines.append(Line("", page=page))
            lines.extend(text_lines(text, page))
            ocr_pages.append(page)
            warnings.append(f"{where}的文字由 Tesseract 识别得到，可能有错字，请对照原图核对。")
        elif frames > 1:
            warnings.append(f"第{page}页没有识别出文字。")
    if not ocr_pages:
        raise fail(name, "图片中没有识别出文字", "请确认图片清晰、方向正确（文字横排朝上），必要时重新扫描（建议 200–300 dpi）后导入")
    return Extracted(
        name=name,
        format="image",
        engine=engine(),
        lines=lines,
        data=data,
        ocr=True,
        ocr_pages=ocr_pages,
        warnings=warnings,
    )
