"""Search results as CSV/JSON downloads and as an Atom feed (search.exports, search.feeds)."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from search.engine import search

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_search_export_has_every_result_not_only_the_first_page(client):
    results = search("园区")
    assert results.total > 10  # more than one page of the search page
    data = json.loads(client.get("/search/export.json", {"q": "园区"}).content)
    assert data["query"] == "园区" and data["count"] == data["total"] == results.total
    first = data["results"][0]
    assert first["title"] == results.hits[0].article.title
    assert "园区" in first["snippet"] and "<mark>" not in first["snippet"]
    assert "?hl=" in first["section_url"] and "#s" in first["section_url"]


def test_search_export_applies_facets_and_order(client):
    total = search("园区", {"year": ["2019"]}).total
    response = client.get("/search/export.csv", {"q": "园区", "year": "2019", "sort": "newest"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0][-4:] == ["最相关段落", "摘录", "段落网址", "网址"]
    assert len(table) - 1 == total
    assert all(row[4] == "2019" for row in table[1:])


def test_search_export_neutralises_formula_cells(client, make_article):
    make_article(title="=HYPERLINK(\"http://evil\")", sections=(("", "独一无二的检索词甲乙丙"),))
    text = client.get("/search/export.csv", {"q": "独一无二的检索词甲乙丙"}).content.decode("utf-8")
    row = list(csv.reader(io.StringIO(text[1:])))[1]
    assert row[1].startswith("'=HYPERLINK")


def test_search_feed_follows_a_query_newest_first(client):
    response = client.get("/search/feed/", {"q": "二分法"})
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert "二分法" in root.find(f"{ATOM}title").text
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    expected = [hit.article.title for hit in search("二分法", sort="newest", page_size=20).hits]
    assert titles == expected and titles
    self_link = [l.get("href") for l in root.findall(f"{ATOM}link") if l.get("rel") == "self"][0]
    assert "/search/feed/?q=" in self_link


def test_search_page_advertises_its_feed_and_downloads(client):
    html = client.get("/search/", {"q": "园区", "year": "2019"}).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/search/feed/?q=%E5%9B%AD%E5%8C%BA&amp;year=2019"' in html
    assert 'href="/search/export.csv?q=%E5%9B%AD%E5%8C%BA&amp;year=2019"' in html
