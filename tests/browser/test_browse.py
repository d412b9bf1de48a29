"""Browsing as a reader does, in Chromium: department → report → section, initiative → mention →
the exact section, search → facet → result; a phone without sideways scrolling, the keyboard
alone, the printed article. Screenshots of the main pages go to test-artifacts/screenshots/."""

import re
from urllib.parse import unquote

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_department_to_report_to_section_anchor(archive_server, page, screenshot):
    page.goto(archive_server.url + "/")
    screenshot(page, "browse-home")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="部门").click()
    page.wait_for_url(re.compile(r"/departments/$"))
    assert page.locator("h2", has_text="株洲市").first.is_visible()
    screenshot(page, "browse-departments")

    page.get_by_role("link", name="株洲市工业和信息化局").first.click()
    page.wait_for_url(re.compile(r"/departments/zhuzhou-industry-it/$"))
    assert page.locator(".aliases .alias", has_text="工信局").first.is_visible()
    assert page.locator("svg.chart").is_visible()
    screenshot(page, "browse-department")

    page.locator(".article-list a.title").first.click()
    page.wait_for_url(re.compile(r"/articles/[^/]+/$"))
    assert page.locator("h1").inner_text() == "对市十六届人大一次会议第1022号建议的答复"
    toc_link = page.locator("nav.toc a", has_text="（三）聚焦体制改革")
    heading = toc_link.inner_text()
    toc_link.click()
    page.wait_for_url(re.compile(r"#s\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    section = page.locator(f"section#{anchor}")
    assert section.locator("h2, h3").first.inner_text().startswith(heading)
    assert section.evaluate("el => el.matches(':target')")
    top = section.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 100  # scrolled to the section
    screenshot(page, "browse-article-section")


def test_initiative_mention_leads_to_the_exact_section_with_the_name_marked(archive_server, page, screenshot):
    page.goto(archive_server.url + "/initiatives/")
    screenshot(page, "browse-initiatives")
    page.locator("#cat-parks").get_by_role("link", name="园区体制机制改革", exact=True).click()
    page.wait_for_url(re.compile(r"/initiatives/[^/]+/$"))
    assert page.locator("h1").inner_text() == "园区体制机制改革"
    lines = page.locator(".kwic-line")
    assert lines.count() >= 5
    assert page.locator("svg.chart title").text_content().endswith("各年份被提及次数")
    screenshot(page, "browse-initiative")

    line = lines.nth(1)
    name = line.locator("mark").inner_text()
    context = line.locator(".before").inner_text().lstrip("…")[-6:]
    line.locator("a").click()
    page.wait_for_url(re.compile(r"\?hl=.*#s\d+$"))
    assert name in unquote(page.url)
    anchor = page.url.rsplit("#", 1)[1]
    section = page.locator(f"section#{anchor}")
    assert section.is_visible()
    assert name in [m.inner_text() for m in section.locator("mark").all()]
    assert context in section.inner_text()
    screenshot(page, "browse-article-from-mention")


def test_search_from_an_initiative_then_facet_then_result(archive_server, page, screenshot):
    page.goto(archive_server.url + "/initiatives/erfenfa/")
    page.get_by_role("link", name="在检索中查看").click()
    page.wait_for_url(re.compile(r"/search/\?initiative=erfenfa"))
    assert page.locator(".facet a.selected", has_text="二分法").count() == 1
    total = int(page.locator(".result-bar strong").first.inner_text())
    page.locator("#facet-year ~ ul a", has_text="2024年").click()
    page.wait_for_url(re.compile(r"year=2024"))
    narrowed = int(page.locator(".result-bar strong").first.inner_text())
    assert 0 < narrowed < total
    screenshot(page, "browse-search-facets")
    page.fill("#site-q", "国企")
    page.press("#site-q", "Enter")
    page.wait_for_url(re.compile(r"q=%E5%9B%BD%E4%BC%81"))
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(r"/articles/[^/]+/\?hl=.*#s\d+$"))
    assert page.locator(".report-body mark").first.inner_text() == "国企"
    assert page.locator(".highlight-notice").is_visible()


PHONE_PAGES = {
    "home": "/",
    "departments": "/departments/",
    "department": "/departments/zhuzhou-sasac/",
    "initiatives": "/initiatives/",
    "initiative": "/initiatives/yuanqu-tizhi-jizhi-gaige/",
    "article": "/articles/2022-zhuzhou-gongxinju-reply-1022/",
    "original": "/articles/2024-gongjian-liangge-shengtai/original/",
    "year": "/years/2019/",
    "series": "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/",
    "people": "/people/",
}


def test_phone_layout_has_no_horizontal_scroll(archive_server, phone, screenshot):
    # compared with the configured width: on a mobile viewport Chromium widens the layout
    # viewport (and window.innerWidth) to fit content that is too wide
    viewport = phone.viewport_size["width"]
    too_wide = {}
    for name, url in PHONE_PAGES.items():
        phone.goto(archive_server.url + url)
        width = phone.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)")
        if width > viewport:
            too_wide[name] = width
        screenshot(phone, f"phone-{name}")
    assert not too_wide, f"wider than the {viewport}px screen: {too_wide}"


def test_main_pages_on_a_wide_screen(archive_server, page, screenshot):
    for name, url in {
        "wide-article": "/articles/2024-gaige-jinyaoshi/",
        "wide-original": "/articles/2024-gongjian-liangge-shengtai/original/",
        "wide-year": "/years/2019/",
        "wide-series": "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/",
        "wide-person": "/people/song-chang-zheng/",
        "wide-articles": "/articles/",
    }.items():
        page.goto(archive_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.locator("h1").count() == 1
        screenshot(page, f"browse-{name}")


def test_keyboard_reaches_the_skip_link_navigation_and_search(archive_server, page):
    page.goto(archive_server.url + "/departments/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.goto(archive_server.url + "/departments/")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim() || document.activeElement.id"))
    for label in ("改革报道档案", "报道", "部门", "改革举措", "年份", "专栏", "署名人", "site-q", "检索"):
        assert label in reached
    # the focused link is visibly outlined
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_article_prints_without_the_site_chrome(archive_server, page, screenshot):
    page.goto(archive_server.url + "/articles/2024-gaige-jinyaoshi/")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-aside").is_visible()
    assert not page.locator("nav.toc").is_visible()
    assert page.locator("h1").is_visible()
    assert page.locator(".citation-text").is_visible()
    screenshot(page, "browse-article-print")
