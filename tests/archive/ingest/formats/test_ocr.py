"""Scanned PDF pages and images through Tesseract (chi_sim)."""

import io

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError, ocr
from archive.ingest.formats.base import remove_cjk_spaces

from .conftest import record, require_tool
from .documents import HEADER_TEXT, character_error_rate, recovered

CER_BOUND = 0.03  # measured 1.5 % for a 200 dpi page of seed 002


def test_only_the_page_without_text_layer_is_ocred(doc, reads, seed_texts, documents):
    require_tool("tesseract")
    [result] = reads.read("mixed_pdf", doc("mixed_pdf"))
    assert result.format == "pdf" and result.ocr and result.ocr_pages == [1]
    assert "pdfplumber" in result.engine and "Tesseract" in result.engine and "chi_sim" in result.engine
    assert [w for w in result.warnings if "第1页" in w and "Tesseract" in w]
    assert not [w for w in result.warnings if "第2页" in w]
    assert result.data == documents["mixed_pdf"].read_bytes()
    # The text-layer pages come through exactly as from the original PDF.
    [original] = reads.read("pdf/002", doc("pdf/002"))
    assert [l.text for l in result.lines if l.page and l.page > 1] == [l.text for l in original.lines if l.page and l.page > 1]


def test_ocred_page_character_error_rate_is_low(doc, reads, seed_texts):
    require_tool("tesseract")
    [result] = reads.read("mixed_pdf", doc("mixed_pdf"))
    page1 = "\n".join(line.text for line in result.lines if line.page == 1)
    cer, region = character_error_rate(page1, seed_texts["002"])
    record(
        f"OCR (Tesseract chi_sim, 200 dpi) page 1 of seed 002: character error rate {cer:.2%} over {len(region)} characters; "
        f"whole mixed PDF read in {reads.seconds['mixed_pdf']:.1f} s"
    )
    assert len(region) > 500
    assert cer <= CER_BOUND
    assert HEADER_TEXT not in page1, "the running header was not dropped from the OCRed page"
    assert recovered(seed_texts["002"], result.plain()) >= 0.97


def test_tesseract_spaces_between_chinese_characters_are_removed(doc, reads):
    require_tool("tesseract")
    [result] = reads.read("mixed_pdf", doc("mixed_pdf"))
    import re

    page1 = "\n".join(line.text for line in result.lines if line.page == 1)
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", page1)


def test_pdf_without_any_text_layer_is_a_scan(doc, reads):
    require_tool("tesseract")
    [result] = reads.read("scan_pdf", doc("scan_pdf"))
    assert result.format == "scan" and result.ocr_pages == [1]
    assert result.engine.startswith("Tesseract ") and "（chi_sim）" in result.engine
    assert "株洲市工业和信息化局文件" in result.plain()


def test_scanned_page_with_ocr_off_is_refused_saying_so(doc, monkeypatch):
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: pytest.fail("OCR ran"))
    with pytest.raises(FormatError) as excinfo:
        formats.read(doc("mixed_pdf"), ocr=False)
    message = str(excinfo.value)
    assert "《mixed.pdf》" in message and "第1页" in message and "文字识别已关闭" in message


def test_image_is_ocred(doc, reads, seed_texts, documents):
    require_tool("tesseract")
    [result] = reads.read("crop_png", doc("crop_png"))
    assert result.format == "image" and result.ocr and result.ocr_pages == [1]
    assert result.warnings and "Tesseract" in result.warnings[0]
    assert result.data == documents["crop_png"].read_bytes()
    cer, region = character_error_rate(result.plain(), HEADER_TEXT + "\n" + seed_texts["002"])
    record(f"OCR image (top third of a page, 200 dpi): character error rate {cer:.2%} over {len(region)} characters, {reads.seconds['crop_png']:.1f} s")
    assert cer <= 0.05


def test_jpeg_and_multipage_tiff_are_read_page_by_page(doc):
    require_tool("tesseract")
    from PIL import Image

    with Image.open(doc("crop_png")) as image:
        page = image.convert("L")
        tiff = io.BytesIO()
        page.save(tiff, format="TIFF", save_all=True, append_images=[page.copy()], dpi=(200, 200))
        jpeg = io.BytesIO()
        page.save(jpeg, format="JPEG", quality=90, dpi=(200, 200))
    [result] = formats.read_bytes(tiff.getvalue(), "扫描.TIF")
    assert result.ocr_pages == [1, 2] and {line.page for line in result.lines} == {1, 2}
    [result] = formats.read_bytes(jpeg.getvalue(), "扫描.jpg")
    assert "株洲市工业和信息化局文件" in result.plain()


def test_image_without_text_is_refused(doc):
    require_tool("tesseract")
    with pytest.raises(FormatError) as excinfo:
        formats.read(doc("blank_png"))
    assert "《blank.png》" in str(excinfo.value) and "没有识别出文字" in str(excinfo.value)


def test_broken_image_is_refused():
    with pytest.raises(FormatError, match="图片已损坏"):
        formats.read_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "坏图.png")


def test_missing_tesseract_is_a_format_error_saying_how_to_install_it(doc, monkeypatch):
    monkeypatch.setattr(ocr, "find_tool", lambda name: None)
    for path in (doc("crop_png"), doc("mixed_pdf")):
        with pytest.raises(FormatError) as excinfo:
            formats.read(path)
        message = str(excinfo.value)
        assert f"《{path.name}》" in message
        assert "tesseract-ocr" in message and "tesseract-ocr-chi-sim" in message


def test_image_with_ocr_off_is_refused():
    with pytest.raises(FormatError, match="文字识别已关闭"):
        formats.read_bytes(b"\x89PNG\r\n\x1a\n", "图.png", ocr=False)


def test_spaces_are_removed_only_between_chinese_characters():
    assert remove_cjk_spaces("株 洲 市 ， 改 革") == "株洲市，改革"
    assert remove_cjk_spaces("2022 年 6 月 page one") == "2022 年 6 月 page one"
    assert ocr.clean("株 洲\f市 工 信 局 ，\n") == "株洲\n市工信局，"
