"""A count beside a link is the total of the list the link opens: "株洲高新区 3篇" on the 2024 page
opens a list of 3 reports (株洲高新区's of 2024), not the 5 of all years. Checked by following
every count link of the year pages, the department and initiative pages and the home page with
the test client and reading the total the opened page shows."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from archive.models import Article, Department, Initiative, published_q

# <li><a href="…">name</a> <span class="count">3篇</span></li>, in a side list
COUNTED_ITEM = re.compile(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a> <span class="count">(\d+)(篇|段)')
CHART_ROW = re.compile(r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td>(\d+)</td></tr>')


def section_of(html: str, heading_id: str) -> str:
    """The HTML of the <section aria-labelledby=heading_id>."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def total_of(client: Client, url: str, unit: str = "篇") -> int:
    """The total the page at url shows for its list: reports (篇), mentions (次) or paragraphs (段)."""
    response = client.get(unescape(url))
    assert response.status_code == 200, url
    html = response.content.decode()
    path = urlsplit(unescape(url))
    patterns = {
        "/search/": r"共 <strong>(\d+)</strong> 篇",
        "/departments/": r"有相关报道的部门与单位共 <strong>(\d+)</strong> 个",
    }
    if path.path in patterns:
        return int(re.search(patterns[path.path], html).group(1))
    if path.path.startswith("/initiatives/") and path.path != "/initiatives/":
        if unit == "篇":
            return int(re.search(r"(\d+) 篇报道提及", html).group(1))
        times, paragraphs = re.search(r'id="kwic-h">[^\n]*?（(\d+)次，(\d+)个段落）</h2>', html).groups()
        return int(times if unit == "次" else paragraphs)
    if path.path.startswith("/series/"):
        return int(re.search(r'class="meta">(\d+) 篇', html).group(1))
    if path.path == "/people/":
        return len(re.findall(r'<li><a href="/people/[^"/]+/"', html))
    if path.path == "/initiatives/":
        return len(re.findall(r'<li(?: class="none")?><a href="/initiatives/[^"/]+/"', html))
    return int(re.search(r'id="reports-h">[^（<]*（(\d+)篇）', html).group(1))


def check(client, pairs, unit="篇") -> int:
    """Every (label, url, count) pair agrees; returns how many were checked."""
    wrong = [(label, url, n, total_of(client, url, unit)) for label, url, n in pairs]
    wrong = [w for w in wrong if w[2] != w[3]]
    assert not wrong, "\n".join(f"{label} {n}{unit} → {url} shows {total}" for label, url, n, total in wrong)
    return len(pairs)


def counted_items(html: str, heading_id: str):
    return [(label, url, int(n)) for url, label, n, _ in COUNTED_ITEM.findall(section_of(html, heading_id))]


def chart_bars(html: str):
    return [(label, url, int(n)) for url, label, n in CHART_ROW.findall(html)]


@pytest.mark.django_db
def test_the_2024_page_links_zhuzhou_hi_tech_zone_to_its_3_reports_of_2024():
    client = Client()
    html = client.get(reverse("archive:year", kwargs={"year": 2024})).content.decode()
    [(label, url, n)] = [item for item in counted_items(html, "depts-h") if item[0] == "株洲高新区"]
    assert n == 3 and total_of(client, url) == 3
    zone = Department.objects.get(short_name="株洲高新区")
    assert zone.articles.filter(status="published").count() == 5  # all years: not what the count says


@pytest.mark.django_db
def test_every_count_on_the_year_pages_equals_the_list_it_links_to():
    client = Client()
    checked = 0
    years = sorted({a.date.year for a in Article.objects.published() if a.date})
    for year in years:
        html = client.get(reverse("archive:year", kwargs={"year": year})).content.decode()
        for heading in ("kinds-h", "depts-h", "inits-h"):
            if f'id="{heading}"' in html:
                checked += check(client, counted_items(html, heading))
    assert checked > 40


@pytest.mark.django_db
def test_every_count_on_the_department_pages_equals_the_list_it_links_to():
    client = Client()
    checked = 0
    for department in Department.objects.filter(published_q("articles")).distinct():
        html = client.get(department.get_absolute_url()).content.decode()
        checked += check(client, chart_bars(html))
        for heading in ("with-h", "authors-h"):
            if f'id="{heading}"' in html:
                checked += check(client, counted_items(html, heading))
    assert checked > 100


@pytest.mark.django_db
def test_every_count_on_the_initiative_pages_equals_the_list_it_links_to():
    client = Client()
    checked = 0
    for initiative in Initiative.objects.filter(published_q("mentions__section__article")).distinct():
        html = client.get(initiative.get_absolute_url()).content.decode()
        checked += check(client, chart_bars(html), unit="次")
        if 'id="together-h"' in html:
            checked += check(client, counted_items(html, "together-h"), unit="段")
    assert checked > 150


@pytest.mark.django_db
def test_every_count_on_the_home_page_equals_the_list_it_links_to():
    client = Client()
    html = client.get(reverse("archive:home")).content.decode()
    numbers = section_of(html, "numbers-h")
    pairs = [(label, url, int(n)) for label, url, n in re.findall(r'<dt>([^<]+)</dt><dd><a href="([^"]+)">(\d+)</a>', numbers)]
    assert {label for label, _, _ in pairs} >= {"报道", "部门与单位", "改革举措", "署名人"}
    checked = check(client, pairs)
    checked += check(client, chart_bars(html))
    for heading in ("dept-h", "init-h"):
        checked += check(client, counted_items(html, heading))
    checked += check(client, [(label, url, int(n)) for url, label, n in re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a> <span class="count">(\d+) 篇', section_of(html, "series-h"))])
    assert checked > 20


@pytest.mark.django_db
def test_the_department_list_puts_departments_without_reports_apart_and_says_how_many():
    html = Client().get(reverse("archive:departments")).content.decode()
    reported = Department.objects.filter(published_q("articles")).distinct().count()
    unreported = Department.objects.count() - reported
    main, _, rest = html.partition('<details class="unreported"')
    assert main.count('<li class="depth-') == reported
    assert f"另有 {unreported} 个单位" in main and rest.count('<li><a href="/departments/') == unreported


@pytest.mark.django_db
def test_narrowing_an_initiative_page_by_a_bad_year_or_unknown_initiative_is_ignored_not_an_error():
    client = Client()
    url = Initiative.objects.get(slug="erfenfa").get_absolute_url()
    whole = total_of(client, url + "?year=0", "次")
    assert whole == total_of(client, url + "?with=no-such-thing", "次") == total_of(client, url + "?year=abc", "次")
    assert total_of(client, url + "?year=1999", "次") == 0
