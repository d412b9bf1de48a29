"""Search as a reader uses it, in Chromium: type a query, read marked results, narrow by a facet,
follow a result to its section."""

import re

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_search_facet_and_result_lead_to_the_section(archive_server, page, screenshot):
    page.goto(archive_server.url + "/")
    page.get_by_label("检索").first.fill("园区")
    page.get_by_label("检索").first.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert page.locator("mark").first.inner_text() == "园区"
    total_before = page.locator(".result-bar strong").first.inner_text()
    screenshot(page, "search-results")
    page.locator("#facet-year ~ ul a", has_text="2019年").click()
    page.wait_for_url(re.compile(r"year=2019"))
    total_after = page.locator(".result-bar strong").first.inner_text()
    assert int(total_after) < int(total_before)
    assert page.locator(".facet a.selected", has_text="2019年").count() == 1
    screenshot(page, "search-facet-year")
    first = page.locator(".hit h3 a").first
    first.click()
    page.wait_for_load_state()
    assert re.search(r"/articles/[^/]+/\?hl=.*#s\d+$", page.url)
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"section#{anchor}").is_visible()


def test_search_page_has_no_horizontal_scroll_on_a_phone(archive_server, phone, screenshot):
    phone.goto(archive_server.url + "/search/?q=%E6%94%B9%E9%9D%A9")
    # window.innerWidth grows with oversized content on a mobile viewport, so compare against
    # the viewport the context was created with.
    width = phone.evaluate("document.documentElement.scrollWidth")
    screenshot(phone, "search-phone")
    assert width <= phone.viewport_size["width"]
