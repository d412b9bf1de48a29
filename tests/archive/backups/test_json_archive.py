"""export_archive and import_archive: the whole archive out and back into an empty database,
byte for byte, on whichever database the suite runs on (SQLite or PostgreSQL)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from archive import services
from archive.backups import json_archive as backup
from archive.history import revisions
from archive.history.versions import Timeline
from archive.models import Article, LoginFailure, Mention, Section
from search.engine import search
from search.models import ArticleDocument, SearchDocument


def clear_archive():
    """Empty every table a backup holds (inside the test's transaction), as a new database is."""
    for _key, model in reversed(backup.all_tables()):
        model._base_manager.all()._raw_delete(model._base_manager.db)
    Mention.objects.all()._raw_delete(Mention.objects.db)
    SearchDocument.objects.all()._raw_delete(SearchDocument.objects.db)
    ArticleDocument.objects.all()._raw_delete(ArticleDocument.objects.db)
    assert backup.non_empty_tables() == []


def export(tmp_path, name) -> bytes:
    path = tmp_path / name
    call_command("export_archive", str(path), verbosity=0)
    return path.read_bytes()


def searched(q):
    return [(hit.article.pk, hit.section.pk) for hit in search(q, {}, page_size=1000).hits]


@pytest.fixture
def edited_archive(editor, published_article):
    """The corpus plus some editorial history: an edit, a split, a draft, a deletion."""
    from archive.models import Initiative

    section = published_article.sections.order_by("order").first()
    section.body += "\n备份测试补充的一段。"
    with revisions.revision(user=editor, reason="测试编辑"):
        section.save()
    services.section_split(section=section, at=2, heading="备份测试拆出")
    services.article_set_status(article=published_article, status=Article.Status.DRAFT, user=editor)
    services.article_set_status(article=published_article, status=Article.Status.PUBLISHED, user=editor)
    Article.objects.exclude(pk=published_article.pk).order_by("pk").last().delete()
    initiative = Initiative.objects.first()
    initiative.aliases = [*initiative.aliases, "备份别名"]
    initiative.save()
    LoginFailure.objects.create(username="x", ip="127.0.0.1", at=published_article.updated_at)
    return published_article


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_bytes(tmp_path, edited_archive, vendor):
    first = export(tmp_path, "first.json")
    queries = ["园区", "国企改革", "备份测试补充"]
    before = {q: searched(q) for q in queries}
    mentions = sorted(Mention.objects.values_list("initiative_id", "section_id", "count"))

    clear_archive()
    call_command("import_archive", str(tmp_path / "first.json"), verbosity=0)

    assert export(tmp_path, "second.json") == first
    assert {q: searched(q) for q in queries} == before  # the index was rebuilt, not exported
    assert sorted(Mention.objects.values_list("initiative_id", "section_id", "count")) == mentions
    assert Client().get(edited_archive.get_absolute_url()).status_code == 200
    versions = Timeline(Article, edited_archive.pk).versions
    assert any(v.reason == "拆分段落" for v in versions)


def test_the_export_is_documented_json_with_a_format_version(tmp_path, db):
    document = json.loads(export(tmp_path, "a.json"))
    assert document["format"] == "reform-archive-backup" and document["format_version"] == 1
    assert {"article", "section", "initiative", "department", "history.article", "history.section"} <= set(document["tables"])
    assert "mention" not in document["tables"] and not any("search" in key for key in document["tables"])
    rows = document["tables"]["section"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert "history_user_id" not in document["tables"]["history.article"][0]
    assert "history_username" in document["tables"]["history.article"][0]


def test_new_rows_after_an_import_get_fresh_ids(tmp_path, make_article):
    export(tmp_path, "a.json")
    top = Article.objects.order_by("-pk").first().pk
    clear_archive()
    call_command("import_archive", str(tmp_path / "a.json"), verbosity=0)
    assert make_article(title="导入后新建").pk > top
    assert Section.objects.order_by("-pk").first().pk > 0


def test_history_rows_find_their_user_again_by_name(tmp_path, editor_client, published_article, editor):
    data_page = editor_client.get(f"/admin/archive/article/{published_article.pk}/change/")
    from tests.archive.conftest import form_data

    data = form_data(data_page, "article_form")
    data["subtitle"] = "有人改过"
    editor_client.post(f"/admin/archive/article/{published_article.pk}/change/", data)
    export(tmp_path, "a.json")
    clear_archive()
    call_command("import_archive", str(tmp_path / "a.json"), verbosity=0)
    row = Article.history.filter(id=published_article.pk, history_username="editor1").first()
    assert row is not None and row.history_user_id == editor.pk


def test_import_refuses_a_database_that_is_not_empty_and_changes_nothing(tmp_path, db):
    export(tmp_path, "a.json")
    count = Article.objects.count()
    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("import_archive", str(tmp_path / "a.json"), verbosity=0)
    assert Article.objects.count() == count


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(format_version=2), "只能读取第 1 版"),
        (lambda d: d.update(format="something-else"), "不是档案备份文件"),
        (lambda d: d["tables"].update(surprise=[]), "不认识的表"),
        (lambda d: d["tables"]["section"][-1].update(colour="red"), "不认识的字段"),
        (lambda d: d["tables"]["article"][0].update(date="yesterday"), "article 第 1 行"),
        (lambda d: d["tables"]["section"][0].update(article_id=999_999), "引用不完整"),
    ],
)
def test_a_bad_backup_restores_nothing(tmp_path, db, change, message):
    document = json.loads(export(tmp_path, "a.json"))
    change(document)
    (tmp_path / "bad.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    clear_archive()
    with pytest.raises(CommandError, match=message):
        call_command("import_archive", str(tmp_path / "bad.json"), verbosity=0)
    assert backup.non_empty_tables() == []


def test_a_dry_run_checks_the_file_and_writes_nothing(tmp_path, db):
    export(tmp_path, "a.json")
    clear_archive()
    call_command("import_archive", str(tmp_path / "a.json"), "--dry-run", verbosity=0)
    assert backup.non_empty_tables() == []


def test_a_file_that_is_not_json_is_refused(tmp_path, db):
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是合法的 JSON"):
        call_command("import_archive", str(tmp_path / "x.json"), verbosity=0)
