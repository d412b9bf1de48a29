"""CSV and JSON downloads: every list, spreadsheet-safe CSV, escaped JSON."""

import csv
import datetime
import io
import json

import pytest

from archive.models import Article, Department, Initiative
from archive.reading.exports import csv_cell, neutralise

pytestmark = pytest.mark.django_db


def rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_other_cells_are_kept():
    assert neutralise("二分法") == "二分法" and neutralise("1+1") == "1+1"
    assert csv_cell(["甲", "=乙"]) == "甲；=乙"  # joined first; only the cell's start matters
    assert csv_cell(None) == ""


def test_all_reports_csv_has_a_chinese_header_and_every_published_report(client):
    response = client.get("/articles.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and "reports.csv" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:5] == ["编号", "标题", "副标题", "体裁", "日期"]
    assert len(table) - 1 == Article.objects.published().count()
    reply = next(r for r in table if r[1] == "对市十六届人大一次会议第1022号建议的答复")
    assert reply[4] == "2022-06-28" and reply[5] == "2022年6月28日" and reply[10] == "株工信字〔2022〕21号"
    assert table[0][6] == "日期系推定" and reply[6] == ""  # printed on the reply, not inferred
    assert "宋长征（承办负责人）" in reply[11]
    assert reply[-1] == "http://testserver/articles/2022-zhuzhou-gongxinju-reply-1022/"


def test_a_title_that_looks_like_a_formula_is_neutralised_in_the_download(client, make_article):
    make_article(title="=cmd|' /C calc'!A0", subtitle="@SUM(1)")
    table = rows(client.get("/articles.csv"))
    row = next(r for r in table if "cmd" in r[1])
    assert row[1] == "'=cmd|' /C calc'!A0" and row[2] == "'@SUM(1)"


def test_json_export_is_escaped_and_complete(client, make_article):
    make_article(title="</script><b>&")
    response = client.get("/articles.json?sort=oldest")
    body = response.content.decode()
    assert "</script>" not in body and "<b>" not in body and "\\u003c/script\\u003e" in body
    data = json.loads(body)
    assert data["count"] == Article.objects.published().count() == len(data["results"])
    assert any(r["title"] == "</script><b>&" for r in data["results"])
    first = data["results"][0]
    assert set(first) >= {"id", "title", "kind", "date", "authors", "departments", "initiatives", "url"}
    assert first["date"].startswith("2019")  # sorted oldest first, as asked


def test_department_reports_export_lists_its_reports_with_roles(client):
    department = Department.objects.get(slug="zhuzhou-sasac")
    data = json.loads(client.get(f"/departments/{department.slug}/reports.json").content)
    expected = Article.objects.published().filter(departments=department).distinct().count()
    assert data["count"] == expected
    assert all(any(department.name in d for d in r["departments"]) for r in data["results"])


@pytest.mark.parametrize(
    "url",
    ["/initiatives/erfenfa/reports.csv", "/years/2019/reports.csv", "/kinds/research/reports.csv",
     "/sources/wei-shu-chu-chu/reports.csv", "/series/quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi/reports.csv",
     "/people/song-chang-zheng/reports.csv"],
)
def test_every_list_of_reports_exports(client, url):
    table = rows(client.get(url))
    assert table[0][1] == "标题" and len(table) > 1


def test_department_and_initiative_catalogs_export(client):
    departments = rows(client.get("/departments.csv"))
    assert departments[0][:3] == ["网址名", "名称", "简称"]
    assert len(departments) - 1 == Department.objects.count()
    natural = next(r for r in departments if r[1] == "株洲市自然资源和规划局")
    assert "资规局" in natural[3]
    initiatives = json.loads(client.get("/initiatives.json").content)
    assert initiatives["count"] == Initiative.objects.count()
    erfenfa = next(i for i in initiatives["results"] if i["slug"] == "erfenfa")
    assert erfenfa["reports"] >= 3 and "株洲高科集团有限公司" in erfenfa["lead_departments"]


def test_initiative_mentions_export_gives_each_line_in_context(client):
    table = rows(client.get("/initiatives/erfenfa/mentions.csv"))
    assert table[0] == ["报道", "日期", "小标题", "前文", "名称", "后文", "网址"]
    assert all("二分法" in r[4] for r in table[1:])
    assert all("#s" in r[6] for r in table[1:])


def test_unknown_format_is_404(client):
    assert client.get("/articles.xlsx").status_code == 404


@pytest.mark.parametrize(
    "date, precision, shown, iso, cited",
    [
        (datetime.date(2024, 11, 1), "month", "2024年11月", "2024-11", "2024-11"),
        (None, "unknown", "日期不详", "", "[N/OL]. "),  # no date is left out (GB/T 7714-2015 8.4.5)
    ],
)
def test_the_page_the_downloads_and_the_citation_write_a_date_as_precisely_as_known(
    client, make_article, date, precision, shown, iso, cited
):
    article = make_article(title="日期精度测试", date=date, precision=precision, kind=Article.Kind.NEWS)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"<dd>{shown}</dd>" in page or f">{shown}</a></dd>" in page
    assert f"{cited}[" in page  # the GB/T 7714 reference on the page
    row = next(r for r in rows(client.get("/articles.csv")) if r[1] == "日期精度测试")
    assert (row[4], row[5]) == (iso, shown)
    record = next(r for r in client.get("/articles.json").json()["results"] if r["title"] == "日期精度测试")
    assert (record["date"], record["date_display"]) == (iso, shown)
