"""Atom feeds: site-wide, per department, per initiative; advertised on their pages."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from archive.models import Article, Department
from archive.reading.feeds import ArticleFeed

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_site_feed_has_the_newest_reports_first(client):
    root, items = entries(client.get("/feed/"))
    assert root.find(f"{ATOM}title").text == "全部报道 · 改革报道档案"
    newest = Article.objects.published().newest_first()
    assert [e.find(f"{ATOM}title").text for e in items] == [a.title for a in newest[:20]]
    first = items[0]
    assert first.find(f"{ATOM}link").get("href").startswith("http://testserver/articles/")
    assert first.find(f"{ATOM}updated") is not None  # Atom requires it, dated or not


def test_entries_carry_authors_kind_and_initiatives(client):
    _, items = entries(client.get("/initiatives/erfenfa/feed/"))
    titles = [e.find(f"{ATOM}title").text for e in items]
    assert "“‘二分法’破题+市场化破局”推进国企改革" in titles
    entry = items[titles.index("“‘二分法’破题+市场化破局”推进国企改革")]
    terms = {c.get("term") for c in entry.findall(f"{ATOM}category")}
    assert "二分法" in terms and "新闻报道" in terms
    assert entry.find(f"{ATOM}summary").get("type") == "html"


def test_department_feed_lists_only_its_reports(client):
    department = Department.objects.get(slug="zhuzhou-sasac")
    _, items = entries(client.get(f"/departments/{department.slug}/feed/"))
    expected = set(Article.objects.published().filter(departments=department).values_list("title", flat=True))
    assert {e.find(f"{ATOM}title").text for e in items} == expected


def test_summary_markup_is_escaped_twice(client, make_article):
    make_article(title="<i>标题</i>", sections=(("", "正文<script>alert(1)</script>"),), date=datetime.date(2099, 1, 1))
    body = client.get("/feed/").content.decode()
    assert "<script>" not in body and "<i>" not in body
    root, items = entries(client.get("/feed/"))
    entry = next(e for e in items if e.find(f"{ATOM}title").text == "<i>标题</i>")
    assert entry.find(f"{ATOM}summary").text == "正文&lt;script&gt;alert(1)&lt;/script&gt;"


def test_an_undated_report_gets_no_invented_publication_date(make_article):
    undated = make_article(date=None, precision="unknown")
    dated = make_article(date=datetime.date(2024, 11, 5), precision="day")
    feed = ArticleFeed()
    assert feed.item_pubdate(undated) is None
    assert feed.item_pubdate(dated).isoformat() == "2024-11-05T00:00:00+08:00"


def test_feeds_are_advertised_on_their_pages(client):
    for page, feed in [("/", "/feed/"), ("/articles/", "/feed/"), ("/departments/zhuzhou-sasac/", "/departments/zhuzhou-sasac/feed/"), ("/initiatives/erfenfa/", "/initiatives/erfenfa/feed/")]:
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html


def test_unknown_feed_is_404(client):
    assert client.get("/departments/nowhere/feed/").status_code == 404
