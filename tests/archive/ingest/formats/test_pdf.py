"""PDF with a text layer: pages, reading order, running headers and footers, metadata, refusals."""

import pytest

from archive.ingest import formats
from archive.ingest.formats import FormatError
from archive.ingest.formats.pdf import is_page_number, pdf_date

from .conftest import record
from .documents import AUTHOR, HEADER_TEXT, normalise, recovered, title_of

SEEDS = ["000", "001", "002", "003", "004"]


@pytest.fixture
def pdf_of(doc, reads):
    def get(key):
        path = doc(key)
        return reads.read(key, path)[0]

    return get


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_recovers_the_seed_text(pdf_of, reads, seed_texts, documents, seed):
    result = pdf_of(f"pdf/{seed}")
    share = recovered(seed_texts[seed], result.plain())
    pages = result.pages()
    record(f"pdf {seed}: {share:.2%} of seed characters recovered, {len(pages)} pages, {reads.seconds[f'pdf/{seed}']:.1f} s")
    assert share >= 0.98
    assert result.format == "pdf" and result.engine.startswith("pdfplumber ") and not result.ocr
    assert result.data == documents[f"pdf/{seed}"].read_bytes()


@pytest.mark.parametrize("seed", ["001", "004"])
def test_pdf_lines_carry_their_page_numbers_in_order(pdf_of, seed):
    result = pdf_of(f"pdf/{seed}")
    pages = [line.page for line in result.lines if line.text]
    assert None not in pages
    assert pages == sorted(pages)
    assert set(pages) == set(range(1, max(pages) + 1)) and max(pages) >= 3


@pytest.mark.parametrize("seed", ["001", "004"])
def test_pdf_running_header_and_page_numbers_are_dropped(pdf_of, seed):
    result = pdf_of(f"pdf/{seed}")
    texts = [line.text.strip() for line in result.lines if line.text.strip()]
    assert HEADER_TEXT not in result.text()
    assert not [t for t in texts if is_page_number(t)], "a page number was left in"
    assert not [t for t in texts if t.startswith("- ") and t.endswith(" -")]


def test_pdf_title_set_large_becomes_a_title_line(pdf_of, seed_texts):
    result = pdf_of("pdf/001")
    first = next(line for line in result.lines if line.text)
    assert (first.style, first.text) == ("title", title_of(seed_texts["001"]))
    assert result.text().startswith(f"# {title_of(seed_texts['001'])}\n")


def test_pdf_metadata_becomes_hints(pdf_of, seed_texts):
    result = pdf_of("pdf/003")
    assert result.hints["title"] == title_of(seed_texts["003"])
    assert result.hints["author"] == AUTHOR
    assert result.hints["date"][:4].isdigit() and result.hints["date"][4] == "-"


def _seed_order(lines, seed):
    """Positions in the seed of the lines that can be found there (6+ characters)."""
    positions = []
    for text in lines:
        key = normalise(text)
        if len(key) >= 6:
            positions.append(seed.find(key))
    found = [p for p in positions if p >= 0]
    return positions, found


def test_two_column_pdf_reads_left_column_first(doc, pdf_of, seed_texts):
    import pdfplumber

    result = pdf_of("two_column_pdf")
    seed = normalise(seed_texts["000"])
    page1 = [line.text for line in result.lines if line.page == 1 and line.text and line.style != "title"]
    positions, found = _seed_order(page1, seed)
    assert len(found) >= 0.95 * len(positions), "lines mixing both columns"
    in_order = sum(1 for a, b in zip(found, found[1:]) if b > a)
    assert in_order >= 0.95 * (len(found) - 1)
    # The left column's last line comes before the right column's first line, in the seed too.
    share = recovered(seed_texts["000"], result.plain())
    record(f"two-column pdf 000: {share:.2%} of seed characters recovered in reading order")
    assert share >= 0.98
    # The page really has two columns side by side: read row by row (pdfplumber's own
    # extract_text), lines from both columns mix or alternate.
    with pdfplumber.open(doc("two_column_pdf")) as pdf:
        naive = pdf.pages[0].extract_text().splitlines()
    naive_positions, naive_found = _seed_order(naive, seed)
    naive_in_order = sum(1 for a, b in zip(naive_found, naive_found[1:]) if b > a)
    assert naive_in_order < 0.8 * (len(naive_found) - 1)


def test_two_column_pdf_title_over_both_columns_comes_first(pdf_of, seed_texts):
    result = pdf_of("two_column_pdf")
    first = next(line for line in result.lines if line.text)
    assert (first.style, first.text) == ("title", title_of(seed_texts["000"]))
    second = next(line for line in result.lines[1:] if line.text)
    assert second.text.startswith("写在前面")


def test_encrypted_pdf_is_refused_asking_to_remove_the_password(doc):
    with pytest.raises(FormatError) as excinfo:
        formats.read(doc("encrypted_pdf"))
    message = str(excinfo.value)
    assert message.startswith("《encrypted.pdf》：文件已加密") and "密码" in message


def test_corrupt_pdf_is_refused(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["corrupt_pdf"])
    assert "《corrupt.pdf》" in str(excinfo.value) and "损坏" in str(excinfo.value)


def test_file_without_pdf_header_is_refused():
    with pytest.raises(FormatError, match="不是 PDF"):
        formats.read_bytes("这不是 PDF".encode() * 10, "假的.pdf")


@pytest.mark.parametrize("text", ["- 3 -", "— 12 —", "3", "第3页", "第 3 页 共 12 页", "3/12", "Page 3 of 12"])
def test_bare_page_numbers_are_recognised(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["第3版 要闻", "3月12日", "2024年", "一、总体要求"])
def test_text_is_not_taken_for_a_page_number(text):
    assert not is_page_number(text)


def test_pdf_dates_become_iso_strings():
    assert pdf_date("D:20241105083000+08'00'") == "2024-11-05T08:30:00+08:00"
    assert pdf_date("D:20241105") == "2024-11-05"
    assert pdf_date("D:20241105083000Z") == "2024-11-05T08:30:00Z"
