"""date_from and date_to (YYYY, YYYY-MM or YYYY-MM-DD) limit a search to reports dated in the
range, a report dated only by year or month being in it when its period overlaps it; facets keep
their disjunctive counts; a value that is not a date is a Chinese notice, never an error; the
page, the API, the command and the advanced-search form take the same parameters."""

import datetime
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from search.engine import search
from search.filters import date_range
from tests.search.test_hostile_input import hostile_text

pytestmark = pytest.mark.django_db

REPLY = "2022-zhuzhou-gongxinju-reply-1022"  # 2022-06-28 (day)
XINTIAN = "2025-xintian-fengguang-xiangmu-shiqi-ge"  # [2026年], inferred from its text


def slugs(query, **params):
    return {hit.article.slug for hit in search(query, {k: [v] for k, v in params.items()}, page_size=100).hits}


def years_of(found):
    return {d.year if d else None for d in Article.objects.filter(slug__in=found).values_list("date", flat=True)}


def test_a_year_range_keeps_the_reports_of_that_year():
    found = slugs("", date_from="2024", date_to="2024")
    assert found and years_of(found) == {2024}
    assert found == {a.slug for a in Article.objects.published().filter(date__year=2024)}


def test_a_report_dated_by_year_is_in_a_month_or_day_range_inside_that_year(make_article):
    by_year = make_article(date=datetime.date(2023, 1, 1), precision="year")
    by_month = make_article(date=datetime.date(2023, 5, 1), precision="month")
    by_day = make_article(date=datetime.date(2023, 5, 20), precision="day")
    assert slugs("测试正文", date_from="2023-05-10", date_to="2023-05-12") == {by_year.slug, by_month.slug}
    assert slugs("测试正文", date_from="2023-05") == {by_year.slug, by_month.slug, by_day.slug}
    assert slugs("测试正文", date_to="2023-04-30") == {by_year.slug}
    assert slugs("测试正文", date_from="2023-06") == {by_year.slug}
    assert slugs("测试正文", date_from="2023-05-20", date_to="2023-05-20") == {by_year.slug, by_month.slug, by_day.slug}


def test_a_day_range_takes_its_first_and_last_day():
    assert REPLY in slugs("", date_from="2022-06-28", date_to="2022-06-28")
    assert REPLY not in slugs("", date_from="2022-06-29")
    assert REPLY in slugs("", date_to="2022-06")


def test_undated_reports_are_in_no_range(make_article):
    undated = make_article(sections=(("", "光伏电站并网发电。"),), date=None, precision="unknown")
    assert undated.slug in slugs("光伏") and undated.slug not in slugs("光伏", date_from="1900")


def test_an_inferred_date_is_in_its_range_like_a_printed_one():
    assert XINTIAN in slugs("光伏", date_from="2026", date_to="2026") and XINTIAN not in slugs("光伏", date_to="2025")


def test_dates_combine_with_terms_fields_and_facets():
    assert slugs("改革", date_from="2022", date_to="2022") == {REPLY}
    assert slugs("author:宋长征", date_from="2022") == {REPLY} and slugs("author:宋长征", date_to="2021") == set()
    assert slugs("改革", date_from="2019", date_to="2019", year="2024") == set()


def test_facets_count_within_the_range_and_stay_disjunctive():
    results = search("园区", {"date_from": ["2024"], "date_to": ["2025"], "year": ["2024"]}, page_size=100)
    years = {v["value"]: v["count"] for v in results.facets["year"]}
    assert set(years) == {"2024", "2025"}  # the other year is still offered, 2019 is out of range
    assert results.total == years["2024"]
    ranged = search("园区", {"date_from": ["2024"], "date_to": ["2025"]}, page_size=100)
    assert ranged.total == years["2024"] + years["2025"]


@pytest.mark.parametrize("value", ["abc", "2024-13", "2024-02-30", "0000", "99999", "1-1-1", "２０２４年", "2024/05", "<b>", "\x00", "9" * 500])
def test_a_value_that_is_not_a_date_is_ignored_with_a_notice(client, value):
    results = search("园区", {"date_from": [value]})
    assert results.total == search("园区").total
    assert any("不是日期" in notice for notice in results.notices)
    for path in ("/search/", "/api/search"):
        assert client.get(path, {"q": "园区", "date_from": value, "date_to": value}).status_code == 200
    notices = client.get("/api/search", {"q": "园区", "date_from": value}).json()["notices"]
    assert any("不是日期" in notice for notice in notices)


def test_a_range_given_backwards_is_turned_round_with_a_notice():
    results = search("", {"date_from": ["2025"], "date_to": ["2024"]}, page_size=100)
    assert any("晚于" in notice for notice in results.notices)
    assert results.total == len(slugs("", date_from="2024", date_to="2025"))


def test_date_range_reads_the_forms_of_a_date():
    found = date_range({"date_from": "2024", "date_to": "2024-02"})[0]
    assert (found.start, found.end) == (datetime.date(2024, 1, 1), datetime.date(2024, 2, 29))
    assert date_range({"date_from": "２０２４-5-1"})[0].start == datetime.date(2024, 5, 1)
    assert date_range({}) == (None, [])


def test_date_parameters_work_in_the_page_the_api_and_the_command(client, capsys):
    params = {"q": "改革", "date_from": "2022", "date_to": "2022"}
    page = client.get("/search/", params).content.decode()
    assert f"/articles/{REPLY}/" in page and "2022年1月1日至2022年12月31日" in page
    data = client.get("/api/search", params).json()
    assert data["total"] == 1 and data["results"][0]["article"]["url"] == f"/articles/{REPLY}/"
    call_command("search", "改革", "--date-from", "2022", "--date-to", "2022", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"] == 1 and printed["results"][0]["article"]["url"] == f"/articles/{REPLY}/"


def test_the_search_feed_and_export_keep_the_range(client):
    feed = client.get("/search/feed/", {"q": "改革", "date_from": "2022", "date_to": "2022"}).content.decode()
    assert REPLY in feed and "2024-gaige-jinyaoshi" not in feed
    export = client.get("/search/export.json", {"q": "改革", "date_from": "2022", "date_to": "2022"}).json()
    assert export["total"] == 1


# -- the advanced-search form -------------------------------------------------------------------


def test_the_advanced_form_redirects_to_the_search_it_builds(client):
    response = client.get("/search/", {
        "advanced": "1", "all": "园区", "phrase": "五好 园区", "exclude": "株洲 -长沙", "title": "", "author": "毛腾飞",
        "dept": "高新区", "docno": "", "caption": "", "date_from": "2019", "date_to": "",
    })
    assert response.status_code == 302
    from urllib.parse import parse_qs, urlsplit

    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert target.path == "/search/"
    assert query == {"q": ['园区 "五好 园区" -株洲 -长沙 author:毛腾飞 dept:高新区'], "date_from": ["2019"]}


def test_the_advanced_form_finds_by_fields_and_dates(client):
    response = client.get("/search/", {"advanced": "1", "title": "二分法", "date_from": "2024", "date_to": "2024"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "2024-zhuzhou-gaoke-erfenfa" in page and "共 <strong>1</strong> 篇" in page


def test_the_search_page_offers_the_advanced_form_without_javascript(client):
    page = client.get("/search/", {"q": "园区"}).content.decode()
    assert "<details" in page and "高级检索" in page
    for name in ("all", "phrase", "exclude", "title", "author", "dept", "docno", "caption", "date_from", "date_to"):
        assert f'name="{name}"' in page, name


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(boxes=st.dictionaries(
    st.sampled_from(["all", "phrase", "exclude", "title", "author", "dept", "docno", "caption", "date_from", "date_to"]),
    hostile_text, max_size=6,
))
def test_the_advanced_form_takes_anything_and_leads_to_a_page(client, boxes):
    response = client.get("/search/", {"advanced": "1", **boxes})
    assert response.status_code == 302 and response["Location"].startswith("/search/")
    assert client.get(response["Location"]).status_code == 200
