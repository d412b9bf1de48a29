"""The editorial desk in Chromium: an editor signs in, edits a section, sees the change on the
public page and in search at once, finds it in the history, and restores the old text."""

import re

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "browser-Desk-密码-2024"
MARKER = "浏览器校订标记云杉"


@pytest.fixture
def editor_account(archive_server):
    from django.contrib.auth.models import Group, User

    from archive.editorial.roles import sync_roles

    sync_roles()  # a transactional test starts from a flushed database
    user = User.objects.create_user("desk-editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture
def article(archive_server):
    from archive.models import Article

    for article in Article.objects.published().order_by("pk"):
        if article.sections.count() >= 3:
            return article
    raise AssertionError("no published article with three sections")


def sign_in(page, server):
    page.goto(server.url + "/admin/login/")
    page.fill("#id_username", "desk-editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_an_editor_edits_a_section_sees_it_published_and_searchable_and_restores_it(
    archive_server, editor_account, article, page, screenshot
):
    server = archive_server
    sign_in(page, server)
    page.goto(f"{server.url}/admin/archive/article/{article.pk}/change/")
    assert page.locator(".desk-original").is_visible()
    body = page.locator("#id_sections-0-body")
    original = body.input_value()
    screenshot(page, "admin-change-form")

    body.fill(original + "\n" + MARKER + "。")
    page.locator("input[name=_save]").last.click()
    page.wait_for_selector(".messagelist .success")

    page.goto(server.url + article.get_absolute_url())
    assert MARKER in page.content()

    page.goto(f"{server.url}/search/?q={MARKER}")
    assert page.locator("mark").first.inner_text() == MARKER
    assert article.title in page.locator(".hit").first.inner_text()

    page.goto(f"{server.url}/admin/archive/article/{article.pk}/history/")
    newest = page.locator("tr.version").first
    assert "desk-editor" in newest.inner_text() and "正文" in newest.inner_text()
    screenshot(page, "admin-history")

    page.locator("tr.version").nth(0).get_by_text("与当前比较").count()  # present for every version
    page.locator("tr.version").nth(1).get_by_text("与当前比较").click()
    assert page.locator(".diff ins", has_text=MARKER).count() == 1
    screenshot(page, "admin-compare")

    page.goto(f"{server.url}/admin/archive/article/{article.pk}/history/")
    page.locator("tr.version").nth(1).get_by_text("恢复到此版本…").click()
    screenshot(page, "admin-restore-confirm")
    page.locator("input[type=submit][value^=确认恢复]").click()
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#id_sections-0-body").input_value() == original

    page.goto(server.url + article.get_absolute_url())
    assert MARKER not in page.content()
    page.goto(f"{server.url}/search/?q={MARKER}")
    assert page.locator(".hit").count() == 0


def test_the_up_and_down_buttons_reorder_sections(archive_server, editor_account, article, page, screenshot):
    from archive.models import Section

    first, second = list(article.sections.order_by("order"))[:2]
    sign_in(page, archive_server)
    page.goto(f"{archive_server.url}/admin/archive/article/{article.pk}/change/")
    page.locator("#sections-0 .section-move", has_text="下移").click()
    assert page.locator("#sections-0 input.section-order").input_value() == "2"
    assert page.locator("#sections-1 input.section-order").input_value() == "1"
    page.locator("input[name=_save]").last.click()
    page.wait_for_selector(".messagelist .success")
    assert Section.objects.get(pk=first.pk).order > Section.objects.get(pk=second.pk).order
    page.goto(archive_server.url + article.get_absolute_url())
    html = page.content()
    assert html.index(f'id="{second.anchor}"') < html.index(f'id="{first.anchor}"')
