"""The editorial services store text by archive.text.stored_text: a heading given to a split, and
what a restore brings back from a version saved before the rule (which may hold control
characters) are cleaned on the way in."""

import pytest

from archive import services
from archive.history.versions import Timeline
from archive.models import Article, Initiative


@pytest.mark.django_db
def test_a_split_heading_is_stored_without_control_characters(make_article):
    article = make_article(sections=(("", "第一段。\n第二段。"),))
    new = services.section_split(section=article.sections.get(), at=2, heading="拆\x0b出\x00的\x85小标题\ufffe")
    assert new.heading == "拆 出的 小标题"


@pytest.mark.django_db
def test_restoring_a_version_saved_before_the_rule_brings_back_clean_text(make_article):
    # make_article writes through the ORM, past every cleaning: as data stored before it was
    # (not NUL: PostgreSQL stores no text with one)
    article = make_article(title="旧\x0b标题\x1f", sections=(("小\x0c标题", "正文\x0c第二页\x01。"),))
    old = Timeline(Article, article.pk).versions[-1]
    article.title = "新标题"
    article.save()
    services.article_restore(article_id=article.pk, batch=old.batch)
    article.refresh_from_db()
    section = article.sections.get()
    assert (article.title, section.heading, section.body) == ("旧 标题", "小 标题", "正文\n第二页。")


@pytest.mark.django_db
def test_restoring_a_catalog_record_cleans_its_names_and_aliases():
    initiative = Initiative.objects.create(name="测验\x0b举措", aliases=["别\x0c名", "另一\x01别名"], category="other", slug="test-restore-chars")
    old = Timeline(Initiative, initiative.pk).versions[-1]
    initiative.name = "测验举措改"
    initiative.save()
    services.record_restore(model=Initiative, object_id=initiative.pk, batch=old.batch)
    initiative.refresh_from_db()
    assert (initiative.name, initiative.aliases) == ("测验 举措", ["别 名", "另一别名"])
