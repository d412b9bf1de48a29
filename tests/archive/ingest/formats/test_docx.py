"""Word .docx with python-docx: styles, tables in document order, core properties, the text."""

import io
import zipfile

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError

from .conftest import record
from .documents import AUTHOR, BYLINE_001, HEADER_TEXT, TABLE_ROWS, normalise, recovered, title_of


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_docx_recovers_the_seed_text(documents, seed_texts, seed):
    [result] = formats.read(documents[f"docx/{seed}"])
    share = recovered(seed_texts[seed], result.plain())
    record(f"docx {seed}: {share:.2%} of seed characters recovered")
    assert share >= 0.98
    assert result.format == "docx" and result.engine.startswith("python-docx ")
    assert result.data == documents[f"docx/{seed}"].read_bytes()


def test_docx_heading_styles_become_heading_lines(documents):
    [result] = formats.read(documents["docx/001"])
    styled = [(line.style, line.text) for line in result.lines if line.style in ("title", "heading1", "heading2")]
    assert styled[0] == ("title", "以变图变展新姿 向远攀高再出发")
    assert styled[1] == ("heading1", "——株洲国资国企“十四五”高质量发展观察")
    assert ("heading2", "机制之变：破立并举，激活一池春水") in styled
    text = result.text()
    assert text.startswith("# 以变图变展新姿 向远攀高再出发\n\n## ——株洲国资国企")
    assert "\n### 机制之变：破立并举，激活一池春水\n" in text


def test_docx_paragraph_whose_runs_are_all_bold_is_marked_bold(documents):
    [result] = formats.read(documents["docx/001"])
    bold = [line.text for line in result.lines if line.style == "bold"]
    assert bold == [BYLINE_001]


def test_docx_table_rows_come_between_the_paragraphs_around_them(documents, seed_texts):
    [result] = formats.read(documents["docx/001"])
    texts = [line.text for line in result.lines]
    rows = [i for i, line in enumerate(result.lines) if line.style == "table"]
    assert [texts[i] for i in rows] == [" | ".join(row) for row in TABLE_ROWS]
    assert rows == list(range(rows[0], rows[0] + len(TABLE_ROWS)))
    before = [t for t in texts[: rows[0]] if t.strip()]
    after = [t for t in texts[rows[-1] + 1 :] if t.strip()]
    seed = normalise(seed_texts["001"])
    # The table sits where documents.py put it: after the fourth body paragraph.
    assert seed.find(normalise(before[-1])) < seed.find(normalise(after[0]))
    assert before[-1].startswith("项目推进到哪里") and after[0] == "机制之变：破立并举，激活一池春水"


def test_docx_paragraphs_are_separated_by_blank_lines_and_page_headers_left_out(documents):
    [result] = formats.read(documents["docx/002"])
    texts = [line.text for line in result.lines]
    assert "" in texts and "" not in (texts[0], texts[-1])
    assert all(a.strip() or b.strip() for a, b in zip(texts, texts[1:])), "two blank lines in a row"
    assert HEADER_TEXT not in result.text()


def test_docx_core_properties_become_hints(documents, seed_texts):
    [result] = formats.read(documents["docx/003"])
    assert result.hints == {"title": title_of(seed_texts["003"]), "author": AUTHOR, "date": "2024-11-05T08:30:00Z"}


def test_docx_left_with_python_docx_template_properties_gives_no_author_hint():
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("株洲市改革报告正文。")
    document.save(buffer)
    [result] = formats.read_bytes(buffer.getvalue(), "plain.docx")
    assert "author" not in result.hints and "date" not in result.hints


def test_docx_text_in_content_controls_and_text_boxes_is_read():
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("正文第一段。")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.element.body.insert(
        1, parse_xml(f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>控件里的文字</w:t></w:r></w:p></w:sdtContent></w:sdt>")
    )
    document.element.body.insert(
        2,
        parse_xml(
            f"<w:p {w}><w:r><w:t>有</w:t></w:r><w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del>"
            f"<w:ins><w:r><w:t>修订</w:t></w:r></w:ins><w:r><w:t>文字</w:t></w:r></w:p>"
        ),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    [result] = formats.read_bytes(buffer.getvalue(), "controls.docx")
    texts = [line.text for line in result.lines if line.text]
    assert texts == ["正文第一段。", "控件里的文字", "有修订文字"]


def test_truncated_docx_is_refused_as_corrupt(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["corrupt_docx"])
    assert "《corrupt.docx》" in str(excinfo.value) and "损坏" in str(excinfo.value)


def test_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是 Word")
    with pytest.raises(FormatError, match="不是 Word 文档"):
        formats.read_bytes(buffer.getvalue(), "假的.docx")


def test_password_protected_docx_is_refused_as_encrypted():
    # A password-protected .docx is an OLE container holding EncryptionInfo and EncryptedPackage.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(1024)
    with pytest.raises(FormatError) as excinfo:
        formats.read_bytes(data, "加密.docx")
    assert "《加密.docx》" in str(excinfo.value) and "已加密" in str(excinfo.value)


def test_docx_without_any_text_is_refused():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(FormatError, match="没有可读的文字"):
        formats.read_bytes(buffer.getvalue(), "空白.docx")
