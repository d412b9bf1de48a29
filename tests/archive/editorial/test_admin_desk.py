"""The editors' rough edges, through the test client as an editor meets them: the publish button
in the save row, a 修改说明 kept with the history, the history's default comparison and its
pages, Chinese wording with titles quoted once, and the import page reachable from the index."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, override
from lxml import html

from archive.history.revisions import revision
from archive.history.versions import Timeline
from archive.models import Article, Authorship, Department, Initiative, Person, Section
from tests.archive.conftest import form_data

REASON = "据原件更正第二节的错字"


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


def page_tree(response):
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.content.decode())


def messages_of(response) -> list[str]:
    return [" ".join(li.text_content().split()) for li in page_tree(response).xpath("//ul[@class='messagelist']/li")]


def edit_first_section(client, article, **extra):
    data = form_data(client.get(change_url(article)), "article_form")
    body_key = next(k for k in sorted(data) if re.fullmatch(r"sections-\d+-body", k))
    data[body_key] += "\n校订补入的一句。"
    data.update(extra)
    return client.post(change_url(article), data)


# ---------------------------------------------------------------------------------------------
# 保存并发布 in the save row


def test_publishing_is_a_button_of_the_save_row_at_the_top_and_the_bottom(editor_client, make_article):
    draft = make_article(title="待发布的草稿", status=Article.Status.DRAFT)
    rows = page_tree(editor_client.get(change_url(draft))).xpath("//div[@class='submit-row']")
    assert len(rows) == 2  # save_on_top: one above the form, one below
    for row in rows:
        assert row.xpath(".//input[@name='_publish'][@value='保存并发布']"), html.tostring(row, encoding=str)

    editor_client.post(change_url(draft), {**form_data(editor_client.get(change_url(draft)), "article_form"), "_publish": "保存并发布"})
    draft.refresh_from_db()
    assert draft.is_published
    rows = page_tree(editor_client.get(change_url(draft))).xpath("//div[@class='submit-row']")
    assert all(row.xpath(".//input[@name='_unpublish']") for row in rows) and len(rows) == 2


def test_an_editor_without_the_publish_permission_sees_no_publish_button(make_user, client, make_article):
    from django.contrib.auth.models import Permission

    clerk = make_user("clerk1", group=None)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_article", "change_article"]))
    client.force_login(clerk)
    draft = make_article(title="另一篇草稿", status=Article.Status.DRAFT)
    page = client.get(change_url(draft)).content.decode()
    assert "保存" in page and "_publish" not in page


# ---------------------------------------------------------------------------------------------
# 修改说明


def test_a_reason_given_with_an_article_save_is_in_its_history_entry_and_on_the_history_page(
    editor_client, published_article
):
    response = edit_first_section(editor_client, published_article, change_reason=REASON)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Timeline(Article, published_article.pk).versions[-1]
    assert latest.reason == REASON
    assert any("正文" in change for change in latest.changes)
    # Every row the save wrote carries it: the article's and the edited section's.
    assert Article.history.filter(id=published_article.pk).latest("history_id").history_change_reason == REASON
    section_ids = published_article.sections.values("id")
    assert Section.history.filter(id__in=section_ids).latest("history_id").history_change_reason == REASON

    page = page_tree(editor_client.get(history_url(published_article)))
    newest = page.xpath("//tr[contains(@class,'version')]")[0]
    assert f"修改说明：{REASON}" in " ".join(newest.text_content().split())


def test_the_reason_field_is_at_the_bottom_of_the_article_section_and_catalog_forms(editor_client, published_article):
    initiative = Initiative.objects.first()
    section = published_article.sections.first()
    for obj in (published_article, section, initiative):
        tree = page_tree(editor_client.get(change_url(obj)))
        fields = tree.xpath("//input[@name='change_reason']")
        assert len(fields) == 1, obj
        assert tree.xpath("//label[@for='id_change_reason']")[0].text_content().startswith("修改说明")


def test_a_reason_on_a_section_and_on_a_catalog_entry_is_kept_too(editor_client, published_article):
    section = published_article.sections.order_by("order").first()
    data = form_data(editor_client.get(change_url(section)), "section_form")
    data.update(body=section.body + "\n另起一段。", change_reason="补上漏排的一段")
    assert editor_client.post(change_url(section), data).status_code == 302
    assert Timeline(Article, published_article.pk).versions[-1].reason == "补上漏排的一段"

    department = Department.objects.order_by("pk").first()
    data = form_data(editor_client.get(change_url(department)), "department_form")
    data.update(name=department.name + "（旧称）", change_reason="按文件改用全称")
    assert editor_client.post(change_url(department), data).status_code == 302
    assert Timeline(Department, department.pk).versions[-1].reason == "按文件改用全称"
    assert "修改说明：按文件改用全称" in editor_client.get(history_url(department)).content.decode()


def test_a_reason_given_with_save_and_publish_is_the_reason_of_the_publication(editor_client, make_article):
    draft = make_article(title="连同说明一起发布", status=Article.Status.DRAFT)
    data = form_data(editor_client.get(change_url(draft)), "article_form")
    editor_client.post(change_url(draft), {**data, "change_reason": "审校完毕", "_publish": "保存并发布"})
    latest = Timeline(Article, draft.pk).versions[-1]
    assert latest.reason == "审校完毕" and "发布" in latest.changes


def test_a_reason_longer_than_the_history_keeps_is_refused_and_nothing_is_saved(editor_client, published_article):
    version = published_article.version
    response = edit_first_section(editor_client, published_article, change_reason="长" * 101)
    assert response.status_code == 200
    assert "100" in " ".join(page_tree(response).xpath("//div[contains(@class,'desk-reason')]")[0].text_content().split())
    published_article.refresh_from_db()
    assert published_article.version == version


# ---------------------------------------------------------------------------------------------
# The history page: default comparison, pages, queries


def test_the_history_page_compares_the_last_change_with_the_one_before_by_default(editor_client, published_article):
    edit_first_section(editor_client, published_article)
    timeline = Timeline(Article, published_article.pk)
    history = editor_client.get(history_url(published_article))
    chosen = form_data(history)
    assert (chosen["a"], chosen["b"]) == (timeline.versions[-2].batch, timeline.versions[-1].batch)

    compare = reverse("admin:archive_article_history_compare", args=[published_article.pk])
    for response in (editor_client.get(compare, chosen), editor_client.get(compare)):
        page = response.content.decode()
        assert "<ins>校订补入的一句。</ins>" in page
        assert f"第 {timeline.versions[-2].number} 版" in page and f"第 {timeline.versions[-1].number} 版" in page


def give_history(article, user, versions: int):
    """Save the article `versions` times as separate editorial acts; every fifth adds or removes
    a byline, whose label in the history names the person."""
    person = Person.objects.order_by("pk").first()
    for n in range(versions):
        with revision(user=user, reason=f"第 {n + 1} 次校对"):
            article.subtitle = f"校对 {n + 1}"
            article.version += 1
            article.save()
            if n % 5 == 0:
                existing = article.authorships.filter(person=person).first()
                if existing:
                    existing.delete()
                else:
                    Authorship.objects.create(article=article, person=person, order=99)


@pytest.mark.parametrize("versions", [10, 200])
def test_the_history_page_is_paged_and_its_queries_do_not_grow_with_the_history(
    editor_client, editor, make_article, versions, django_assert_max_num_queries
):
    article = make_article(title="校对很多次的报道")
    give_history(article, editor, versions)
    total = len(Timeline(Article, article.pk).versions)
    with django_assert_max_num_queries(16):
        response = editor_client.get(history_url(article))
    rows = page_tree(response).xpath("//tr[contains(@class,'version')]")
    assert len(rows) == min(total, 50)
    assert f"第 {total} 版" in rows[0].text_content()
    page = response.content.decode()
    if total > 50:
        assert "下一页" in page and f"共 {total} 个版本" in page
        last = editor_client.get(history_url(article), {"p": (total + 49) // 50})
        assert "第 1 版" in last.content.decode() and "上一页" in last.content.decode()
    assert "署名「" in page


def test_ten_and_two_hundred_versions_take_the_same_number_of_queries(editor_client, editor, make_article):
    counts = []
    for versions in (10, 200):
        article = make_article(title=f"有 {versions} 个版本的报道")
        give_history(article, editor, versions)
        with CaptureQueriesContext(connection) as queries:
            editor_client.get(history_url(article))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------------------------------------
# Wording


def test_the_forms_and_the_index_an_editor_opens_have_no_english_left(editor_client, published_article):
    section = published_article.sections.first()
    for url in (reverse("admin:index"), change_url(published_article), change_url(section)):
        page = editor_client.get(url).content.decode()
        for english in ("Loaded version", "Model name", "Add link", "Change or view list link"):
            assert english not in page, (url, english)


def test_deleting_an_initiative_lists_its_lead_departments_in_chinese(editor_client):
    initiative = Initiative.objects.filter(lead_departments__isnull=False).first()
    page = editor_client.get(reverse("admin:archive_initiative_delete", args=[initiative.pk])).content.decode()
    assert "Initiative_lead_departments" not in page and "Initiative-department" not in page
    assert f"牵头单位: {initiative.lead_departments.first()}" in page


def test_yes_or_no_values_read_as_chinese_in_a_comparison():
    from archive.history.versions import display_value

    assert (display_value(Article, "title", True), display_value(Article, "title", False)) == ("是", "否")


def test_the_compiled_chinese_catalog_has_every_translation_of_its_source():
    from django.conf import settings

    source = (settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', source, flags=re.M)
    assert pairs
    with override("zh-hans"):
        for msgid, msgstr in pairs:
            assert gettext(msgid) == msgstr, "recompile locale/zh_Hans/LC_MESSAGES/django.mo (msgfmt)"


def test_a_title_with_its_own_quotation_marks_is_quoted_once_in_save_messages(editor_client, make_article):
    title = "“‘二分法’破题+市场化破局”推进国企改革"
    article = make_article(title=title)
    data = form_data(editor_client.get(change_url(article)), "article_form")
    saved = editor_client.post(change_url(article), data, follow=True)
    (message,) = messages_of(saved)
    assert f"《{title}》" in message and "““" not in message

    department = Department.objects.filter(article_roles=None, children=None, people=None).order_by("pk").first()
    data = form_data(editor_client.get(change_url(department)), "department_form")
    data.update(name="“两个生态”办公室", short_name="")
    (message,) = messages_of(editor_client.post(change_url(department), data, follow=True))
    department.refresh_from_db()
    assert str(department) == "“两个生态”办公室"
    assert "“两个生态”办公室" in message and "““" not in message and "”“" not in message
    deleted = editor_client.post(reverse("admin:archive_department_delete", args=[department.pk]), {"post": "yes"}, follow=True)
    (message,) = messages_of(deleted)
    assert "成功删除" in message and "““" not in message


def test_a_plain_name_keeps_its_quotation_marks_in_save_messages(editor_client):
    department = Department.objects.order_by("pk").first()
    data = form_data(editor_client.get(change_url(department)), "department_form")
    (message,) = messages_of(editor_client.post(change_url(department), data, follow=True))
    assert f"“{department}”" in message


# ---------------------------------------------------------------------------------------------
# The admin index


def test_the_import_page_is_linked_from_the_admin_index(editor_client):
    index = page_tree(editor_client.get(reverse("admin:index")))
    links = index.xpath(f"//a[@href='{reverse('admin:archive_article_import')}']")
    assert links and links[0].text_content() == "导入原始文件"
    assert editor_client.get(links[0].get("href")).status_code == 200


def test_a_reader_account_is_not_shown_the_import_link(make_user, client):
    reader = make_user("viewer1", group=None)
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(reader)
    assert reverse("admin:archive_article_import") not in client.get(reverse("admin:index")).content.decode()


def test_a_refused_page_and_an_expired_form_are_explained_in_chinese(editor_client, editor):
    from django.test import Client

    refused = editor_client.get(reverse("admin:auth_user_changelist"))
    assert refused.status_code == 403 and "没有权限打开这个页面" in refused.content.decode()
    assert "403 Forbidden" not in refused.content.decode()

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    expired = browser.post(reverse("admin:archive_department_add"), {"name": "无令牌的提交"})
    assert expired.status_code == 403
    page = expired.content.decode()
    assert "表单已失效" in page and "CSRF" not in page and 'lang="zh-CN"' in page
