"""The public pages, through the test client, on the curated corpus: what each page shows (not
only that it answers), how many queries it takes, and that the number does not grow with the
archive."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Department,
    Initiative,
    Mention,
    Person,
    Series,
    Source,
)

pytestmark = pytest.mark.django_db

SERIES = "全面深化改革株洲进行时"


def text_of(response) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def sasac():
    return Department.objects.get(slug="zhuzhou-sasac")


@pytest.fixture
def erfenfa():
    return Initiative.objects.get(slug="erfenfa")


@pytest.fixture
def series():
    return Series.objects.get(name=SERIES)


# ---------------------------------------------------------------------------------------------
# Every page: language, landmarks, navigation


PAGES = [
    "/",
    "/articles/",
    "/articles/2024-gaige-jinyaoshi/",
    "/articles/2024-gaige-jinyaoshi/original/",
    "/departments/",
    "/departments/zhuzhou-sasac/",
    "/initiatives/",
    "/initiatives/erfenfa/",
    "/years/",
    "/years/2019/",
    "/kinds/",
    "/kinds/research/",
    "/sources/",
    "/series/",
    "/people/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_chinese_with_landmarks_one_h1_and_the_navigation(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert html.count("<h1") == 1
    for landmark in ("<header", "<main", "<footer", 'aria-label="主导航"'):
        assert landmark in html
    for name in ("archive:articles", "archive:departments", "archive:initiatives", "archive:years", "archive:series_list", "archive:people"):
        assert f'href="{reverse(name)}"' in html
    assert 'role="search"' in html or url == "/"  # the home page has its own, larger search box
    assert 'class="skip" href="#main"' in html


@pytest.mark.parametrize("url", PAGES)
def test_headings_do_not_skip_a_level(client, url):
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", client.get(url).content.decode())]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"h{before} followed by h{after} on {url}"


@pytest.mark.parametrize("url", PAGES)
def test_every_form_control_has_a_label(client, url):
    html = client.get(url).content.decode()
    for control_id in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        assert 'type="hidden"' in tag or "id=" in tag or "aria-label" in tag


# ---------------------------------------------------------------------------------------------
# Home


def test_home_shows_numbers_newest_reports_top_departments_initiatives_and_a_chart(client):
    response = client.get("/")
    text = text_of(response)
    published = Article.objects.published()
    assert f"{published.count()} 篇" in text
    newest = published.newest_first().first()
    assert newest.title in text
    assert "报道最多的部门" in text and "提及最多的改革举措" in text
    assert "园区体制机制改革" in text  # the most reported initiative in the corpus
    html = response.content.decode()
    assert '<svg class="chart"' in html and 'role="img"' in html
    assert "2019年" in html and "2024年" in html
    assert 'id="home-q"' in html and 'action="/search/"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/feed/"' in html


# ---------------------------------------------------------------------------------------------
# Departments


def test_department_list_groups_by_region_and_kind_with_a_tree_and_counts(client, sasac):
    response = client.get("/departments/")
    text = text_of(response)
    for region in Department.objects.values_list("region", flat=True).distinct():
        assert region in text
    assert "党委部门" in text and "国有企业" in text
    html = response.content.decode()
    # a unit whose parent is in the same group is indented under it
    reform_office = Department.objects.get(slug="zhuzhou-reform-office")
    assert re.search(r'class="depth-1[^"]*"><span class="node"><a href="%s"' % reform_office.get_absolute_url(), html)
    count = Article.objects.published().filter(departments=sasac).distinct().count()
    row = re.search(r'href="%s">[^<]+</a>.*?<span class="count">(\d+)篇' % sasac.get_absolute_url(), html, re.S)
    assert row and int(row.group(1)) == count


def test_department_page_shows_aliases_reports_initiatives_people_and_timeline(client):
    department = Department.objects.get(name="株洲市自然资源和规划局")
    response = client.get(department.get_absolute_url())
    text = text_of(response)
    assert "资规局" in text and "都指株洲市自然资源和规划局" in text
    assert "“工作项目化”改革助推项目跑出“加速度”" in text
    assert "牵头的改革举措" in text and "工作项目化" in text
    assert "时间线" in text and "2024年" in text
    html = response.content.decode()
    assert f'href="{department.get_absolute_url()}feed/"' in html
    assert 'type="application/atom+xml"' in html
    assert f'href="{department.get_absolute_url()}reports.csv' in html


def test_department_page_lists_its_people(client):
    person = Person.objects.exclude(department=None).select_related("department").first()
    text = text_of(client.get(person.department.get_absolute_url()))
    assert "本单位署名人" in text and person.name in text


def test_department_reports_sort_oldest_first_and_paginate(client, sasac, make_article):
    for n in range(22):
        article = make_article(title=f"排序测试{n:02d}", date=datetime.date(2000 + n, 1, 1))
        ArticleDepartment.objects.create(article=article, department=sasac, role="subject")
    first_page = text_of(client.get(sasac.get_absolute_url() + "?sort=oldest"))
    assert "排序测试00" in first_page and "排序测试19" in first_page and "排序测试20" not in first_page
    second = client.get(sasac.get_absolute_url() + "?sort=oldest&page=2")
    assert "排序测试21" in text_of(second)
    assert "sort=oldest&amp;page=1" in second.content.decode()  # page links keep the order
    newest = text_of(client.get(sasac.get_absolute_url()))
    assert newest.index("排序测试21") < newest.index("排序测试20")


def test_unknown_department_is_404(client):
    assert client.get("/departments/no-such-unit/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Initiatives


def test_initiative_list_groups_by_category_with_counts(client, erfenfa):
    text = text_of(client.get("/initiatives/"))
    assert "国资国企" in text and "园区" in text
    reports = Article.objects.published().filter(sections__mentions__initiative=erfenfa).distinct().count()
    times = Mention.objects.filter(initiative=erfenfa).aggregate(n=Sum("count"))["n"]
    assert f"二分法 {reports}篇 · {times}次" in text


def test_initiative_page_lists_every_mention_in_context_linking_to_its_section(client, erfenfa):
    response = client.get(erfenfa.get_absolute_url())
    html = response.content.decode()
    text = text_of(response)
    assert erfenfa.summary[:20] in text
    assert "二分法改革" in text  # its alias
    assert "株洲市人民政府国有资产监督管理委员会" in text  # a lead department
    mentions = Mention.objects.filter(initiative=erfenfa).select_related("section__article")
    assert html.count('class="kwic-line"') == sum(len(m.offsets) for m in mentions)
    for mention in mentions:
        section = mention.section
        assert re.search(
            r'href="%s\?hl=[^"#]+#%s"' % (re.escape(section.article.get_absolute_url()), section.anchor), html
        )
    assert re.search(r"<mark>二分法", html)
    assert "常在同一段落出现的举措" in text and "三项制度改革" in text
    assert '<svg class="chart"' in html and "被提及次数" in html
    assert f'href="{erfenfa.get_absolute_url()}feed/"' in html
    assert f'href="/search/?initiative={erfenfa.slug}"' in html


def test_initiative_kwic_context_stays_within_its_paragraph(client, make_article):
    initiative = Initiative.objects.get(slug="erfenfa")
    make_article(title="边界", sections=(("", "上一段结尾。\n推行二分法改革以后\n下一段开头。"),))
    html = client.get(initiative.get_absolute_url()).content.decode()
    line = re.search(r'<span class="before"><span>([^<]*)</span></span><mark>二分法改革</mark><span class="after">([^<]*)</span>', html)
    assert line and line.group(1) == "推行" and line.group(2) == "以后"


# ---------------------------------------------------------------------------------------------
# The article


def test_article_page_shows_the_record(client):
    article = Article.objects.get(slug="2022-zhuzhou-gongxinju-reply-1022")
    response = client.get(article.get_absolute_url())
    text = text_of(response)
    assert article.title in text
    assert "建议答复" in text
    assert "2022年6月28日" in text
    assert "株工信字〔2022〕21号" in text
    assert "宋长征 （承办负责人）" in text or "宋长征（承办负责人）" in text
    assert "株洲市工业和信息化局" in text and "报道对象" in text
    assert "株洲市工业和信息化局文件" in text  # its source


@pytest.mark.parametrize(
    "precision,date,shown",
    [("year", datetime.date(2024, 1, 1), "2024年"), ("month", datetime.date(2024, 11, 1), "2024年11月"), ("day", datetime.date(2024, 11, 5), "2024年11月5日")],
)
def test_article_date_is_shown_with_its_precision(client, make_article, precision, date, shown):
    article = make_article(date=date, precision=precision)
    text = text_of(client.get(article.get_absolute_url()))
    assert f"日期 {shown}" in text
    if precision != "day":
        assert f"{shown}5日" not in text and "年1月1日" not in text


def test_article_has_a_table_of_contents_with_stable_anchors_and_sub_headings(client):
    article = Article.objects.get(slug="2022-zhuzhou-gongxinju-reply-1022")
    html = client.get(article.get_absolute_url()).content.decode()
    for section in article.sections.all():
        assert f'<section id="{section.anchor}"' in html
        if section.heading:
            assert f'<a href="#{section.anchor}">{section.heading}</a>' in html
    # （一） under 一、 is a level-3 heading, nested in the table of contents
    assert re.search(r'<h3 id="s3-h">（一）聚焦规划引领', html)
    assert re.search(r'<a href="#s2">一、已开展的主要工作</a><ol><li><a href="#s3">', html)


def test_initiative_names_in_the_text_link_to_their_pages(client):
    article = Article.objects.get(slug="2024-zhuzhou-gaoke-erfenfa")
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'<a class="initiative-link" href="/initiatives/erfenfa/"[^>]*>二分法</a>', html)
    mention = Mention.objects.filter(section__article=article).select_related("initiative").first()
    assert f'href="{mention.initiative.get_absolute_url()}"' in html


def test_searched_terms_are_marked_when_reached_from_a_search(client):
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    plain = client.get(article.get_absolute_url()).content.decode()
    assert "<mark>" not in plain.split('id="cite-h"')[0].split("report-body")[1]
    response = client.get(article.get_absolute_url() + "?hl=园区 国企")
    html = response.content.decode()
    body = html.split('class="report-body"')[1].split("</div>")[0]
    assert "<mark>园区</mark>" in body and "<mark>国企</mark>" in body
    assert "已标出检索词" in text_of(response)
    assert 'href="/search/?q=%E5%9B%AD%E5%8C%BA+%E5%9B%BD%E4%BC%81"' in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_marks_and_links_nest_when_a_search_term_overlaps_an_initiative_name(client):
    article = Article.objects.get(slug="2024-zhuzhou-gaoke-erfenfa")
    html = client.get(article.get_absolute_url() + "?hl=分法破").content.decode()
    body = html.split('class="report-body"')[1]
    assert re.search(r'<a class="initiative-link" href="/initiatives/erfenfa/"[^>]*>二<mark>分法</mark></a><mark>”破</mark>', body)


def test_highlight_parameter_is_escaped(client):
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    html = client.get(article.get_absolute_url() + "?hl=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_article_shows_captions_editorial_note_and_links_to_the_original(client):
    article = Article.objects.get(slug="2024-gongjian-liangge-shengtai")
    response = client.get(article.get_absolute_url())
    text = text_of(response)
    html = response.content.decode()
    assert "图片说明" in text and "天元工业软件园。" in text
    assert "编校说明" in text and "据原文整理" in text
    assert f'href="{article.get_absolute_url()}original/"' in html
    # line references in the note lead to that line of the original
    assert re.search(r'<a href="%soriginal/#L83">第83行</a>' % re.escape(article.get_absolute_url()), html)


def test_original_page_shows_the_verbatim_text_with_raw_file_line_numbers(client):
    article = Article.objects.get(slug="2024-gongjian-liangge-shengtai")
    response = client.get(article.get_absolute_url() + "original/")
    html = response.content.decode()
    raw_lines = article.raw_document.text.splitlines()
    assert f'id="L3" data-line="3">{raw_lines[2]}</span>' in html
    assert f'id="L83" data-line="83">{raw_lines[82]}</span>' in html
    assert 'id="L1"' not in html  # line 1 belongs to no report of this file
    assert 'aria-current="page">原文（逐字保存）' in html


def test_series_neighbours_previous_next_and_the_whole_series(client, series):
    articles = list(Article.objects.published().filter(series=series).order_by("series_order"))
    middle = articles[2]
    response = client.get(middle.get_absolute_url())
    html = response.content.decode()
    assert re.search(r'href="%s" rel="prev"' % articles[1].get_absolute_url(), html)
    assert re.search(r'href="%s" rel="next"' % articles[3].get_absolute_url(), html)
    for other in articles:
        assert other.title.replace("“", "&ldquo;") in html or other.title in html


def test_related_reports_share_initiatives_or_departments_and_say_which(client):
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    response = client.get(article.get_absolute_url())
    text = text_of(response)
    assert "相关报道" in text and "共同举措：" in text
    related_section = response.content.decode().split('id="related-h"')[1]
    assert "/articles/2024-gaige-jinyaoshi/" not in related_section
    assert "/articles/2024-zhuzhou-gaoke-erfenfa/" not in related_section  # same series: listed apart


def test_article_gives_a_gbt7714_citation(client):
    article = Article.objects.get(slug="2022-zhuzhou-gongxinju-reply-1022")
    text = text_of(client.get(article.get_absolute_url()))
    assert "对市十六届人大一次会议第1022号建议的答复: 株工信字〔2022〕21号[A/OL]. (2022-06-28)[" in text
    assert "http://testserver/articles/2022-zhuzhou-gongxinju-reply-1022/." in text


def test_draft_articles_are_not_shown(client, make_article):
    draft = make_article(title="草稿不可见", status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "草稿不可见" not in text_of(client.get("/articles/"))


# ---------------------------------------------------------------------------------------------
# Years, kinds, sources, series, people


def test_year_page_lists_that_years_reports_with_neighbours_and_breakdowns(client):
    response = client.get("/years/2019/")
    text = text_of(response)
    count = Article.objects.published().filter(date__year=2019).count()
    assert f"报道（{count}篇）" in text
    assert "调研报告" in text and "涉及的部门" in text
    assert 'href="/years/2022/" rel="next"' in response.content.decode()
    assert client.get("/years/1990/").status_code == 404


def test_year_index_has_a_chart_and_every_year(client):
    html = client.get("/years/").content.decode()
    assert '<svg class="chart"' in html
    for year in Article.objects.published().dates("date", "year"):
        assert f'href="/years/{year.year}/"' in html


def test_kind_pages(client):
    text = text_of(client.get("/kinds/"))
    assert "调研报告" in text and "建议答复" in text
    research = text_of(client.get("/kinds/research/"))
    assert f"报道（{Article.objects.published().filter(kind='research').count()}篇）" in research
    assert client.get("/kinds/poetry/").status_code == 404


def test_source_pages_say_when_the_source_is_unknown(client):
    unknown = Source.objects.get(name="未署出处")
    text = text_of(client.get(unknown.get_absolute_url()))
    assert "没有写明" in text
    assert "株洲市工业和信息化局文件" in text_of(client.get("/sources/"))


def test_series_page_lists_in_series_order(client, series):
    text = text_of(client.get(series.get_absolute_url()))
    titles = list(Article.objects.published().filter(series=series).order_by("series_order").values_list("title", flat=True))
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "系列顺序" in text
    assert series.name in text_of(client.get("/series/"))


def test_person_page_shows_position_reports_with_byline_and_coauthors(client):
    person = Person.objects.get(name="宋长征")
    text = text_of(client.get(person.get_absolute_url()))
    assert "承办负责人" in text and "对市十六届人大一次会议第1022号建议的答复" in text
    assert "作者（承办负责人）" in text
    assert "共同署名" in text and "杨帆" in text
    assert "宋长征" in text_of(client.get("/people/"))


# ---------------------------------------------------------------------------------------------
# Query counts: fixed per page, and not growing with the archive


QUERY_BUDGET = {
    "/": 11,
    "/articles/": 5,
    "/articles/2024-gaige-jinyaoshi/": 13,  # related reports: scored on the live index, series and shown ones loaded
    "/articles/2024-gaige-jinyaoshi/original/": 1,
    "/departments/": 1,
    "/departments/zhuzhou-sasac/": 11,
    "/initiatives/": 1,
    "/initiatives/erfenfa/": 9,  # the page of mentions: ids sorted, then those rows loaded
    "/years/": 2,
    "/years/2024/": 6,
    "/kinds/": 1,
    "/kinds/research/": 2,
    "/sources/": 1,
    "/sources/wei-shu-chu-chu/": 3,
    "/series/": 1,
    "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/": 5,
    "/people/": 1,
    "/people/song-chang-zheng/": 5,
    # A feed's entries are dated by their last change in the history: one more query.
    "/feed/": 6,
    "/departments/zhuzhou-sasac/feed/": 7,
    "/initiatives/erfenfa/feed/": 7,
    "/years/2024/feed/": 6,
    "/articles.csv": 5,
    "/departments.json": 1,
    "/initiatives.csv": 2,
    "/initiatives/erfenfa/mentions.json": 3,
}


@pytest.mark.parametrize("url,budget", QUERY_BUDGET.items())
def test_page_query_budget(client, django_assert_max_num_queries, url, budget):
    client.get(url)  # warm the per-process caches, as a running server has them
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


def _grow(make_article, department, initiative_name, n=8):
    """n more reports about the department, naming the initiative, with authors and captions."""
    for i in range(n):
        article = make_article(
            title=f"新增报道{i}",
            sections=(("", f"推进{initiative_name}。"), ("一、小标题", f"继续推进{initiative_name}，成效明显。")),
            date=datetime.date(2024, 1 + i, 1),
            precision="month",
        )
        ArticleDepartment.objects.create(article=article, department=department, role="subject")
        person = Person.objects.create(name=f"记者{i}", slug=f"reporter-{i}", department=department)
        Authorship.objects.create(article=article, person=person, role="reporter")
        article.captions.create(text=f"图片{i}")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/articles/",
        "/departments/",
        "/departments/zhuzhou-sasac/",
        "/initiatives/",
        "/initiatives/erfenfa/",
        "/years/2024/",
        "/people/",
        "/feed/",
        "/departments/zhuzhou-sasac/feed/",
        "/departments/zhuzhou-sasac/reports.csv",
        "/initiatives/erfenfa/mentions.csv",
    ],
)
def test_query_count_does_not_grow_with_the_archive(client, make_article, sasac, django_assert_num_queries, url):
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    queries = len(before.captured_queries)  # now: the log it reads from is a bounded deque
    _grow(make_article, sasac, "二分法")
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_article_query_count_does_not_grow_with_its_size(client, make_article, sasac, django_assert_num_queries):
    small = make_article(title="小", sections=(("", "二分法。"),))
    big = make_article(title="大", sections=[(f"{n}、小节", "二分法、三项制度改革、园区体制机制改革。") for n in range(30)])
    for article in (small, big):
        ArticleDepartment.objects.create(article=article, department=sasac, role="subject")
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as ctx:
        client.get(small.get_absolute_url())
    queries = len(ctx.captured_queries)
    with django_assert_num_queries(queries):
        client.get(big.get_absolute_url())
