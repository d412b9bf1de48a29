"""Plain text: strict UTF-8 (with or without BOM), else strict GB18030, lines verbatim."""

import codecs

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError


def test_gb18030_seed_is_decoded_with_every_line_verbatim(documents, seed_texts):
    [result] = formats.read(documents["txt_gb18030"])
    assert result.encoding == "gb18030"
    assert [line.text for line in result.lines] == seed_texts["003"].splitlines()
    assert result.data == documents["txt_gb18030"].read_bytes()


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("株洲市改革\n第二行\n".encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + "株洲市改革\n第二行\n".encode("utf-8"), "utf-8-sig"),
        ("株洲市改革\n第二行\n".encode("gb18030"), "gb18030"),
    ],
)
def test_utf8_bom_and_gb18030_are_told_apart(data, encoding):
    [result] = formats.read_bytes(data, "a.txt")
    assert result.encoding == encoding
    assert [line.text for line in result.lines] == ["株洲市改革", "第二行"]


def test_crlf_and_cr_line_ends_and_trailing_spaces_are_kept_verbatim():
    [result] = formats.read_bytes("第一行  \r\n\r\n第二行\r第三行".encode(), "a.txt")
    assert [line.text for line in result.lines] == ["第一行  ", "", "第二行", "第三行"]
    assert result.text() == "第一行  \n\n第二行\n第三行"


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "空的"),
        (b"  \n\r\n ", "空的"),
        ("株洲 report".encode("utf-16-le"), "NUL"),
        (bytes(range(1, 9)) * 40 + "株洲".encode(), "控制字符"),
        (b"\x81\x30\xff\xfe" * 50, "既不是 UTF-8 也不是 GB18030"),
    ],
)
def test_empty_nul_and_binary_files_are_refused_in_chinese(data, words):
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, "报告.txt")
    assert "《报告.txt》" in str(excinfo.value) and words in str(excinfo.value)
