"""Saving updates the index at once; drafts are never found; drift is reported; rebuild mends."""

import pytest
from django.core.management import CommandError, call_command

from archive.models import Article, Initiative, Section
from search import indexing
from search.engine import search
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def slugs(query):
    return {hit.article.slug for hit in search(query, page_size=1000).hits}


def test_a_saved_section_is_searchable_at_once(make_article):
    article = make_article(sections=[("", "旧的正文写着甲乙丙丁。")])
    assert article.slug in slugs("甲乙丙丁")
    section = article.sections.get()
    section.body = "新的正文写着戊己庚辛。"
    section.save()
    assert article.slug in slugs("戊己庚辛")
    assert article.slug not in slugs("甲乙丙丁")


def test_a_renamed_article_is_found_by_its_new_title(make_article):
    article = make_article(title="原来的测验标题")
    article.title = "更改后的测验标题"
    article.save()
    assert article.slug in slugs("更改后的测验标题") and article.slug not in slugs("原来的测验标题")


def test_drafts_are_never_found(make_article):
    article = make_article(sections=[("", "草稿里的子丑寅卯。")], status=Article.Status.DRAFT)
    assert article.slug not in slugs("子丑寅卯")
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.slug in slugs("子丑寅卯")
    article.status = Article.Status.DRAFT
    article.save()
    assert article.slug not in slugs("子丑寅卯")


def test_a_deleted_section_leaves_the_index(make_article):
    article = make_article(sections=[("", "将被删除的辰巳午未。")])
    article.sections.get().delete()
    assert article.slug not in slugs("辰巳午未")
    assert indexing.drift() == []


def test_a_new_alias_makes_sections_match_the_initiative_field(make_article):
    article = make_article(sections=[("", "推行测验项目包干制。")])
    initiative = Initiative.objects.create(name="测验项目包干改革", category="other", slug="test-baogan")
    initiative.aliases = ["测验项目包干制"]
    initiative.save()
    doc = SearchDocument.objects.get(section=article.sections.get())
    assert "测验项目包干改革" in doc.init_words


def test_check_index_is_clean_after_the_corpus_loads():
    call_command("check_index", verbosity=0)


def test_check_index_reports_drift_and_rebuild_mends_it():
    section = Section.objects.filter(article__status="published").first()
    SearchDocument.objects.filter(section=section).delete()
    with pytest.raises(CommandError):
        call_command("check_index", verbosity=0)
    call_command("rebuild_index", verbosity=0)
    call_command("check_index", verbosity=0)


def test_rebuild_changes_no_result():
    before = [(h.article.slug, h.score) for h in search("园区", page_size=100).hits]
    call_command("rebuild_index", verbosity=0)
    after = [(h.article.slug, h.score) for h in search("园区", page_size=100).hits]
    assert before == after
