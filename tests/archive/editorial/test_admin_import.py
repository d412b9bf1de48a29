"""Importing a raw text file by upload: drafts for review from a good file; from a bad file, or
from an import that fails half-way, nothing at all."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from archive.ingest import writer
from archive.models import Article, RawDocument, Section
from search.engine import search

IMPORT = reverse("admin:archive_article_import")


def seed_bytes() -> bytes:
    return sorted((settings.FIXTURES_DIR / "seeds").glob("*.txt"))[0].read_bytes()


def fresh_file(name="新到的版面.txt") -> SimpleUploadedFile:
    # A seed with a line of its own: the same words, different bytes, so not "already imported".
    return SimpleUploadedFile(name, "株洲日报 测试版面\n".encode() + seed_bytes(), content_type="text/plain")


def counts() -> tuple:
    return (
        Article.objects.count(),
        Section.objects.count(),
        RawDocument.objects.count(),
        Article.history.count(),
        Section.history.count(),
        RawDocument.history.count(),
    )


def test_a_good_file_becomes_drafts_for_review_recorded_with_the_editor(editor_client):
    before = set(Article.objects.values_list("pk", flat=True))
    response = editor_client.post(IMPORT, {"file": fresh_file()})
    page = response.content.decode()
    assert response.status_code == 200 and "导入结果" in page and "请逐篇审校后发布" in page
    raw = RawDocument.objects.get(filename="新到的版面.txt")
    drafts = list(Article.objects.exclude(pk__in=before))
    assert drafts and all(a.status == Article.Status.DRAFT and a.raw_document_id == raw.pk for a in drafts)
    assert all(a.sections.exists() for a in drafts)
    for draft in drafts:
        assert f'/admin/archive/article/{draft.pk}/change/' in page
        assert Client().get(draft.get_absolute_url()).status_code == 404
    word = drafts[0].sections.first().body[:8]
    assert not {h.article.pk for h in search(word, {}, page_size=1000).hits} & {a.pk for a in drafts}
    rows = Article.history.filter(id__in=[a.pk for a in drafts])
    assert {r.history_username for r in rows} == {"editor1"}
    assert {r.history_change_reason for r in rows} == {"导入原始文件 新到的版面.txt"}
    assert len({r.batch for r in rows}) == 1


def test_the_same_file_twice_is_imported_once(editor_client):
    editor_client.post(IMPORT, {"file": fresh_file()})
    before = counts()
    page = editor_client.post(IMPORT, {"file": fresh_file("再传一次.txt")}).content.decode()
    assert "以前已导入过" in page
    assert counts() == before


def test_a_binary_file_is_refused_and_nothing_is_written(editor_client):
    before = counts()
    upload = SimpleUploadedFile("图片.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    response = editor_client.post(IMPORT, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "导入失败，没有写入任何内容" in page
    assert counts() == before


def test_an_import_that_fails_half_way_writes_nothing(editor_client, monkeypatch):
    real = writer._save_draft
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满（模拟）")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_save_draft", failing)
    before = counts()
    page = editor_client.post(IMPORT, {"file": fresh_file()}).content.decode()
    assert len(calls) == 2, "the file should hold at least two reports"
    assert "导入失败，没有写入任何内容" in page and "磁盘已满" in page
    assert counts() == before


def test_a_dry_run_shows_the_reports_and_writes_nothing(editor_client):
    before = counts()
    page = editor_client.post(IMPORT, {"file": fresh_file(), "dry_run": "on"}).content.decode()
    assert "检查结果（未写入）" in page
    assert page.count("<tr><td>") >= 1
    assert counts() == before


def test_an_empty_upload_asks_for_a_file(editor_client):
    before = counts()
    response = editor_client.post(IMPORT, {})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert counts() == before


def test_a_reader_cannot_import(make_user):
    make_user("reader1", group="reader", staff=False)
    client = Client()
    client.force_login(User.objects.get(username="reader1"))
    assert client.post(IMPORT, {"file": fresh_file()}).status_code == 302
    assert not RawDocument.objects.filter(filename="新到的版面.txt").exists()
