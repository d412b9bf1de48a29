"""A batch of documents in several formats and encodings, imported in one command: each report
once, the rest reported as duplicates; a file that cannot be read fails alone, writing nothing."""

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archive.models import Article, RawDocument

pytestmark = pytest.mark.django_db

SEED = sorted((Path(settings.FIXTURES_DIR) / "seeds").glob("*.txt"))[2]

NEW_REPORT = """市场监管局推行“证照分离”改革试点

本报讯 近日，市市场监管局在高新区启动“证照分离”改革试点，涉企经营许可事项实行清单管理，
企业办事时间平均压缩一半以上。试点期间，共有三百余家企业受益，群众满意度明显提升。
下一步，该局将总结试点经验，在全市范围推广，持续优化营商环境。
"""


def batch(folder: Path) -> Path:
    folder.mkdir()
    text = NEW_REPORT
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b-gbk.txt").write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    docx = pytest.importorskip("docx")
    document = docx.Document()
    title, *paragraphs = [p for p in text.split("\n\n")]
    document.add_paragraph(title, style="Title")
    for paragraph in paragraphs:
        document.add_paragraph(paragraph.replace("\n", ""))
    document.save(folder / "c.docx")
    with zipfile.ZipFile(folder / "d.zip", "w") as bundle:
        bundle.writestr("inner/a-copy.txt", text.encode("utf-8"))
    (folder / "e.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return folder


def test_a_mixed_batch_imports_each_report_once_and_reports_the_rest(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = batch(tmp_path / "in")
    before_articles, before_raw = Article.objects.count(), RawDocument.objects.count()
    out = StringIO()
    with pytest.raises(CommandError, match="e.pdf"):
        call_command("import_reports", str(folder), "--json", stdout=out, stderr=StringIO())
    files = {Path(f["path"]).name: f for f in json.loads(out.getvalue())["files"]}
    assert set(files) == {"a.txt", "b-gbk.txt", "c.docx", "a-copy.txt", "e.pdf"}
    assert files["a.txt"]["status"] == "imported" and files["a.txt"]["format"] == "txt"
    for name in ("b-gbk.txt", "c.docx", "a-copy.txt"):  # another encoding, another format, the same bytes
        assert files[name]["status"] == "duplicate", (name, files[name])
        assert files[name]["drafts"][0]["duplicate_of"]["title"] == "市场监管局推行“证照分离”改革试点"
    assert files["e.pdf"]["status"] == "failed" and "e.pdf" in files["e.pdf"]["error"]
    assert files["e.pdf"]["drafts"] == []
    assert set(files["a.txt"]["drafts"][0]) == {
        "title", "date", "date_precision", "date_inferred", "source", "page", "doc_number", "authors", "departments",
        "sections", "duplicate_of", "similarity",
    }
    assert Article.objects.count() == before_articles + 1
    assert RawDocument.objects.count() == before_raw + 1
    raw = RawDocument.objects.get(filename="a.txt")
    assert raw.format == "txt" and raw.file.read() == (folder / "a.txt").read_bytes()  # kept byte for byte


def test_a_reprint_with_a_changed_title_is_a_draft_marked_as_a_possible_duplicate(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    first = tmp_path / "first.txt"
    first.write_text(NEW_REPORT, encoding="utf-8")
    call_command("import_reports", str(first), stdout=StringIO(), stderr=StringIO())
    reprint = tmp_path / "reprint.txt"
    reprint.write_text(
        NEW_REPORT.replace("市场监管局推行“证照分离”改革试点", "“证照分离”改革在高新区试点")
        + "\n（记者 张三 通讯员 李四）\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_reports", str(reprint), stdout=out, stderr=StringIO())
    draft = Article.objects.get(raw_document__filename="reprint.txt")
    assert draft.duplicate_of is not None and draft.duplicate_of.title == "市场监管局推行“证照分离”改革试点"
    assert 0.8 <= draft.duplicate_similarity < 1
    assert "可能与《市场监管局推行“证照分离”改革试点》重复" in draft.editorial_note
    assert "可能与" in out.getvalue()


def test_the_seeds_already_in_the_archive_are_recognised(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("import_reports", str(SEED), "--dry-run", "--json", stdout=out, stderr=StringIO())
    (found,) = json.loads(out.getvalue())["files"]
    assert found["drafts"] and all(d["duplicate_of"] for d in found["drafts"])
