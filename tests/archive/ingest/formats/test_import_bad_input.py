"""Bad input, one file at a time (issue 13, item 6): each unreadable or refused file, imported
through the real `import_reports` command beside one good new report, fails alone — a clear
Chinese message naming it, nothing of it written (no rows, no history, no stored file) — while
the good report is imported, and the command exits with a CommandError listing the failed file."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Max

from archive.ingest.formats import libreoffice
from archive.ingest.formats import ocr as ocr_adapter
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    RawDocument,
    Section,
)

from .conftest import require_tool

pytestmark = pytest.mark.django_db

# A new report (not in the seeds, so not a duplicate of the test database's articles): a title
# and two paragraphs.
GOOD_NAME = "城管街长制.txt"
GOOD_TEXT = """城管局在中心城区推行“街长制”

本报讯 今年以来，市城管局在中心城区推行“街长制”，每条主次干道明确一名街长，负责市容环境、
占道经营和共享单车停放的日常巡查，发现问题后两小时内交办处置。

截至十月底，全市共设街长二百一十六名，累计解决各类问题四千余件，群众投诉量同比下降三成。
下一步，该局将把这一做法推广到背街小巷和城乡接合部。
"""

# An old binary Word file as far as the adapter's content check goes (for when LibreOffice is
# not installed and the documents fixture has no real .doc).
FAKE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(2048)

COUNTED = (Article, Section, RawDocument, Caption, Authorship, ArticleDepartment)


def _history_models():
    return [m for m in apps.get_app_config("archive").get_models() if m.__name__.startswith("Historical")]


def _snapshot() -> dict:
    snap = {model: model.objects.count() for model in COUNTED}
    for model in _history_models():
        snap[model] = (model.objects.count(), model.objects.aggregate(top=Max("pk"))["top"] or 0)
    return snap


def _stored_files(media: Path) -> set[str]:
    if not media.exists():
        return set()
    return {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def good(tmp_path) -> Path:
    folder = tmp_path / "good"
    folder.mkdir()
    path = folder / GOOD_NAME
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def fails_alone(bad: Path, good: Path, media: Path, phrases, *options: str) -> dict:
    """Import `bad` then `good` in one command; check the four promises and return bad's JSON entry."""
    before = _snapshot()
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_reports", str(bad), str(good), "--json", *options, stdout=out, stderr=StringIO())
    files = json.loads(out.getvalue())["files"]
    by_name = {f["path"]: f for f in files}
    assert set(by_name) == {bad.name, good.name}, files

    # (1) the bad file failed, with a Chinese message that names it and says what went wrong
    failed = by_name[bad.name]
    assert failed["status"] == "failed", failed
    assert failed["drafts"] == []
    assert f"《{bad.name}》" in failed["error"], failed["error"]
    for phrase in phrases:
        assert phrase in failed["error"], (phrase, failed["error"])

    # (3) the rest of the batch was imported
    assert by_name[good.name]["status"] == "imported", by_name[good.name]
    raw = RawDocument.objects.get(sha256=hashlib.sha256(good.read_bytes()).hexdigest())
    assert raw.filename == good.name
    articles = Article.objects.filter(raw_document=raw)
    assert articles.count() == len(by_name[good.name]["drafts"]) >= 1

    # (2) nothing written for the bad file: only the good file's own rows, history and stored file
    own = {
        Article: articles.count(),
        Section: Section.objects.filter(article__in=articles).count(),
        RawDocument: 1,
        Caption: Caption.objects.filter(article__in=articles).count(),
        Authorship: Authorship.objects.filter(article__in=articles).count(),
        ArticleDepartment: ArticleDepartment.objects.filter(article__in=articles).count(),
    }
    for model in COUNTED:
        assert model.objects.count() == before[model] + own[model], model.__name__
    good_batch = raw.history.get().batch
    for model in _history_models():
        count, top = before[model]
        new = model.objects.filter(pk__gt=top)
        assert model.objects.count() == count + new.count(), model.__name__
        if new.exists():
            assert {"batch"} <= {f.name for f in model._meta.get_fields()}, model.__name__
            assert set(new.values_list("batch", flat=True)) == {good_batch}, model.__name__
    assert not RawDocument.objects.filter(filename__startswith=bad.name).exists()
    assert not RawDocument.history.filter(filename__startswith=bad.name).exists()
    assert _stored_files(media) == {raw.file.name}

    # (4) the command exits non-zero, listing the failed file
    message = str(excinfo.value)
    assert f"《{bad.name}》" in message and "没有导入" in message, message
    assert good.name not in message
    return failed


def _zip(path: Path, members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


# --------------------------------------------------------------------------------------------
# Broken or locked files


def test_encrypted_pdf_fails_alone_saying_it_is_password_protected(doc, good, media):
    fails_alone(doc("encrypted_pdf"), good, media, ["已加密", "去掉密码"])


def test_corrupt_pdf_fails_alone_saying_it_is_damaged(documents, good, media):
    fails_alone(documents["corrupt_pdf"], good, media, ["已损坏", "PDF"])


def test_corrupt_docx_fails_alone_saying_it_is_damaged(documents, good, media):
    fails_alone(documents["corrupt_docx"], good, media, ["已损坏", "另存为 .docx"])


def test_corrupt_zip_fails_alone_saying_it_is_damaged(documents, good, media):
    fails_alone(documents["corrupt_zip"], good, media, ["压缩包已损坏"])


# --------------------------------------------------------------------------------------------
# Dangerous or oversized input


def test_zip_bomb_is_refused_as_a_whole_and_the_batch_goes_on(documents, good, media):
    fails_alone(documents["zip_bomb"], good, media, ["压缩炸弹", "整个压缩包已拒收"])


def test_zip_with_more_members_than_import_max_files_is_refused(settings, tmp_path, good, media):
    settings.IMPORT_MAX_FILES = 3
    bundle = _zip(tmp_path / "五篇报道.zip", [(f"{i}.txt", f"第{i}号文件的正文。".encode()) for i in range(5)])
    fails_alone(bundle, good, media, ["5 个文件", "最多导入 3 个"])


def test_zip_with_a_dotdot_member_is_refused_whole_and_none_of_it_written(tmp_path, good, media):
    members = [("ok.txt", "区政务服务中心推行一窗通办，办事群众不再来回跑。".encode()), ("../evil.txt", "越界写入。".encode())]
    bundle = _zip(tmp_path / "越界.zip", members)
    fails_alone(bundle, good, media, ["“../evil.txt”", "不安全", "整个压缩包已拒收"])
    assert not (tmp_path / "evil.txt").exists() and not (media.parent / "evil.txt").exists()
    assert not Section.objects.filter(body__contains="一窗通办，办事群众不再来回跑").exists()


def test_file_over_import_max_bytes_fails_alone_saying_the_limit(settings, tmp_path, good, media):
    settings.IMPORT_MAX_BYTES = 2048
    assert good.stat().st_size < 2048
    big = tmp_path / "超长报告.txt"
    big.write_text("标题\n\n" + "改革试点工作稳步推进。" * 200, encoding="utf-8")
    assert big.stat().st_size > 2048
    fails_alone(big, good, media, ["超过导入上限", "IMPORT_MAX_BYTES"])


# --------------------------------------------------------------------------------------------
# Scans


def test_image_without_text_fails_alone_saying_nothing_was_recognised(doc, good, media):
    require_tool("tesseract")
    fails_alone(doc("blank_png"), good, media, ["没有识别出文字"])


def _without_tesseract(monkeypatch):
    real = ocr_adapter.find_tool
    monkeypatch.setattr(ocr_adapter, "find_tool", lambda name: None if name == "tesseract" else real(name))


def test_scanned_pdf_without_tesseract_fails_alone_saying_what_to_install(doc, good, media, monkeypatch):
    scan = doc("scan_pdf")
    _without_tesseract(monkeypatch)
    fails_alone(scan, good, media, ["扫描页", "文字识别（OCR）", "缺少", "tesseract-ocr-chi-sim"])


def test_scanned_pdf_with_no_ocr_fails_alone_saying_ocr_is_off(doc, good, media):
    fails_alone(doc("scan_pdf"), good, media, ["没有可用的文字层", "文字识别已关闭", "开启文字识别"], "--no-ocr")


# --------------------------------------------------------------------------------------------
# LibreOffice


def _doc_file(documents, tmp_path) -> Path:
    if "doc" in documents:
        return documents["doc"]
    path = tmp_path / "旧版文档.doc"
    path.write_bytes(FAKE_DOC)
    return path


def test_doc_without_soffice_fails_alone_saying_what_to_install(documents, tmp_path, good, media, monkeypatch):
    monkeypatch.setattr(libreoffice, "find_tool", lambda name: None)
    fails_alone(_doc_file(documents, tmp_path), good, media, ["需要 LibreOffice", "没有安装", "libreoffice-writer-nogui"])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_hanging_soffice_is_stopped_at_the_timeout_leaving_no_process(documents, settings, tmp_path, good, media, monkeypatch):
    settings.IMPORT_SOFFICE_TIMEOUT = 2
    pids = tmp_path / "pids"
    pids.mkdir()
    script = tmp_path / "soffice"
    script.write_text(f'#!/bin/sh\necho $$ > "{pids}/shell"\nsleep 30 &\necho $! > "{pids}/child"\nwait\n')
    script.chmod(0o755)
    monkeypatch.setattr(libreoffice, "find_tool", lambda name: str(script) if name in ("soffice", "libreoffice") else None)

    started = time.monotonic()
    fails_alone(_doc_file(documents, tmp_path), good, media, ["LibreOffice 转换超过 2 秒仍未完成，已中止"])
    assert time.monotonic() - started < 15

    found = {name: int((pids / name).read_text()) for name in ("shell", "child")}
    deadline = time.monotonic() + 3
    while any(_alive(pid) for pid in found.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [name for name, pid in found.items() if _alive(pid)], f"still running: {found}"


# --------------------------------------------------------------------------------------------
# Formats the archive does not read


def test_unsupported_xlsx_fails_alone_with_advice(tmp_path, good, media):
    sheet = tmp_path / "统计表.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    sheet.write_bytes(buffer.getvalue())
    fails_alone(sheet, good, media, ["不支持 .xlsx 文件", "表格请另存为 PDF 后导入"])


def test_the_good_report_alone_imports_cleanly(tmp_path, good, media):
    """The control: the good report is new (not a duplicate of the test database) and needs no tool."""
    out = StringIO()
    call_command("import_reports", str(good), "--json", stdout=out, stderr=StringIO())
    (entry,) = json.loads(out.getvalue())["files"]
    assert entry["status"] == "imported" and not entry["error"]
    assert entry["drafts"][0]["title"] == "城管局在中心城区推行“街长制”" and entry["drafts"][0]["duplicate_of"] is None
    assert len(_stored_files(media)) == 1
    assert os.path.getsize(media / next(iter(_stored_files(media)))) == good.stat().st_size
