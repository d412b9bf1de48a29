"""Hostile input on every public page other than search (tests/search/test_hostile_input.py covers
the search parser, function, API and page), and markup in the content itself.

1. Fuzzed: the list pages' sort and page, any extra parameter, the article page's hl, the
   department, initiative, year, kind, source, series and person pages, their feeds and CSV/JSON
   downloads, the search feed and downloads, suggestions, and the path segments themselves
   (slugs, years, kinds). Whatever arrives, the answer is a page or a 404, never a 5xx. The number
   of cases run is printed at the end of the run.
2. No markup injection: a department, an initiative, a person and reports whose names, headings
   and text carry <script>, attributes, </mark> and entities, searched for with the same text,
   come out escaped on every page, snippet, feed, JSON and CSV; CSV cells that start with = + - @
   are neutralised.
"""

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import record  # noqa: E402
from tests.search.test_hostile_input import hostile_text, page_values  # noqa: E402

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
ALLOWED_SCRIPT = b'<script type="application/ld+json">'
# The site's own scripts, from its static files (the Content-Security-Policy allows no other).
OWN_SCRIPT = re.compile(rb'<script src="/static/js/[\w.-]+\.js" defer></script>')


def count(name: str):
    record(f"hostile-page cases run: {name}")


def encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query_string(pairs) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


_slugs: dict[str, list[str]] = {}


def slugs() -> dict[str, list[str]]:
    """Real slugs of each kind of page (a few of each), read once."""
    if not _slugs:
        from archive.models import Article, Department, Initiative, Person, Series, Source

        for name, model in (("article", Article), ("department", Department), ("initiative", Initiative),
                            ("person", Person), ("series", Series), ("source", Source)):
            queryset = model.objects.published() if model is Article else model.objects.all()
            _slugs[name] = list(queryset.order_by("pk").values_list("slug", flat=True)[:3])
        _slugs["year"] = [str(d.year) for d in Article.objects.published().dates("date", "year")[:3]]
        _slugs["kind"] = list(Article.Kind.values[:3])
    return _slugs


LISTS = ["/articles/", "/departments/{department}/", "/years/{year}/", "/kinds/{kind}/", "/sources/{source}/",
         "/series/{series}/", "/people/{person}/", "/initiatives/{initiative}/", "/", "/departments/",
         "/initiatives/", "/years/", "/kinds/", "/sources/", "/series/", "/people/", "/search/help/"]
DETAILS = ["/articles/{article}/", "/articles/{article}/original/"]
DOWNLOADS = ["/feed/", "/departments/{department}/feed/", "/initiatives/{initiative}/feed/", "/articles.{fmt}",
             "/departments.{fmt}", "/initiatives.{fmt}", "/departments/{department}/reports.{fmt}",
             "/initiatives/{initiative}/reports.{fmt}", "/initiatives/{initiative}/mentions.{fmt}",
             "/years/{year}/reports.{fmt}", "/kinds/{kind}/reports.{fmt}", "/sources/{source}/reports.{fmt}",
             "/series/{series}/reports.{fmt}", "/people/{person}/reports.{fmt}", "/search/feed/",
             "/search/export.{fmt}", "/api/suggest", "/years/{year}/feed/", "/kinds/{kind}/feed/",
             "/sources/{source}/feed/", "/series/{series}/feed/", "/people/{person}/feed/", "/oai",
             "/api/articles/{article}", "/sitemap.xml", "/robots.txt"]
PARAM_NAMES = ["sort", "page", "year", "kind", "hl", "q", "department", "initiative", "source", "author",
               "format", "fmt", "more", "department_filter", "unknown", "page[]", "", "date_from", "date_to"]
sorts = st.one_of(st.sampled_from(["newest", "oldest", "series", "relevance", "", "-date", "title"]), hostile_text)
param_values = st.one_of(hostile_text, page_values, sorts)
extra_params = st.lists(st.tuples(st.sampled_from(PARAM_NAMES), param_values), max_size=6)


def fill(template: str, pick: int, fmt: str = "csv") -> str:
    values = {name: found[pick % len(found)] for name, found in slugs().items() if found}
    return template.format(fmt=fmt, **values)


def answer(client, url: str):
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    assert response.status_code in {200, 301, 302, 404}, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code == 200:
        assert b"<script" not in OWN_SCRIPT.sub(b"", body.replace(ALLOWED_SCRIPT, b"")), url
        if response["Content-Type"].startswith("application/json"):
            json.loads(body)
        if "atom" in response["Content-Type"] or "xml" in response["Content-Type"]:
            ET.fromstring(body)
    return response


@FUZZ
@given(template=st.sampled_from(LISTS), pick=st.integers(0, 2), sort=sorts, page=page_values, extra=extra_params)
def test_list_pages_take_any_sort_page_and_parameter(client, template, pick, sort, page, extra):
    count("list pages")
    answer(client, fill(template, pick) + "?" + query_string([("sort", sort), ("page", page), *extra]))


@FUZZ
@given(template=st.sampled_from(DETAILS), pick=st.integers(0, 2), hl=hostile_text, extra=extra_params)
def test_article_pages_take_any_highlight(client, template, pick, hl, extra):
    count("article pages")
    answer(client, fill(template, pick) + "?" + query_string([("hl", hl), *extra]))


@FUZZ
@given(template=st.sampled_from(DOWNLOADS), pick=st.integers(0, 2), fmt=st.sampled_from(["csv", "json"]),
       q=hostile_text, sort=sorts, extra=extra_params)
def test_feeds_and_downloads_take_any_parameter(client, template, pick, fmt, q, sort, extra):
    count("feeds and downloads")
    answer(client, fill(template, pick, fmt) + "?" + query_string([("q", q), ("sort", sort), *extra]))


segment = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "1", "9999", "10000", "99999999999999999999", "2024.0", "-2024", "..", "%2e%2e", "%00"]),
    st.from_regex(r"[-a-zA-Z0-9_]{1,90}", fullmatch=True),
)
PATH_TEMPLATES = ["/years/{}/", "/years/{}/reports.csv", "/kinds/{}/", "/kinds/{}/reports.json", "/departments/{}/",
                  "/departments/{}/feed/", "/initiatives/{}/", "/initiatives/{}/mentions.csv", "/articles/{}/",
                  "/articles/{}/original/", "/people/{}/", "/series/{}/reports.csv", "/sources/{}/", "/{}/",
                  "/api/articles/{}", "/years/{}/feed/", "/people/{}/feed/"]


@FUZZ
@given(template=st.sampled_from(PATH_TEMPLATES), value=segment)
def test_any_path_segment_is_a_page_or_a_404(client, template, value):
    count("path segments")
    answer(client, template.format(encode(value) if not value.startswith("%") else value))


RAW = ["sort=%ED%A0%80", "page=%FF%FE", "hl=%00", "page=%C0%AF", "sort=" + "%E6%94%B9" * 20000, "q=%ED%A0%80&sort=%FF"]


@pytest.mark.parametrize("raw", RAW)
@pytest.mark.parametrize("template", ["/articles/", "/departments/{department}/", "/initiatives/{initiative}/",
                                      "/articles/{article}/", "/feed/", "/articles.csv", "/search/feed/", "/search/export.json"])
def test_invalid_utf8_and_huge_parameters_get_answers(client, template, raw):
    count("raw urls")
    assert answer(client, f"{fill(template, 0)}?{raw}").status_code == 200


# ---------------------------------------------------------------------------------------------
# Markup in the content


PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)></mark>&amp;&lt;b&gt;"
# What must never appear: the markup itself, and the text's entities left unescaped.
RAW_MARKUP = [b"<script>", b"<img", b"<b>", b"&amp;&lt;b&gt;"]


@pytest.fixture
def hostile_archive(make_article):
    from archive.models import ArticleDepartment, Authorship, Department, Initiative, Person

    department = Department.objects.create(name=f"恶意单位{PAYLOAD}", slug="hostile-department",
                                           kind=Department.Kind.GOVERNMENT, short_name="恶意单位")
    initiative = Initiative.objects.create(name="恶意举措<b>标记</b>", slug="hostile-initiative",
                                           category=Initiative.Category.OTHER, summary=f"简介{PAYLOAD}")
    person = Person.objects.create(name=f"记者{PAYLOAD}"[:40], slug="hostile-person")
    article = make_article(
        title=f"恶意标题{PAYLOAD}", subtitle=f"副题{PAYLOAD}", slug="hostile-article",
        date=datetime.date(2030, 1, 1),  # newer than every corpus report, so the home page shows it
        sections=[(f"恶意小标题{PAYLOAD}", f"恶意正文开头。推进恶意举措<b>标记</b>的改革{PAYLOAD}。第二句恶意正文。")],
    )
    ArticleDepartment.objects.create(article=article, department=department, role=ArticleDepartment.Role.SUBJECT)
    Authorship.objects.create(article=article, person=person, order=0)
    formulas = [make_article(title=title, slug=f"formula-{n}", sections=[("", f"公式正文{n}。")])
                for n, title in enumerate(["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])]
    return article, department, initiative, person, formulas


def assert_escaped(body: bytes, where: str):
    for raw in RAW_MARKUP:
        assert raw not in body, (where, raw, body[body.find(raw) - 200: body.find(raw) + 100])
    assert body.count(b"<mark>") == body.count(b"</mark>"), f"{where}: a </mark> from the text closed a highlight"


def test_markup_in_names_headings_text_and_queries_is_escaped_everywhere(client, hostile_archive):
    article, department, initiative, person, _ = hostile_archive
    query = quote(f"恶意正文 {PAYLOAD}")
    pages = [
        "/", "/articles/", article.get_absolute_url(), f"{article.get_absolute_url()}?hl={query}",
        f"{article.get_absolute_url()}original/", department.get_absolute_url(), initiative.get_absolute_url(),
        person.get_absolute_url(), "/departments/", "/initiatives/", "/people/", "/years/2030/",
        f"/search/?q={query}", f"/search/?q=%E6%81%B6%E6%84%8F&department={department.slug}",
        f"/api/search?q={query}", f"/api/suggest?q={quote('恶意')}",
    ]
    for url in pages:
        response = client.get(url)
        count("markup injection pages")
        assert response.status_code == 200, url
        body = response.content
        assert_escaped(body.replace(ALLOWED_SCRIPT, b""), url)
        if response["Content-Type"].startswith("text/html"):
            assert b"&lt;" in body, f"{url} shows the names and text, escaped"
    # The JSON carries the text itself, with <, > and & as \u escapes.
    hits = client.get(f"/api/search?q={quote('恶意正文')}").json()["results"]
    assert hits and hits[0]["article"]["title"] == article.title


def test_feeds_carry_markup_as_text(client, hostile_archive):
    article, department, initiative, *_ = hostile_archive
    for url in ("/feed/", f"{department.get_absolute_url()}feed/", f"{initiative.get_absolute_url()}feed/",
                f"/search/feed/?q={quote('恶意正文')}"):
        response = client.get(url)
        count("markup injection feeds")
        assert response.status_code == 200
        assert_escaped(response.content, url)
        ns = {"atom": "http://www.w3.org/2005/Atom"}
        entries = ET.fromstring(response.content).findall("atom:entry", ns)
        mine = [e for e in entries if e.findtext("atom:title", namespaces=ns) == article.title]
        assert mine, f"{url}: the title is XML-escaped text, read back unchanged"
        # summary is type="html": once unescaped by the reader it must still be text, not markup.
        summary = mine[0].findtext("atom:summary", namespaces=ns)
        assert "<script>" not in summary and "&lt;script&gt;" in summary


def strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def test_downloads_carry_markup_as_text_and_neutralise_formulas(client, hostile_archive):
    article, department, initiative, person, formulas = hostile_archive
    for url, text in (("/articles.json", article.title), ("/departments.json", department.name),
                      ("/initiatives.json", initiative.name), (f"{department.get_absolute_url()}reports.json", article.title),
                      (f"/search/export.json?q={quote('恶意正文')}", article.title),
                      (f"{initiative.get_absolute_url()}mentions.json", initiative.name)):
        response = client.get(url)
        count("markup injection downloads")
        assert response.status_code == 200 and b"<" not in response.content and b">" not in response.content, url
        assert any(text in value for value in strings(json.loads(response.content))), f"{url} keeps the text as it is"

    rows = list(csv.reader(io.StringIO(client.get("/articles.csv").content.decode("utf-8-sig"))))
    count("markup injection downloads")
    titles = {row[1] for row in rows[1:]}
    assert {"'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)"} <= titles
    assert article.title in titles, "markup is kept as text in CSV, where it is inert"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for url in ("/departments.csv", "/initiatives.csv", f"/search/export.csv?q={quote('公式正文')}",
                f"{initiative.get_absolute_url()}mentions.csv"):
        count("markup injection downloads")
        for row in csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (url, cell)
