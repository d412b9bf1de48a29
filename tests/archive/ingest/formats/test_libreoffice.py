""".doc, .wps, .rtf, .odt through LibreOffice to .docx."""

import os
from pathlib import Path

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError, Limits, libreoffice

from .conftest import record, require_tool
from .documents import AUTHOR, recovered, title_of


@pytest.mark.parametrize("fmt", ["doc", "wps", "rtf", "odt"])
def test_libreoffice_formats_recover_the_seed_text(converted, documents, seed_texts, reads, fmt):
    result = converted[fmt]
    share = recovered(seed_texts["002"], result.plain())
    record(f"{fmt} 002: {share:.2%} of seed characters recovered ({reads.seconds['lo/' + fmt]:.1f} s with LibreOffice)")
    assert share >= 0.98
    assert result.format == fmt
    assert result.engine.startswith("LibreOffice ") and " → python-docx " in result.engine
    assert result.data == documents[fmt].read_bytes()


def test_libreoffice_formats_keep_title_style_and_document_properties(converted, seed_texts):
    for fmt in ("doc", "odt", "rtf"):
        result = converted[fmt]
        first = next(line for line in result.lines if line.text)
        assert (first.style, first.text) == ("title", title_of(seed_texts["002"])), fmt
        assert result.hints.get("title") == title_of(seed_texts["002"]), fmt
        assert result.hints.get("author") == AUTHOR, fmt


def test_old_doc_saved_with_docx_name_is_read_through_libreoffice(converted, seed_texts):
    result = converted["doc_as_docx"]
    assert recovered(seed_texts["002"], result.plain()) >= 0.98
    assert result.engine.startswith("LibreOffice ")
    assert "旧版 Word" in result.warnings[0]


def test_missing_soffice_is_a_format_error_saying_how_to_install_it(documents, monkeypatch):
    monkeypatch.setattr(libreoffice, "find_tool", lambda name: None)
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(512), "报告.doc")
    message = str(excinfo.value)
    assert "《报告.doc》" in message and "LibreOffice" in message and "libreoffice-writer-nogui" in message


def _soffice_processes_of_ours() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ingest-soffice-" in cmdline:
            pids.append(int(proc.name))
    return pids


def test_soffice_past_the_timeout_is_killed_with_its_process_group(documents):
    require_tool("soffice")
    data = documents["doc"].read_bytes() if "doc" in documents else b""
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, "慢.doc", limits=Limits(soffice_timeout=0.3))
    assert "超过 0.3 秒" in str(excinfo.value) and "《慢.doc》" in str(excinfo.value)
    assert _soffice_processes_of_ours() == [], "soffice (or soffice.bin) outlived the timeout"


@pytest.mark.parametrize(
    "data, name",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, "不是Word.doc"),
        (bytes(range(256)) * 8, "乱码.wps"),
        (bytes(range(256)) * 8, "乱码.odt"),
        (b"hello", "乱码.rtf"),
    ],
)
def test_file_that_is_plainly_not_a_document_is_refused_before_libreoffice(data, name, monkeypatch):
    monkeypatch.setattr(libreoffice, "convert_to_docx", lambda *a, **k: pytest.fail("LibreOffice was started"))
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, name)
    assert f"《{name}》" in str(excinfo.value) and ("不是" in str(excinfo.value) or "损坏" in str(excinfo.value))


def test_file_libreoffice_cannot_open_is_a_format_error():
    require_tool("soffice")
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(b"{\\rtf1 \xff\xfe broken", "坏的.rtf")
    assert "《坏的.rtf》" in str(excinfo.value) and "LibreOffice 无法打开" in str(excinfo.value)


def test_noise_libreoffice_imports_as_text_is_refused():
    require_tool("soffice")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + os.urandom(4096)
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, "损坏.doc")
    assert "《损坏.doc》" in str(excinfo.value) and "无法识别" in str(excinfo.value)
