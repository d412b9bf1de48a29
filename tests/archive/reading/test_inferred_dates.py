"""Dates the text does not print: inferred, flagged (Article.date_inferred), shown in square
brackets as cataloguers do ([2026年]), kept in every year view, facet, filter and export, and
editable in the admin."""

import csv
import datetime
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from archive.models import Article, format_date
from search.engine import search
from tests.archive.conftest import form_data

XINTIAN = "2025-xintian-fengguang-xiangmu-shiqi-ge"
PRINTED = "2022-zhuzhou-gongxinju-reply-1022"  # dated by its 落款 2022年6月28日


def test_format_date_brackets_an_inferred_date_at_every_precision():
    day, month, year = Article.DatePrecision.DAY, Article.DatePrecision.MONTH, Article.DatePrecision.YEAR
    date = datetime.date(2024, 11, 5)
    assert format_date(datetime.date(2026, 1, 1), year, inferred=True) == "[2026年]"
    assert format_date(datetime.date(2024, 11, 1), month, inferred=True) == "[2024年11月]"
    assert format_date(date, day, inferred=True) == "[2024年11月5日]"
    assert format_date(date, day, iso=True, inferred=True) == "[2024-11-05]"
    assert format_date(date, day) == "2024年11月5日"
    assert format_date(None, "unknown", inferred=True) == "日期不详"


@pytest.mark.django_db
def test_the_xintian_report_is_on_its_inferred_year_page_in_brackets_with_the_reason():
    article = Article.objects.get(slug=XINTIAN)
    assert (article.date, article.date_precision, article.date_inferred) == (datetime.date(2026, 1, 1), "year", True)
    year_page = Client().get(reverse("archive:year", kwargs={"year": 2026})).content.decode()
    assert article.title in year_page and "[2026年]" in year_page
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "[2026年]" in page and "日期不详" not in page
    assert "日期推定" in article.editorial_note and "2025年12月31日" in article.editorial_note


@pytest.mark.django_db
def test_every_corpus_date_the_text_does_not_print_is_flagged_and_none_is_lost():
    published = Article.objects.published()
    assert not published.filter(date=None).exists()
    assert set(published.filter(date_inferred=False).values_list("slug", flat=True)) == {PRINTED}
    for article in published.filter(date_inferred=True):
        assert article.display_date.startswith("[") and "推定" in article.editorial_note, article.slug
    assert Article.objects.get(slug=PRINTED).display_date == "2022年6月28日"


@pytest.mark.django_db
def test_the_year_list_home_chart_and_search_facet_count_inferred_dates():
    years = Client().get(reverse("archive:years")).content.decode()
    assert "日期不详" not in years and "/years/2026/" in years
    results = search("", {"year": ["2026"]}, page_size=50)
    assert [hit.article.slug for hit in results.hits] == [XINTIAN]
    assert {v["value"]: v["count"] for v in search("", {}).facets["year"]}["2026"] == 1
    assert search("光伏", {"year": ["2026"]}).total == 1


@pytest.mark.django_db
def test_exports_say_which_dates_are_inferred():
    response = Client().get(reverse("archive:year_export", kwargs={"year": 2026, "fmt": "json"}))
    [record] = json.loads(response.content)["results"]
    assert (record["date"], record["date_display"], record["date_inferred"]) == ("2026", "[2026年]", True)
    response = Client().get(reverse("archive:articles_export", kwargs={"fmt": "csv"}))
    rows = {row["标题"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    printed = Article.objects.get(slug=PRINTED)
    assert rows[printed.title]["日期系推定"] == "" and rows[printed.title]["日期"] == "2022-06-28"
    xintian = Article.objects.get(slug=XINTIAN)
    assert rows[xintian.title]["日期系推定"] == "是" and rows[xintian.title]["日期（按精度）"] == "[2026年]"


@pytest.mark.django_db
def test_the_inferred_flag_round_trips_through_the_admin(editor_client):
    article = Article.objects.get(slug=XINTIAN)
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = form_data(editor_client.get(url), "article_form")
    assert data.get("date_inferred") == "on"  # shown ticked
    del data["date_inferred"]  # the editor found the date printed after all: untick
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert not article.date_inferred
    assert "[2026年]" not in Client().get(article.get_absolute_url()).content.decode()
    data = form_data(editor_client.get(url), "article_form")
    assert "date_inferred" not in data
    data["date_inferred"] = "on"
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.date_inferred
    assert article.history.first().date_inferred  # the change is in the report's history


@pytest.mark.django_db
def test_an_inferred_flag_without_a_date_is_refused_in_the_admin_with_a_clear_message(editor_client):
    article = Article.objects.get(slug=XINTIAN)
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = form_data(editor_client.get(url), "article_form")
    data.update(date="", date_precision="unknown", date_inferred="on")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "没有日期时不能勾选“日期系推定”" in response.content.decode()
    article.refresh_from_db()
    assert (article.date, article.date_inferred) == (datetime.date(2026, 1, 1), True)
