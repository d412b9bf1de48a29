"""The editorial desk through Django's test client, as an editor uses it: edit, reorder, search,
filter, publish, split, merge, move, relink, look at history, compare and restore."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from archive.history.versions import Timeline, live_state
from archive.models import Article, Department, Initiative, Section
from search.engine import search
from tests.archive.conftest import form_data

MARKER = "编辑台校订标记鹭岛"


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def section_index(data: dict, section: Section) -> int:
    for key, value in data.items():
        m = re.fullmatch(r"sections-(\d+)-id", key)
        if m and value == str(section.pk):
            return int(m.group(1))
    raise AssertionError(f"section {section.pk} not in the form")


def found_by_search(q: str) -> set[int]:
    return {hit.article.pk for hit in search(q, {}, page_size=1000).hits}


def public(url: str):
    return Client().get(url)


def edit_section(client, article, section, new_body, **extra):
    data = form_data(client.get(change_url(article)), "article_form")
    data[f"sections-{section_index(data, section)}-body"] = new_body
    data.update(extra)
    return client.post(change_url(article), data)


# ---------------------------------------------------------------------------------------------
# Editing


def test_an_edited_section_shows_at_once_on_the_public_page_in_search_and_in_history_and_restores(
    editor_client, published_article
):
    section = published_article.sections.order_by("order").first()
    original_body = section.body
    response = edit_section(editor_client, published_article, section, original_body + "\n" + MARKER + "。")
    assert response.status_code == 302, response.content.decode()[:2000]

    assert MARKER in public(published_article.get_absolute_url()).content.decode()
    assert found_by_search(MARKER) == {published_article.pk}

    history_page = editor_client.get(reverse("admin:archive_article_history", args=[published_article.pk])).content.decode()
    assert "editor1" in history_page
    assert re.search(r"第\d+节「[^」]*」：正文", history_page)

    timeline = Timeline(Article, published_article.pk)
    before = timeline.versions[-2]
    restore = reverse("admin:archive_article_history_restore", args=[published_article.pk])
    confirm = editor_client.get(restore + f"?batch={before.batch}")
    assert confirm.status_code == 200 and "<del>" in confirm.content.decode()
    response = editor_client.post(restore, {"batch": before.batch})
    assert response.status_code == 302

    section.refresh_from_db()
    assert section.body == original_body
    assert MARKER not in public(published_article.get_absolute_url()).content.decode()
    assert found_by_search(MARKER) == set()
    latest = Timeline(Article, published_article.pk).versions[-1]
    assert latest.user == "editor1" and latest.reason.startswith("恢复到第")
    assert latest.state == live_state(Article, published_article.pk)  # history and database agree


def test_browser_newlines_are_stored_plain_and_untouched_sections_are_not_rewritten(editor_client, published_article):
    sections = list(published_article.sections.order_by("order"))
    rows_before = {s.pk: Section.history.filter(id=s.pk).count() for s in sections}
    data = form_data(editor_client.get(change_url(published_article)), "article_form")
    for key in [k for k in data if k.endswith("-body")]:
        data[key] = data[key].replace("\n", "\r\n")  # what a browser sends for a textarea
    first = f"sections-{section_index(data, sections[0])}-body"
    data[first] += "\r\n新加的一段。"
    assert editor_client.post(change_url(published_article), data).status_code == 302
    sections[0].refresh_from_db()
    assert "\r" not in sections[0].body and sections[0].body.endswith("\n新加的一段。")
    rows_after = {s.pk: Section.history.filter(id=s.pk).count() for s in sections}
    assert rows_after[sections[0].pk] == rows_before[sections[0].pk] + 1
    assert all(rows_after[s.pk] == rows_before[s.pk] for s in sections[1:])


def test_the_change_form_shows_the_original_text_read_only_beside_the_sections(editor_client, published_article):
    page = editor_client.get(change_url(published_article)).content.decode()
    assert 'class="desk-original"' in page
    assert "原文（逐字保存，只读）" in page
    assert 'name="original_text"' not in page  # not editable
    assert "关联的改革举措" in page


def test_swapping_two_section_orders_saves_in_one_go(editor_client, published_article):
    first, second = list(published_article.sections.order_by("order"))[:2]
    data = form_data(editor_client.get(change_url(published_article)), "article_form")
    data[f"sections-{section_index(data, first)}-order"] = str(second.order)
    data[f"sections-{section_index(data, second)}-order"] = str(first.order)
    assert editor_client.post(change_url(published_article), data).status_code == 302
    old = (first.order, second.order, first.anchor, second.anchor)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (old[1], old[0])
    assert (first.anchor, second.anchor) == (old[2], old[3])  # anchors survive reordering
    page = public(published_article.get_absolute_url()).content.decode()
    assert page.index(f'id="{second.anchor}"') < page.index(f'id="{first.anchor}"')


def test_two_sections_with_the_same_order_are_refused_with_a_message(editor_client, published_article):
    first, second = list(published_article.sections.order_by("order"))[:2]
    data = form_data(editor_client.get(change_url(published_article)), "article_form")
    data[f"sections-{section_index(data, second)}-order"] = str(first.order)
    response = editor_client.post(change_url(published_article), data)
    assert response.status_code == 200
    assert "两节的顺序都是" in response.content.decode()


def test_a_new_section_without_an_order_goes_to_the_end(editor_client, published_article):
    data = form_data(editor_client.get(change_url(published_article)), "article_form")
    n = int(data["sections-TOTAL_FORMS"])
    data.update({"sections-TOTAL_FORMS": str(n + 1), f"sections-{n}-heading": "新增小标题", f"sections-{n}-body": "新增的一段。", f"sections-{n}-order": ""})
    assert editor_client.post(change_url(published_article), data).status_code == 302
    last = published_article.sections.order_by("-order").first()
    assert last.heading == "新增小标题" and last.anchor


def test_an_article_save_raises_its_version(editor_client, published_article):
    before = published_article.version
    data = form_data(editor_client.get(change_url(published_article)), "article_form")
    data["subtitle"] = "新的副标题"
    editor_client.post(change_url(published_article), data)
    published_article.refresh_from_db()
    assert published_article.version == before + 1


# ---------------------------------------------------------------------------------------------
# Concurrency


def test_a_second_editor_saving_the_same_article_gets_a_clear_conflict_and_overwrites_nothing(
    editor_client, second_editor_client, published_article
):
    url = change_url(published_article)
    first = form_data(editor_client.get(url), "article_form")
    second = form_data(second_editor_client.get(url), "article_form")
    title = published_article.title
    version = published_article.version

    first["title"] = title + "（甲改）"
    assert editor_client.post(url, first).status_code == 302

    second["title"] = title + "（乙改）"
    response = second_editor_client.post(url, second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "保存冲突" in page and "editor1" in page and "没有写入" in page
    assert "（乙改）" in page  # the second editor's text is still in the form, not lost

    published_article.refresh_from_db()
    assert published_article.title == title + "（甲改）"
    assert published_article.version == version + 1


def test_a_conflict_on_a_section_edit_writes_nothing(editor_client, second_editor_client, published_article):
    section = published_article.sections.order_by("order").first()
    url = change_url(section)
    stale = form_data(second_editor_client.get(url), "section_form")
    edit_section(editor_client, published_article, section, section.body + "\n甲的补充。")
    stale["body"] = "乙的全部正文。"
    response = second_editor_client.post(url, stale)
    assert response.status_code == 200 and "保存冲突" in response.content.decode()
    section.refresh_from_db()
    assert section.body.endswith("甲的补充。")


# ---------------------------------------------------------------------------------------------
# Finding articles


def results(client, query: str) -> list:
    response = client.get(reverse("admin:archive_article_changelist") + query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_search_box_uses_the_archive_search_not_icontains(editor_client):
    simplified = {a.pk for a in results(editor_client, "?q=国企改革")}
    traditional = {a.pk for a in results(editor_client, "?q=國企改革")}
    assert simplified and simplified == traditional
    assert simplified == found_by_search("国企改革")
    # found by body text, which a title icontains would miss
    assert any("国企改革" not in a.title for a in Article.objects.filter(pk__in=simplified))


def test_the_search_box_finds_drafts_that_readers_cannot_find(editor_client, make_article):
    draft = make_article(title="待审草稿", sections=(("", "草稿独有的词语玳瑁斑。"),), status=Article.Status.DRAFT)
    assert [a.pk for a in results(editor_client, "?q=玳瑁斑")] == [draft.pk]
    assert found_by_search("玳瑁斑") == set()
    assert results(editor_client, "?q=玳瑁斑 -草稿") == []


@pytest.mark.parametrize("param", ["kind__exact", "year", "source__id__exact", "series__id__exact", "departments__id__exact", "status__exact"])
def test_list_filters_narrow_the_articles(editor_client, param):
    article = Article.objects.exclude(source=None).exclude(series=None).exclude(date=None).filter(departments__isnull=False).first()
    value = {
        "kind__exact": article.kind,
        "year": str(article.date.year),
        "source__id__exact": str(article.source_id),
        "series__id__exact": str(article.series_id),
        "departments__id__exact": str(article.departments.first().pk),
        "status__exact": article.status,
    }[param]
    found = results(editor_client, f"?{param}={value}")
    assert article in found
    assert len(found) < Article.objects.count() or param == "status__exact"


def test_view_on_site_links_to_the_public_page_or_to_a_draft_preview(editor_client, published_article, make_article):
    page = editor_client.get(change_url(published_article)).content.decode()
    assert f'href="{published_article.get_absolute_url()}"' in page
    draft = make_article(title="预览中的草稿", status=Article.Status.DRAFT)
    preview = reverse("admin:archive_article_preview", args=[draft.pk])
    assert f'href="{preview}"' in editor_client.get(change_url(draft)).content.decode()
    shown = editor_client.get(preview)
    assert shown.status_code == 200 and "草稿预览" in shown.content.decode() and "预览中的草稿" in shown.content.decode()
    assert public(draft.get_absolute_url()).status_code == 404
    assert public(preview).status_code == 302  # to the sign-in page


# ---------------------------------------------------------------------------------------------
# Publishing


def test_publishing_from_the_form_puts_a_draft_on_the_site_and_in_search_and_unpublishing_takes_it_off(editor_client, make_article):
    draft = make_article(title="即将发布", sections=(("", "发布测试词语鹦鹉螺。"),), status=Article.Status.DRAFT)
    assert public(draft.get_absolute_url()).status_code == 404
    assert found_by_search("鹦鹉螺") == set()

    data = form_data(editor_client.get(change_url(draft)), "article_form")
    editor_client.post(change_url(draft), {**data, "_publish": "1"})
    draft.refresh_from_db()
    assert draft.is_published
    assert public(draft.get_absolute_url()).status_code == 200
    assert found_by_search("鹦鹉螺") == {draft.pk}

    data = form_data(editor_client.get(change_url(draft)), "article_form")
    editor_client.post(change_url(draft), {**data, "_unpublish": "1"})
    draft.refresh_from_db()
    assert not draft.is_published
    assert public(draft.get_absolute_url()).status_code == 404
    assert found_by_search("鹦鹉螺") == set()


def test_an_article_without_sections_cannot_be_published(editor_client, make_article):
    empty = make_article(title="空稿", sections=(), status=Article.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:archive_article_changelist"), {"action": "publish_selected", "_selected_action": [empty.pk]}, follow=True
    )
    assert "还没有正文段落" in response.content.decode()
    empty.refresh_from_db()
    assert not empty.is_published


def test_the_publish_action_publishes_all_selected_or_none(editor_client, make_article):
    a = make_article(title="甲稿", status=Article.Status.DRAFT)
    b = make_article(title="乙稿", status=Article.Status.DRAFT)
    editor_client.post(reverse("admin:archive_article_changelist"), {"action": "publish_selected", "_selected_action": [a.pk, b.pk]})
    assert Article.objects.filter(pk__in=[a.pk, b.pk], status=Article.Status.PUBLISHED).count() == 2
    c = make_article(title="丙稿", status=Article.Status.DRAFT)
    empty = make_article(title="空稿", sections=(), status=Article.Status.DRAFT)
    editor_client.post(reverse("admin:archive_article_changelist"), {"action": "publish_selected", "_selected_action": [c.pk, empty.pk]})
    assert Article.objects.filter(pk__in=[c.pk, empty.pk], status=Article.Status.PUBLISHED).count() == 0


# ---------------------------------------------------------------------------------------------
# Split, merge, move, relink


def test_splitting_a_section_at_a_paragraph_from_the_admin(editor_client, published_article):
    section = next(s for s in published_article.sections.order_by("order") if len(s.paragraphs) >= 2)
    paragraphs = section.paragraphs
    url = reverse("admin:archive_section_split", args=[section.pk])
    page = editor_client.get(url)
    data = form_data(page, None) | {"at": "2", "heading": "拆出的新一节"}
    data = {k: v for k, v in data.items() if k in {"at", "heading", "loaded_version", "csrfmiddlewaretoken"}}
    assert editor_client.post(url, data).status_code == 302
    section.refresh_from_db()
    new = Section.objects.get(article=published_article, order=section.order + 1)
    assert section.paragraphs == paragraphs[:1]
    assert new.heading == "拆出的新一节" and new.paragraphs == paragraphs[1:]
    assert "拆出的新一节" in public(published_article.get_absolute_url()).content.decode()


def test_merging_two_sections_keeps_every_word(editor_client, published_article):
    first, second = list(published_article.sections.order_by("order"))[:2]
    url = reverse("admin:archive_section_merge")
    page = editor_client.get(url + f"?ids={first.pk}&next=1")
    assert page.status_code == 200 and "合并后的正文" in page.content.decode()
    assert editor_client.post(url, {"ids": f"{first.pk},{second.pk}"}).status_code == 302
    merged = Section.objects.get(pk=first.pk)
    assert not Section.objects.filter(pk=second.pk).exists()
    for piece in [first.body, second.heading, second.body]:
        if piece:
            assert piece in merged.body


def test_the_merge_action_refuses_sections_of_two_articles(editor_client, published_article):
    other = Article.objects.exclude(pk=published_article.pk).first().sections.first()
    mine = published_article.sections.first()
    page = editor_client.post(
        reverse("admin:archive_section_changelist"), {"action": "merge_selected", "_selected_action": [mine.pk, other.pk]}, follow=True
    )
    assert "只能合并同一篇报道中的段落" in page.content.decode()
    assert Section.objects.filter(pk__in=[mine.pk, other.pk]).count() == 2


def test_moving_a_section_to_another_article(editor_client, published_article):
    section = published_article.sections.order_by("-order").first()
    target = Article.objects.exclude(pk=published_article.pk).first()
    url = reverse("admin:archive_section_move", args=[section.pk])
    data = {k: v for k, v in form_data(editor_client.get(url)).items() if k in {"loaded_version", "csrfmiddlewaretoken"}}
    assert editor_client.post(url, data | {"to_article": str(target.pk)}).status_code == 302
    section.refresh_from_db()
    assert section.article_id == target.pk
    assert section.order == max(target.sections.values_list("order", flat=True))
    assert len(set(target.sections.values_list("anchor", flat=True))) == target.sections.count()


def test_relinking_initiatives_after_an_alias_is_added(editor_client, published_article):
    section = published_article.sections.order_by("order").first()
    section.body += "\n这里提到了蓝鲸计划。"
    section.save()
    initiative = Initiative.objects.first()
    data = form_data(editor_client.get(change_url(initiative)), "initiative_form")
    data["aliases"] = "\n".join([*initiative.aliases, "蓝鲸计划"])
    assert editor_client.post(change_url(initiative), data).status_code == 302
    initiative.refresh_from_db()
    assert initiative.aliases[-1] == "蓝鲸计划"
    assert section.mentions.filter(initiative=initiative).exists()
    page = editor_client.get(change_url(published_article)).content.decode()
    assert initiative.name in page  # the per-section preview of linked initiatives
    response = editor_client.post(
        reverse("admin:archive_article_changelist"), {"action": "relink_selected", "_selected_action": [published_article.pk]}, follow=True
    )
    assert "已重新关联" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Catalogs


def test_initiatives_list_aliases_and_mention_counts(editor_client):
    response = editor_client.get(reverse("admin:archive_initiative_changelist") + "?o=-4")
    top = list(response.context["cl"].result_list)[0]
    assert top.n_mentions == max(i.n_mentions or 0 for i in response.context["cl"].result_list)
    assert top.n_mentions > 0
    found = editor_client.get(reverse("admin:archive_initiative_changelist") + "?q=" + top.name.replace("“", "").replace("”", ""))
    assert top in list(found.context["cl"].result_list)


def test_a_new_catalog_entry_without_a_slug_gets_one_in_pinyin(editor_client):
    from archive.models import Person

    url = reverse("admin:archive_person_add")
    data = form_data(editor_client.get(url), "person_form") | {"name": "张三丰", "slug": ""}
    assert editor_client.post(url, data).status_code == 302
    assert Person.objects.get(name="张三丰").slug == "zhang-san-feng"


def test_departments_are_listed_as_a_tree(editor_client):
    response = editor_client.get(reverse("admin:archive_department_changelist"))
    listed = list(response.context["cl"].result_list)
    position = {d.pk: i for i, d in enumerate(listed)}
    child = Department.objects.exclude(parent=None).first()
    assert position[child.parent_id] < position[child.pk]
    between = listed[position[child.parent_id] + 1 : position[child.pk]]
    assert all(d.parent_id is not None for d in between)  # only the parent's other descendants
    assert "└" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# History


def test_a_deleted_article_is_in_history_and_comes_back_whole(editor_client, published_article):
    pk = published_article.pk
    sections = list(published_article.sections.order_by("order").values_list("pk", "heading", "body", "anchor"))
    authors = list(published_article.authorships.values_list("pk", "person_id"))
    delete = reverse("admin:archive_article_delete", args=[pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert public(published_article.get_absolute_url()).status_code == 404

    deleted_page = editor_client.get(reverse("admin:archive_article_deleted")).content.decode()
    assert published_article.title in deleted_page and "editor1" in deleted_page
    restore = reverse("admin:archive_article_history_restore", args=[pk])
    assert editor_client.get(restore).status_code == 200
    assert editor_client.post(restore, {"batch": ""}).status_code == 302

    article = Article.objects.get(pk=pk)
    assert list(article.sections.order_by("order").values_list("pk", "heading", "body", "anchor")) == sections
    assert list(article.authorships.values_list("pk", "person_id")) == authors
    assert public(article.get_absolute_url()).status_code == 200
    word = sections[0][2][:6]
    assert pk in found_by_search(word)
    changes = [c for v in Timeline(Article, pk).versions for c in v.changes]
    assert "删除" in changes


def test_comparing_two_versions_marks_what_changed(editor_client, published_article):
    section = published_article.sections.order_by("order").first()
    edit_section(editor_client, published_article, section, section.body.replace(section.body[:2], "改写", 1))
    timeline = Timeline(Article, published_article.pk)
    url = reverse("admin:archive_article_history_compare", args=[published_article.pk])
    page = editor_client.get(url + f"?a={timeline.versions[-2].batch}&b=current").content.decode()
    assert "<ins>改写</ins>" in page
    assert "<del>" in page


def test_an_initiative_change_is_restored_with_its_lead_departments(editor_client):
    initiative = Initiative.objects.filter(lead_departments__isnull=False).first()
    leads = set(initiative.lead_departments.values_list("pk", flat=True))
    aliases = list(initiative.aliases)
    data = form_data(editor_client.get(change_url(initiative)), "initiative_form")
    data["aliases"] = "完全不同的别名"
    data.pop("lead_departments", None)
    assert editor_client.post(change_url(initiative), data).status_code == 302
    initiative.refresh_from_db()
    assert initiative.aliases == ["完全不同的别名"] and not initiative.lead_departments.exists()

    timeline = Timeline(Initiative, initiative.pk)
    before = [v for v in timeline.versions if v.state["object"]["aliases"] == aliases][-1]
    history_page = editor_client.get(reverse("admin:archive_initiative_history", args=[initiative.pk])).content.decode()
    assert "修改别名" in history_page
    editor_client.post(reverse("admin:archive_initiative_history_restore", args=[initiative.pk]), {"batch": before.batch})
    initiative.refresh_from_db()
    assert initiative.aliases == aliases
    assert set(initiative.lead_departments.values_list("pk", flat=True)) == leads


def test_a_deleted_department_can_be_restored(editor_client):
    department = Department.objects.filter(article_roles=None, children=None, people=None).first()
    editor_client.post(reverse("admin:archive_department_delete", args=[department.pk]), {"post": "yes"})
    assert not Department.objects.filter(pk=department.pk).exists()
    assert department.name in editor_client.get(reverse("admin:archive_department_deleted")).content.decode()
    editor_client.post(reverse("admin:archive_department_history_restore", args=[department.pk]), {"batch": ""})
    restored = Department.objects.get(pk=department.pk)
    assert (restored.name, restored.slug, restored.aliases) == (department.name, department.slug, department.aliases)


def test_a_section_page_history_link_leads_to_its_article_history(editor_client, published_article):
    section = published_article.sections.first()
    response = editor_client.get(reverse("admin:archive_section_history", args=[section.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_article_history", args=[published_article.pk])
