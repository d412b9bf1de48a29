"""Suggestions and help as a reader meets them in Chromium: pinyin typed into the box offers the
initiative, a search that finds nothing asks 您是不是要找 and leads to results, and the empty
result page and the help page fit a desktop and a phone without sideways scrolling."""

import re

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def test_pinyin_in_the_search_box_offers_the_initiative_and_the_keyboard_opens_it(archive_server, page, screenshot):
    page.goto(archive_server.url + "/")
    box = page.locator("#home-q")
    box.press_sequentially("erfenfa", delay=30)
    option = page.locator(".suggest-list li[role=option]").first
    option.wait_for()
    assert "二分法" in option.inner_text() and "改革举措" in option.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    screenshot(page, "suggest-pinyin")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/initiatives/erfenfa/$"))


def test_a_mistyped_initial_offers_did_you_mean_in_the_box(archive_server, page):
    page.goto(archive_server.url + "/search/?q=%E6%94%B9%E9%9D%A9")
    page.locator("#site-q").fill("")
    page.locator("#site-q").press_sequentially("efl", delay=30)
    option = page.locator(".suggest-list li[role=option]").first
    option.wait_for()
    assert "您是不是要找" in option.inner_text() and "二分法" in option.inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".suggest-list").is_hidden()


@pytest.mark.parametrize("device", WIDTHS)
def test_empty_result_and_help_pages_read_well_at_desktop_and_phone_width(archive_server, browser, screenshot, device):
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  **({"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if device == "phone" else {}))
    page = context.new_page()
    try:
        page.goto(archive_server.url + "/search/?q=erfenfa")
        assert page.locator(".did-you-mean a", has_text="二分法").is_visible()
        assert page.locator(".facet, .downloads").count() == 0
        assert page.locator(".search-help a", has_text="检索帮助").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"search-empty-{width}")
        page.locator(".search-help a", has_text="检索帮助").click()
        page.wait_for_url(re.compile(r"/search/help/$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"search-help-{width}")
        page.locator(".help-examples a", has_text="二分法 OR 工作项目化").click()
        page.wait_for_url(re.compile(r"/search/\?q="))
        assert int(page.locator(".result-bar strong").first.inner_text()) > 0
        page.goto(archive_server.url + "/search/?q=erfenfa")
        page.locator(".did-you-mean a", has_text="二分法").click()
        page.wait_for_url(re.compile(r"q=%E4%BA%8C%E5%88%86%E6%B3%95"))
        assert int(page.locator(".result-bar strong").first.inner_text()) > 0
    finally:
        context.close()
