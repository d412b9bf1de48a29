"""Importing a raw text file by upload: drafts for review from a good file; from a bad file, or
from an import that fails half-way, nothing at all."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from archive.ingest import writer
from archive.models import Article, RawDocument, Section
from search.engine import search

IMPORT = reverse("admin:archive_article_import")



NEW_PAGE = """株洲日报 测试版面

市场监管局推行“证照分离”改革试点

本报讯 近日，市市场监管局在高新区启动“证照分离”改革试点，涉企经营许可事项实行清单管理，企业办事时间平均压缩一半以上。
试点期间，共有三百余家企业受益，群众满意度明显提升。下一步，该局将总结试点经验，在全市范围推广。

（记者 张三）

醴陵陶瓷产业园探索“园区+企业”共建模式

本报讯 醴陵陶瓷产业园近日与十余家龙头企业签订共建协议，园区负责基础设施和公共服务，企业负责生产组织和技术攻关。
共建模式推行以来，园区新增标准厂房二十万平方米，入园企业产值同比增长两成。
"""


def fresh_file(name="新到的版面.txt") -> SimpleUploadedFile:
    # Two reports the archive does not hold yet (the seeds' reports are in it already).
    return SimpleUploadedFile(name, NEW_PAGE.encode(), content_type="text/plain")


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
    # The same reports in another encoding are the same reports: reported, not imported again.
    again = SimpleUploadedFile("另一种编码.txt", NEW_PAGE.replace("\n", "\r\n").encode("gb18030"))
    page = editor_client.post(IMPORT, {"file": again}).content.decode()
    assert "与《市场监管局推行“证照分离”改革试点》相同，未再导入" in page
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


def test_the_home_page_lists_drafts_waiting_for_review_with_their_file_and_duplicates(editor_client):
    editor_client.post(IMPORT, {"file": fresh_file()})
    reprint = NEW_PAGE.replace("市场监管局推行“证照分离”改革试点", "“证照分离”改革在高新区试点").replace(
        "下一步，该局将总结试点经验，在全市范围推广。", "下一步，该局将总结试点经验，在全市范围推广，并向省里报送。"
    )
    editor_client.post(IMPORT, {"file": SimpleUploadedFile("转载.txt", reprint.encode())})
    page = editor_client.get(reverse("admin:index")).content.decode()
    panel = page.split('id="pending-drafts"')[1].split("</ul>")[0]
    assert "待审草稿" in page
    newest = Article.objects.filter(status=Article.Status.DRAFT).order_by("-created_at", "-pk").first()
    assert newest.raw_document.filename == "转载.txt"
    assert panel.index("转载.txt") < panel.index("新到的版面.txt")  # newest first
    assert "纯文本" in panel
    assert "可能与" in panel and "《市场监管局推行“证照分离”改革试点》" in panel and "重复（相似度" in panel


def test_the_uploaded_file_is_kept_byte_for_byte_and_offered_to_staff_only(editor_client):
    upload = fresh_file()
    editor_client.post(IMPORT, {"file": upload})
    raw = RawDocument.objects.get(filename="新到的版面.txt")
    download = reverse("admin:archive_rawdocument_download", args=[raw.pk])
    response = editor_client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == NEW_PAGE.encode()
    assert Client().get(download).status_code == 302  # signed out: to the sign-in page
    article = raw.articles.first()
    article.status = Article.Status.PUBLISHED
    article.save()
    original = reverse("archive:article_original", kwargs={"slug": article.slug})
    staff_page = editor_client.get(original).content.decode()
    public_page = Client().get(original).content.decode()
    assert "原始文件：新到的版面.txt（纯文本）" in public_page and download not in public_page
    assert download in staff_page
