"""The editorial services in archive/services/: one revision per act, every word kept, versions
raised, and restores that bring back exactly what was there."""

import pytest
from django.contrib.auth.models import User

from archive import services
from archive.history import revisions
from archive.history.versions import Timeline, live_state
from archive.models import Article, Authorship, Caption, Department, Initiative, Person, Section


@pytest.fixture
def user(db):
    return User.objects.create_user("servicer", password="x")


@pytest.fixture
def article(make_article):
    return make_article(
        title="服务测试报道",
        sections=(("", "导语第一段。\n导语第二段。\n导语第三段。"), ("一、第一部分", "第一部分正文。"), ("二、第二部分", "第二部分正文。")),
    )


def orders(article):
    return list(article.sections.order_by("order").values_list("heading", "order", "anchor"))


def test_splitting_moves_the_later_paragraphs_into_a_new_section_after_it(article, user):
    lead = article.sections.get(order=1)
    new = services.section_split(section=lead, at=2, heading="拆出", user=user)
    lead.refresh_from_db()
    assert lead.body == "导语第一段。"
    assert (new.order, new.heading, new.body) == (2, "拆出", "导语第二段。\n导语第三段。")
    assert orders(article) == [("", 1, "s1"), ("拆出", 2, "s4"), ("一、第一部分", 3, "s2"), ("二、第二部分", 4, "s3")]


@pytest.mark.parametrize("at", [0, 1, 4])
def test_splitting_outside_the_paragraphs_is_refused(article, at):
    with pytest.raises(services.EditorialError):
        services.section_split(section=article.sections.get(order=1), at=at)
    assert article.sections.count() == 3


def test_merging_keeps_the_headings_of_the_merged_sections_as_paragraphs(article, user):
    sections = list(article.sections.order_by("order"))
    merged = services.sections_merge(sections=sections[1:], user=user)
    assert merged.heading == "一、第一部分"
    assert merged.body == "第一部分正文。\n二、第二部分\n第二部分正文。"
    assert article.sections.count() == 2


def test_merging_sections_of_different_articles_is_refused(article, make_article):
    other = make_article(title="另一篇")
    with pytest.raises(services.EditorialError, match="同一篇"):
        services.sections_merge(sections=[article.sections.first(), other.sections.first()])


def test_moving_a_section_gives_it_a_free_anchor_and_raises_both_versions(article, make_article, user):
    other = make_article(title="目标报道", sections=(("", "目标导语。"),))
    section = article.sections.get(order=1)  # anchor s1, which the target uses too
    versions = (article.version, other.version)
    moved = services.section_move(section=section, to_article=other, user=user)
    assert moved.article_id == other.pk and moved.order == 2 and moved.anchor == "s2"
    article.refresh_from_db()
    other.refresh_from_db()
    assert (article.version, other.version) == (versions[0] + 1, versions[1] + 1)


def test_an_edit_against_an_old_version_is_a_conflict(article):
    services.article_touch(article=article)
    with pytest.raises(services.EditConflict, match="保存冲突"):
        services.section_split(section=article.sections.get(order=1), at=2, expected_version=article.version - 1)
    assert article.sections.count() == 3


def test_one_service_call_is_one_revision_with_its_user_and_reason(article, user):
    services.section_split(section=article.sections.get(order=1), at=2, user=user)
    latest = Timeline(Article, article.pk).versions[-1]
    assert (latest.user, latest.reason) == ("servicer", "拆分段落")
    rows = list(Section.history.filter(batch=latest.batch)) + list(Article.history.filter(batch=latest.batch))
    assert len(rows) >= 4 and len({r.history_date for r in rows}) == 1


def test_nested_revisions_join_the_outer_one(article, user):
    count = len(Timeline(Article, article.pk).versions)
    with revisions.revision(user=user, reason="外层"):
        services.section_split(section=article.sections.get(order=1), at=2)
        services.article_touch(article=Article.objects.get(pk=article.pk))
    latest = Timeline(Article, article.pk).versions[-1]
    assert latest.reason == "外层"
    assert len(Timeline(Article, article.pk).versions) == count + 1
    assert latest.user == "servicer"


def test_restoring_after_a_split_brings_back_the_sections_as_they_were(article, user):
    before = live_state(Article, article.pk)
    version = Timeline(Article, article.pk).versions[-1]
    services.section_split(section=article.sections.get(order=1), at=3, heading="新")
    services.sections_merge(sections=list(article.sections.filter(order__gte=3)))
    services.article_restore(article_id=article.pk, batch=version.batch, user=user)
    after = live_state(Article, article.pk)
    assert after["sections"] == before["sections"]
    assert {k: v for k, v in after["object"].items() if k not in ("version", "updated_at")} == {
        k: v for k, v in before["object"].items() if k not in ("version", "updated_at")
    }


def test_restoring_brings_back_a_section_that_moved_to_another_article(article, make_article):
    other = make_article(title="目标")
    version = Timeline(Article, article.pk).versions[-1]
    section = article.sections.get(order=2)
    services.section_move(section=section, to_article=other)
    services.article_restore(article_id=article.pk, batch=version.batch)
    section.refresh_from_db()
    assert (section.article_id, section.order, section.anchor) == (article.pk, 2, "s2")
    assert other.sections.count() == 1


def test_a_deleted_article_comes_back_with_bylines_departments_and_captions(article):
    person = Person.objects.create(name="测试作者", slug="ce-shi-zuo-zhe")
    Authorship.objects.create(article=article, person=person, order=0)
    article.department_roles.create(department=Department.objects.first(), role="subject")
    Caption.objects.create(article=article, order=1, text="图片说明文字")
    pk, person_pk = article.pk, person.pk
    before = live_state(Article, pk)
    article.delete()
    person.delete()  # the byline is gone, so the person may go too
    warnings = services.article_restore(article_id=pk)
    after = live_state(Article, pk)
    for key in ("sections", "authorships", "department_roles", "captions"):
        assert after[key] == before[key], key
    assert after["object"]["created_at"] == before["object"]["created_at"]
    assert Timeline(Article, pk).versions[-1].state == after  # the history agrees with the database
    assert Person.objects.filter(pk=person_pk, name="测试作者").exists()
    assert any("已一并从历史中恢复" in w for w in warnings)


def test_a_deleted_initiative_comes_back_with_its_lead_departments_and_mentions(make_article):
    initiative = Initiative.objects.filter(lead_departments__isnull=False).first()
    leads = set(initiative.lead_departments.values_list("pk", flat=True))
    article = make_article(sections=(("", f"文中提到{initiative.name}。"),))
    assert article.sections.first().mentions.filter(initiative=initiative).exists()
    pk = initiative.pk
    initiative.delete()
    assert not article.sections.first().mentions.exists()
    services.record_restore(model=Initiative, object_id=pk)
    restored = Initiative.objects.get(pk=pk)
    assert set(restored.lead_departments.values_list("pk", flat=True)) == leads
    assert article.sections.first().mentions.filter(initiative_id=pk).exists()


def test_restoring_a_version_where_the_article_did_not_exist_is_refused(article):
    pk = article.pk
    article.delete()
    timeline = Timeline(Article, pk)
    with pytest.raises(services.EditorialError):
        services.article_restore(article_id=pk, batch=timeline.versions[-1].batch)


def test_publishing_needs_a_title_and_a_section(make_article, editor):
    draft = make_article(title="无段落", sections=(), status=Article.Status.DRAFT)
    with pytest.raises(services.EditorialError, match="还没有正文段落"):
        services.article_set_status(article=draft, status=Article.Status.PUBLISHED, user=editor)
    Section.objects.create(article=draft, order=1, body="有了。")
    published = services.article_set_status(article=draft, status=Article.Status.PUBLISHED, user=editor)
    assert published.is_published


def test_publishing_is_refused_without_an_editor_who_may_publish(make_article, make_user):
    """The service checks the permission itself: a shell or command call cannot bypass it."""
    draft = make_article(title="待发布", status=Article.Status.DRAFT)
    reader = make_user("reader1", group="reader")
    for who in (None, reader):
        with pytest.raises(services.EditorialError, match="发布权限"):
            services.article_set_status(article=draft, status=Article.Status.PUBLISHED, user=who)
        with pytest.raises(services.EditorialError, match="发布权限"):
            services.articles_set_status(articles=[draft], status=Article.Status.PUBLISHED, user=who)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_a_bulk_load_is_one_revision(db):
    with services.bulk_changes():
        a = Department.objects.create(name="批量甲", kind="government", slug="pi-liang-jia")
        b = Department.objects.create(name="批量乙", kind="government", slug="pi-liang-yi")
    rows = Department.history.filter(id__in=[a.pk, b.pk])
    assert len({r.batch for r in rows}) == 1 and {r.history_change_reason for r in rows} == {"批量写入"}


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_in_one_thread_leaves_another_threads_saves_linked_and_indexed():
    """The bulk-load flag belongs to the thread that set it: under threaded workers, an editor's
    upload must not switch linking and indexing off for another editor's save."""
    import datetime
    import threading

    from django.db import connection

    from search.models import SearchDocument

    initiative = Initiative.objects.create(name="并行测试举措", slug="bing-xing-ce-shi", category=Initiative.Category.PARKS)
    article = Article.objects.create(
        slug="bing-xing", title="并行", kind="news", date=datetime.date(2024, 1, 1), date_precision="year", status="published"
    )
    inside, saved = threading.Event(), threading.Event()
    seen = {}

    def uploader():
        with services.bulk_changes():
            seen["uploader in bulk"] = services.in_bulk_changes()
            inside.set()
            saved.wait(30)
        connection.close()

    def editor():
        inside.wait(30)
        seen["editor in bulk"] = services.in_bulk_changes()
        seen["section"] = Section.objects.create(article=article, order=1, body="推进并行测试举措落地。").pk
        saved.set()
        connection.close()

    threads = [threading.Thread(target=uploader), threading.Thread(target=editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert seen["uploader in bulk"] is True and seen["editor in bulk"] is False
    section = Section.objects.get(pk=seen["section"])
    assert list(section.mentions.values_list("initiative_id", flat=True)) == [initiative.pk]  # linked
    assert SearchDocument.objects.filter(section_id=section.pk).exists()  # indexed
