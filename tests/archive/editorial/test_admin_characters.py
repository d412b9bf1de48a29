"""Control characters and noncharacters typed or pasted into the editors' forms: what is stored
follows archive.text.stored_text (a vertical tab, form feed or NEL is a space in a one-line field
and a line break in a text; other controls go), noncharacters are refused with a message in
Chinese and nothing is saved; every feed that includes the report stays valid XML.

Before, the admin stored them as typed, and a vertical tab in a title made /feed/,
/search/feed/?q=… and the report's department and initiative feeds answer 500."""

import pytest
from django.urls import reverse

from archive.editorial.forms import LineField, TextField
from archive.models import Article, Authorship, Department, Initiative, Person, Section, Synonym
from tests.archive.conftest import form_data
from tests.archive.reading.feedcheck import CONTROL_OR_NONCHARACTER, feed_urls, newest_report, read_feed

pytestmark = pytest.mark.django_db

# control character → what it becomes in a one-line field, and in a multi-line text
CLEANED = {
    "\x0b": (" ", "\n"),  # vertical tab
    "\x0c": (" ", "\n"),  # form feed
    "\x85": (" ", "\n"),  # NEL
    "\x00": ("", ""),
    "\x01": ("", ""),
    "\x1b": ("", ""),
    "\x7f": ("", ""),
    "\x9f": ("", ""),
}
NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe"]
CODE = {ch: f"U+{ord(ch):04X}" for ch in [*CLEANED, *NONCHARACTERS]}


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def report(make_article):
    return newest_report(make_article)


def article_form(client, article, *, title, body, position):
    data = form_data(client.get(change_url(article)), "article_form")
    data["title"] = title
    section_key = next(k for k in data if k.startswith("sections-") and k.endswith("-body"))
    data[section_key] = body
    data[next(k for k in data if k.startswith("authorships-") and k.endswith("-position"))] = position
    return client.post(change_url(article), data)


@pytest.mark.parametrize("ch", list(CLEANED), ids=[CODE[c] for c in CLEANED])
def test_control_characters_typed_into_a_report_are_cleaned_and_every_feed_with_it_is_valid(editor_client, client, report, ch):
    line, text = CLEANED[ch]
    response = article_form(
        editor_client, report, title=f"“工作项目{ch}化”改革测验报道", body=f"推行“二分法”改革。{ch}工作项目化推进。", position=f"记{ch}者"
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == f"“工作项目{line}化”改革测验报道"
    assert report.sections.get().body == f"推行“二分法”改革。{text}工作项目化推进。"
    assert Authorship.objects.get(article=report).position == f"记{line}者"
    for url in feed_urls(report, "工作项目"):
        _, titles = read_feed(client, url)
        assert report.title in titles, url


@pytest.mark.parametrize("ch", list(CLEANED), ids=[CODE[c] for c in CLEANED])
def test_control_characters_in_catalog_names_are_cleaned_and_the_feeds_stay_valid(editor_client, client, report, ch):
    line, _ = CLEANED[ch]
    department = Department.objects.get(slug="zhuzhou-sasac")
    data = form_data(editor_client.get(change_url(department)), "department_form")
    data |= {"name": f"株洲市国资{ch}委测验", "short_name": f"国资{ch}委", "aliases": f"国资{ch}测验\n市国资委测验"}
    assert editor_client.post(change_url(department), data).status_code == 302
    department.refresh_from_db()
    assert (department.name, department.short_name) == (f"株洲市国资{line}委测验", f"国资{line}委")
    # in a list of aliases, one a line, a line-breaking control starts a new alias
    expected = ["国资", "测验", "市国资委测验"] if line else ["国资测验", "市国资委测验"]
    assert department.aliases == expected

    initiative = Initiative.objects.get(slug="erfenfa")
    data = form_data(editor_client.get(change_url(initiative)), "initiative_form")
    data |= {"name": f"二分{ch}法", "aliases": "\n".join([*initiative.aliases, f"二分{ch}改革"]), "summary": f"简介{ch}。"}
    assert editor_client.post(change_url(initiative), data).status_code == 302
    initiative.refresh_from_db()
    assert initiative.name == f"二分{line}法"
    assert not any(CONTROL_OR_NONCHARACTER.search(alias) for alias in initiative.aliases)

    person = Person.objects.get(slug="test-feed-reporter")
    data = form_data(editor_client.get(change_url(person)), "person_form") | {"name": f"测验{ch}记者"}
    assert editor_client.post(change_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.name == f"测验{line}记者"

    add = reverse("admin:archive_synonym_add")
    data = form_data(editor_client.get(add), "synonym_form") | {"terms": f"测验{ch}甲\n测验乙", "slug": "test-characters"}
    assert editor_client.post(add, data).status_code == 302
    assert not any(CONTROL_OR_NONCHARACTER.search(t) for t in Synonym.objects.get(slug="test-characters").terms)

    for url in feed_urls(report, "工作项目"):
        root, titles = read_feed(client, url)
        assert report.title in titles, url


@pytest.mark.parametrize("ch", NONCHARACTERS, ids=[CODE[c] for c in NONCHARACTERS])
def test_noncharacters_are_refused_with_a_message_and_nothing_is_saved(editor_client, report, ch):
    before = (report.title, report.sections.get().body, report.version)
    for title, body in ((f"工作项目{ch}化", "正文。"), ("工作项目化", f"正文{ch}。")):
        response = article_form(editor_client, report, title=title, body=body, position="记者")
        assert response.status_code == 200
        page = response.content.decode()
        assert f"含有无法保存的特殊字符（{CODE[ch]}）" in page and "请删去后再保存" in page
        report.refresh_from_db()
        assert (report.title, report.sections.get().body, report.version) == before

    department = Department.objects.get(slug="zhuzhou-sasac")
    data = form_data(editor_client.get(change_url(department)), "department_form") | {"aliases": f"国资委\n国资{ch}委"}
    response = editor_client.post(change_url(department), data)
    assert response.status_code == 200 and f"含有无法保存的特殊字符（{CODE[ch]}）" in response.content.decode()
    assert Department.objects.get(pk=department.pk).aliases == department.aliases


def test_a_lone_surrogate_is_refused_by_every_text_field():
    # A browser cannot send one (the request is UTF-8, and Django decodes it with replacement),
    # but a form filled from Python can.
    from django.core.exceptions import ValidationError

    for field in (LineField(), TextField()):
        with pytest.raises(ValidationError, match="U\\+D800"):
            field.clean("工作\ud800项目")


def test_section_page_cleans_its_text_too(editor_client, report):
    section = report.sections.get()
    url = reverse("admin:archive_section_change", args=[section.pk])
    data = form_data(editor_client.get(url), "section_form") | {"heading": "小\x0b标题", "body": "第一段。\x0c第二段。\x00"}
    assert editor_client.post(url, data).status_code == 302
    section.refresh_from_db()
    assert (section.heading, section.body) == ("小 标题", "第一段。\n第二段。")
    assert Section.objects.filter(article=report).count() == 1 and Article.objects.get(pk=report.pk).title == report.title


def test_every_admin_form_of_the_archive_stores_text_by_the_rule():
    # A new admin (or inline) that forgot the shared overrides would store control characters.
    from django.contrib import admin
    from django.db import models

    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "archive":
            continue
        for owner in [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]:
            for field in owner.model._meta.get_fields():
                if type(field) in (models.CharField, models.TextField) and not field.choices:
                    formfield = owner.formfield_for_dbfield(field, request=None)
                    assert isinstance(formfield, (LineField, TextField)), (owner, field.name)
                    checked += 1
    assert checked > 30
