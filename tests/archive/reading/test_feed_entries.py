"""What a feed reader finds in each entry, read with feedparser: an author always, the whole text
as content, the date only as precisely as it is known, `updated` from the real last edit; a
search feed named by its filters; feeds for years, kinds, series, sources and people."""

import datetime
import time

import feedparser
import pytest

from archive.models import Article, Department, Section
from archive.reading.feeds import DC_DATE, UNSIGNED
from archive.reading.selectors.changes import last_change

pytestmark = pytest.mark.django_db


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def entry_for(feed, article):
    link = f"http://testserver{article.get_absolute_url()}"
    return next(e for e in feed.entries if e.link == link)


def test_every_entry_has_an_author_the_issuing_unit_when_nobody_signed(client, make_article):
    feed = read(client, "/feed/")
    assert all(entry.get("author") for entry in feed.entries)
    unsigned = Article.objects.published().filter(authorships__isnull=True, department_roles__role="author").first()
    issuers = "、".join(r.department.name for r in unsigned.department_roles.filter(role="author"))
    assert entry_for(read(client, f"/kinds/{unsigned.kind}/feed/"), unsigned).author == issuers
    anonymous = make_article(title="无署名无单位", date=datetime.date(2099, 1, 1), precision="year")
    assert entry_for(read(client, "/feed/"), anonymous).author == UNSIGNED


def test_an_entry_carries_the_whole_text_as_content(client, make_article):
    article = make_article(
        title="全文",
        subtitle="副题",
        sections=(("", "导语一段。\n导语二段。"), ("一、小标题", "第一节<b>正文</b>。")),
        date=datetime.date(2099, 1, 1),
        precision="year",
    )
    entry = entry_for(read(client, "/feed/"), article)
    content = entry.content[0]
    assert content.type == "text/html"
    for text in ("副题", "导语一段。", "导语二段。", "一、小标题", "第一节&lt;b&gt;正文&lt;/b&gt;。"):
        assert text in content.value
    assert "<b>" not in content.value  # stored text is text, never markup


def test_a_year_or_month_is_published_at_its_precision_not_as_the_first_day(client, make_article):
    year = make_article(title="只知年份", date=datetime.date(2099, 1, 1), precision="year")
    month = make_article(title="只知月份", date=datetime.date(2099, 3, 1), precision="month")
    day = make_article(title="确切日期", date=datetime.date(2099, 3, 5), precision="day")
    feed = read(client, "/feed/")
    for article, term, label in [
        (year, "2099", "2099年"),
        (month, "2099-03", "2099年3月"),
        (day, "2099-03-05", "2099年3月5日"),
    ]:
        entry = entry_for(feed, article)
        dates = [t for t in entry.tags if t.scheme == DC_DATE]
        assert [(t.term, t.label) for t in dates] == [(term, label)]
    assert "published" not in entry_for(feed, year) and "published" not in entry_for(feed, month)
    assert entry_for(feed, day).published == "2099-03-05T00:00:00+08:00"


def test_updated_is_the_last_edit_of_the_text_not_the_load_time(client, make_article):
    article = make_article(title="后来修改", date=datetime.date(2099, 1, 1), precision="year")
    loaded = Article.objects.get(pk=article.pk).updated_at
    time.sleep(1.1)
    section = Section.objects.get(article=article)
    section.body = "改过的正文。"
    section.save()
    entry = entry_for(read(client, "/feed/"), article)
    updated = datetime.datetime.fromisoformat(entry.updated)
    assert updated == last_change(article) > loaded
    assert Article.objects.get(pk=article.pk).updated_at == loaded  # the article row itself did not change


def test_a_search_feed_names_its_query_and_filters(client):
    department = Department.objects.get(slug="zhuzhou-sasac")
    feed = read(client, "/search/feed/?q=改革&department=zhuzhou-sasac&year=2024&date_from=2023&date_to=不是日期")
    assert feed.feed.title == f"检索“改革” · 部门：{department} · 年份：2024年 · 日期：2023起 · 改革报道档案"
    assert read(client, "/search/feed/?q=改革").feed.title == "检索“改革” · 改革报道档案"


@pytest.mark.parametrize(
    "page, feed_url, title",
    [
        ("/years/2024/", "/years/2024/feed/", "2024年的报道"),
        ("/kinds/research/", "/kinds/research/feed/", "调研报告"),
        ("/sources/wei-shu-chu-chu/", "/sources/wei-shu-chu-chu/feed/", "出处：未署出处"),
        (
            "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/",
            "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/feed/",
            "专栏：全面深化改革株洲进行时",
        ),
        ("/people/yi-yue-yue/", "/people/yi-yue-yue/feed/", "易跃跃署名的报道"),
    ],
)
def test_years_kinds_sources_series_and_people_have_feeds_linked_from_their_pages(client, page, feed_url, title):
    html = client.get(page).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed_url}"' in html
    assert f'class="feed" href="{feed_url}"' in html
    feed = read(client, feed_url)
    assert feed.feed.title == f"{title} · 改革报道档案"
    listed = client.get(page + "reports.json?sort=newest").json()  # the feed has the newest 20
    assert [e.title for e in feed.entries] == [r["title"] for r in listed["results"]][:20]


def test_an_unknown_list_has_no_feed(client):
    for url in (
        "/kinds/poem/feed/",
        "/sources/nowhere/feed/",
        "/series/nowhere/feed/",
        "/people/nobody/feed/",
        "/years/0/feed/",
    ):
        assert client.get(url).status_code == 404
