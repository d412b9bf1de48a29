"""The contract: Extracted.text(), Limits from settings, dispatch by suffix, size limits,
capabilities()."""

from pathlib import Path

import pytest

from archive.ingest import formats
from archive.ingest.formats import Extracted, FormatError, Limits, Line
from archive.ingest.formats.base import MB


def test_text_marks_title_and_headings_and_keeps_other_lines_verbatim():
    result = Extracted(
        name="x.docx",
        format="docx",
        engine="test",
        data=b"",
        lines=[
            Line("株洲改革", style="title"),
            Line(""),
            Line("一、总体要求", style="heading1"),
            Line("（一）指导思想", style="heading2"),
            Line("1.基本原则", style="heading3"),
            Line("加粗段落", style="bold"),
            Line("指标 | 数值", style="table"),
            Line("  正文保留空格  "),
        ],
    )
    assert result.text().split("\n") == [
        "# 株洲改革",
        "",
        "## 一、总体要求",
        "### （一）指导思想",
        "1.基本原则",
        "加粗段落",
        "指标 | 数值",
        "  正文保留空格  ",
    ]


def test_limits_default_to_the_documented_values():
    limits = Limits()
    assert limits.max_bytes == 50 * MB
    assert limits.max_files == 200
    assert limits.soffice_timeout == 60
    assert limits.ocr_timeout == 120


def test_limits_follow_django_settings(settings):
    settings.IMPORT_MAX_BYTES = 1234
    settings.IMPORT_MAX_FILES = 7
    limits = Limits()
    assert (limits.max_bytes, limits.max_files) == (1234, 7)


def test_unsupported_suffix_is_refused_in_chinese_naming_the_file(tmp_path):
    path = tmp_path / "统计表.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(FormatError) as excinfo:
        formats.read(path)
    message = str(excinfo.value)
    assert "《统计表.xlsx》" in message and "不支持 .xlsx" in message and "PDF" in message
    with pytest.raises(FormatError, match="没有扩展名"):
        formats.read_bytes(b"abc", "README")


def test_suffix_is_matched_case_insensitively():
    [result] = formats.read_bytes("株洲市改革报告。\n".encode(), "REPORT.TXT")
    assert result.format == "txt"
    assert formats.kind_of("扫描件.JPEG") == "image"
    assert formats.kind_of("页面.HTM") == "html"


def test_name_given_to_read_chooses_the_adapter_and_names_the_result(tmp_path):
    upload = tmp_path / "upload-7f3a.bin"
    upload.write_text("正文第一行\n", encoding="utf-8")
    [result] = formats.read(upload, name="原始报告.txt")
    assert result.name == "原始报告.txt" and result.format == "txt"


def test_file_over_max_bytes_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes("株洲".encode() * 100)

    def no_reading(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(FormatError) as excinfo:
        formats.read(path, limits=Limits(max_bytes=100))
    assert "《big.txt》" in str(excinfo.value) and "超过导入上限" in str(excinfo.value)


def test_read_bytes_applies_max_bytes_too():
    with pytest.raises(FormatError, match="超过导入上限"):
        formats.read_bytes(b"x" * 101, "a.txt", limits=Limits(max_bytes=100))


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="找不到"):
        formats.read(tmp_path / "没有.pdf")


def test_capabilities_list_every_format_with_a_chinese_label():
    caps = formats.capabilities()
    assert [c["format"] for c in caps] == ["txt", "docx", "doc", "wps", "rtf", "odt", "pdf", "scan", "image", "html", "zip"]
    for cap in caps:
        assert cap["label"] and isinstance(cap["available"], bool)
        assert (cap["missing"] == "") == cap["available"]


def test_capabilities_say_what_to_install_when_tools_are_missing(monkeypatch):
    from archive.ingest.formats import libreoffice, ocr

    monkeypatch.setattr(libreoffice, "find_tool", lambda name: None)
    monkeypatch.setattr(ocr, "find_tool", lambda name: None)
    caps = {c["format"]: c for c in formats.capabilities()}
    for fmt in ("doc", "wps", "rtf", "odt"):
        assert caps[fmt]["available"] is False
        assert "LibreOffice" in caps[fmt]["missing"] and "libreoffice-writer-nogui" in caps[fmt]["missing"]
    for fmt in ("scan", "image"):
        assert caps[fmt]["available"] is False
        assert "tesseract-ocr-chi-sim" in caps[fmt]["missing"]
    assert caps["docx"]["available"] and caps["pdf"]["available"] and caps["txt"]["available"]
