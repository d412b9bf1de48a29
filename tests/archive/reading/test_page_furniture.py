"""What every public page carries around its content, through the test client: the top navigation
(检索, 体裁, 出处 among its sections), numbered pagination that keeps the page's other parameters,
the article's table of contents numbering each heading once, the site's icon, and Chinese error
pages (404, and a 500 that renders without the database) that keep the header, navigation and
search box."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.template import loader
from django.urls import reverse

from archive.models import Article

REPLY = "/articles/2022-zhuzhou-gongxinju-reply-1022/"
FEATURE = "/articles/2024-gongjian-liangge-shengtai/"  # headings without numbers of their own


def main_nav(html: str) -> dict[str, str]:
    """The top navigation's links, label → href."""
    nav = re.search(r'<nav class="site-nav" aria-label="主导航">(.*?)</nav>', html, re.S)
    assert nav, "no top navigation"
    return {unescape(label): href for href, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(1))}


def pagination(html: str) -> dict[str, str]:
    """The pagination's links, label → href (numbers by their label, 首页, 上一页…)."""
    nav = re.search(r'<nav class="pagination" aria-label="分页">(.*?)</nav>', html, re.S)
    assert nav, "no pagination"
    found = re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(1))
    return {label.strip(): unescape(href) for href, label in found}


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


# --- Navigation -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_top_navigation_leads_to_search_kinds_and_sources(client):
    links = main_nav(client.get("/").content.decode())
    assert links["检索"] == reverse("search:search")
    assert links["体裁"] == reverse("archive:kinds")
    assert links["出处"] == reverse("archive:sources")
    assert links["报道"] == reverse("archive:articles")


@pytest.mark.django_db
def test_top_navigation_marks_the_section_the_page_is_in(client):
    html = client.get(reverse("archive:kinds")).content.decode()
    current = re.findall(r'<a href="([^"]*)" aria-current="page">', html)
    assert current == [reverse("archive:kinds")]


# --- Pagination -------------------------------------------------------------------------------


@pytest.fixture
def many_reports(db):
    """Enough published reports for seven pages of the report list (20 a page)."""
    Article.objects.bulk_create(
        Article(slug=f"paging-{n:03d}", title=f"分页测试报道{n}", kind=Article.Kind.NEWS,
                date=datetime.date(2001, 1, 1) + datetime.timedelta(days=n), date_precision="day",
                status=Article.Status.PUBLISHED)
        for n in range(140 - Article.objects.published().count())
    )


def test_list_pagination_has_first_previous_numbers_with_ellipses_next_and_last(client, many_reports):
    pages = -(-Article.objects.published().count() // 20)
    html = client.get(reverse("archive:articles"), {"sort": "oldest", "page": 4}).content.decode()
    links = pagination(html)
    assert {"首页", "上一页", "下一页", "末页"} <= set(links)
    assert params(links["末页"]) == {"sort": ["oldest"], "page": [str(pages)]}
    assert params(links["首页"]) == {"sort": ["oldest"]}
    assert params(links["上一页"]) == {"sort": ["oldest"], "page": ["3"]}
    assert params(links["下一页"]) == {"sort": ["oldest"], "page": ["5"]}
    assert '<span aria-current="page">第 4 页</span>' in html
    first = pagination(client.get(reverse("archive:articles"), {"sort": "oldest"}).content.decode())
    assert "首页" not in first and "上一页" not in first
    assert [label for label in first if label.isdigit()] == ["2", "3", str(pages)]
    assert "…" in client.get(reverse("archive:articles")).content.decode().split('class="pagination"')[1]


@pytest.mark.django_db
def test_search_results_have_numbered_pages_that_keep_the_query_and_filters(client):
    response = client.get("/search/", {"q": "改革", "sort": "newest"})
    results = response.context["results"]
    assert results.pages >= 2, "the test needs a search with more than one page"
    links = pagination(response.content.decode())
    assert "末页" in links and "下一页" in links and "2" in links
    for label in ("2", "下一页", "末页"):
        assert params(links[label])["q"] == ["改革"] and params(links[label])["sort"] == ["newest"]
    assert params(links["末页"])["page"] == [str(results.pages)]
    last = pagination(client.get("/search/", {"q": "改革", "sort": "newest", "page": results.pages}).content.decode())
    assert params(last["首页"]) == {"q": ["改革"], "sort": ["newest"]}


@pytest.mark.django_db
def test_an_expanded_facet_folds_back(client):
    html = client.get("/search/", {"q": "改革"}).content.decode()
    more = re.search(r'<a class="more" href="([^"]*)">更多（\d+）</a>', html)
    assert more, "the test needs a facet with more values than shown"
    expanded = client.get("/search/" + unescape(more.group(1))).content.decode()
    fold = re.search(r'<a class="more" href="([^"]*)">收起</a>', expanded)
    assert fold, "an expanded facet offers no way back"
    back = params(unescape(fold.group(1)))
    assert back.get("q") == ["改革"] and "more" not in back
    assert len(re.findall(r'class="more"', client.get("/search/" + unescape(fold.group(1))).content.decode())) >= 1


@pytest.mark.django_db
def test_facet_panel_says_how_many_filters_are_selected(client):
    html = client.get("/search/", {"q": "改革", "year": "2024", "kind": "news"}).content.decode()
    summary = re.search(r'<details class="facet-panel"[^>]*>\s*<summary>(.*?)</summary>', html, re.S)
    assert summary and re.sub(r"<[^>]+>|\s", "", summary.group(1)) == "筛选（已选2项）"


# --- The article ------------------------------------------------------------------------------


def toc_items(html: str) -> list[tuple[str, str]]:
    """The table of contents' top-level items: (class attribute, heading)."""
    toc = re.search(r'<nav class="toc".*?<ol>(.*)</ol>\s*</nav>', html, re.S).group(1)
    toc = re.sub(r"<ol>.*?</ol>", "", toc, flags=re.S)  # the sub-headings
    found = re.findall(r'<li(?: class="([^"]*)")?><a href="#[^"]+">([^<]+)</a>', toc)
    return [(cls or "", unescape(text)) for cls, text in found]


@pytest.mark.django_db
def test_table_of_contents_does_not_number_headings_that_carry_their_own_number(client):
    items = toc_items(client.get(REPLY).content.decode())
    assert [text for _, text in items] == ["一、已开展的主要工作", "二、下步工作部署"]
    assert all("numbered" in cls.split() for cls, _ in items)


@pytest.mark.django_db
def test_table_of_contents_numbers_headings_without_a_number(client):
    items = toc_items(client.get(FEATURE).content.decode())
    assert len(items) > 1
    assert not any("numbered" in cls.split() for cls, _ in items)


def test_heading_numbers_are_told_from_years_and_amounts():
    from archive.reading.article_text import OWN_NUMBER

    for heading in ("一、做法与成效", "（三）加速融合协同。", "1.推进智能制造。", "2、成立一个小组", "(4)其他", "第二章 总则", "①优化服务", "2.1 小节"):
        assert OWN_NUMBER.match(heading), heading
    for heading in ("2019年工作回顾", "1.5万户受益", "结语", "改革赋能，打造一流营商环境", "十四五规划"):
        assert not OWN_NUMBER.match(heading), heading


# --- The site's icon --------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_link_an_icon_that_exists(client):
    html = client.get("/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert link
    name = link.group(1).split("/static/", 1)[1]
    assert finders.find(re.sub(r"\.[0-9a-f]{12}\.", ".", name)).endswith("favicon.svg")


def test_favicon_ico_answers_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response["Cache-Control"]


# --- Error pages ------------------------------------------------------------------------------


def assert_site_chrome(html: str):
    links = main_nav(html)
    assert {"报道", "部门", "改革举措", "检索", "体裁", "出处"} <= set(links)
    assert links["检索"] == "/search/"
    assert re.search(r'<form class="search-box" role="search" method="get" action="/search/">', html)
    assert '<input id="error-q" type="search" name="q"' in html


@pytest.mark.django_db
def test_404_page_is_chinese_with_header_navigation_and_search_box(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "没有找到这个页面" in html and "Not Found" not in html
    assert_site_chrome(html)


def test_500_page_renders_without_a_database_and_keeps_navigation_and_search_box():
    # No django_db mark and no request: any query, in a context processor or a tag, fails the test.
    html = loader.get_template("500.html").render()
    assert "页面出错了" in html
    assert_site_chrome(html)
