"""Reference-manager downloads (RIS, BibTeX, EndNote, CSL-JSON) of one report, of every list and
of search results, read back with the parsers reference tools use: rispy, bibtexparser, citeproc-py."""

import datetime
import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc.source.json import CiteProcJSON

from archive.models import Article, Authorship, Person, Source

pytestmark = pytest.mark.django_db

REPLY = "/articles/2022-zhuzhou-gongxinju-reply-1022/"


def test_one_report_downloads_in_each_format_with_its_type_and_file_name(client):
    expected = {
        "ris": "application/x-research-info-systems",
        "bib": "application/x-bibtex",
        "enw": "application/x-endnote-refer",
        "csl.json": "application/vnd.citationstyles.csl+json",
    }
    for fmt, content_type in expected.items():
        response = client.get(f"{REPLY}cite.{fmt}")
        assert response.status_code == 200
        assert response["Content-Type"] == f"{content_type}; charset=utf-8"
        assert f'filename="2022-zhuzhou-gongxinju-reply-1022.{fmt}"' in response["Content-Disposition"]
    assert client.get(f"{REPLY}cite.csv").status_code == 404


def test_ris_of_the_reply_is_a_government_document_by_the_issuing_body(client):
    [entry] = rispy.loads(client.get(f"{REPLY}cite.ris").content.decode())
    assert entry["type_of_reference"] == "GOVDOC"
    assert entry["title"] == "对市十六届人大一次会议第1022号建议的答复"
    assert entry["authors"] == ["株洲市工业和信息化局"]
    assert entry["date"] == "2022/06/28" and entry["year"] == "2022"
    assert entry["urls"] == ["http://testserver/articles/2022-zhuzhou-gongxinju-reply-1022/"]
    assert entry["language"] == "zh"


def test_ris_of_a_list_has_every_report_with_chinese_names_whole(client):
    entries = rispy.loads(client.get("/articles.ris").content.decode())
    assert len(entries) == Article.objects.published().count()
    by_title = {e["title"]: e for e in entries}
    feature = by_title["共建“两个生态” 锻造新区实力: 株洲高新区、天元区构建产业生态和人居生态，奋力推动高质量发展走在前列"]
    assert feature["type_of_reference"] == "NEWS"
    assert feature["authors"] == ["李永亮", "吴丹", "张弥郁"]
    research = [e for e in entries if e["type_of_reference"] == "RPRT"]
    assert len(research) == Article.objects.published().filter(kind="research").count()
    assert all(len(e["date"]) == 4 for e in research)  # known to the year only


def test_bibtex_parses_with_braced_chinese_names_that_are_not_split(client):
    text = client.get("/kinds/research/reports.bib").content.decode()
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    assert len(library.entries) == Article.objects.published().filter(kind="research").count()
    entry = next(e for e in library.entries if e.key == "2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe")
    assert entry.entry_type == "techreport"
    [name] = entry.fields_dict["author"].value
    assert name.last == ["{羊贵平}"] and name.first == []
    assert entry.fields_dict["year"].value == "2019"
    assert "month" not in entry.fields_dict  # the month is not known


def test_bibtex_escapes_what_latex_would_read_as_commands(client, make_article):
    make_article(title="成本下降25%&融资_化债 {测试} #1", slug="bib-escape")
    text = client.get("/articles/bib-escape/cite.bib").content.decode()
    [entry] = bibtexparser.parse_string(text).entries
    assert entry.fields_dict["title"].value == r"成本下降25\%\&融资\_化债 \{测试\} \#1"
    assert entry.entry_type == "article" and entry.fields_dict["entrysubtype"].value == "newspaper"


def test_csl_json_reads_with_citeproc_with_literal_names_and_dates_at_their_precision(client, make_article):
    paper = Source.objects.create(name="株洲日报", kind=Source.Kind.NEWSPAPER, slug="zhuzhou-daily")
    article = make_article(title="月份报道", source=paper, date=datetime.date(2024, 11, 1), precision="month", page="第3版")
    Authorship.objects.create(article=article, person=Person.objects.create(name="欧阳明", slug="ouyang"), order=0)
    [item] = json.loads(client.get(f"{article.get_absolute_url()}cite.csl.json").content)
    assert item["type"] == "article-newspaper"
    assert item["author"] == [{"literal": "欧阳明"}]  # not family 欧, given 阳明
    assert item["issued"] == {"date-parts": [[2024, 11]]}
    assert item["container-title"] == "株洲日报" and item["page"] == "3"
    reference = CiteProcJSON([item])[article.slug]
    assert reference.issued.year == 2024 and reference.issued.month == 11 and "day" not in reference.issued
    assert reference.author[0].parts() == (None, "欧阳明", None, None, None)


def test_every_list_and_search_result_downloads_all_its_reports(client):
    assert len(json.loads(client.get("/kinds/research/reports.csl.json").content)) == (
        Article.objects.published().filter(kind="research").count()
    )
    assert len(json.loads(client.get("/years/2019/reports.csl.json?sort=oldest").content)) == (
        Article.objects.published().filter(date__year=2019).count()
    )
    csv_rows = client.get("/search/export.csv?q=改革").content.decode("utf-8-sig").strip().splitlines()
    ris = rispy.loads(client.get("/search/export.ris?q=改革").content.decode())
    assert len(ris) == len(csv_rows) - 1 > 0
    enw = client.get("/search/export.enw?q=改革").content.decode()
    assert enw.count("%0 ") == len(ris)
    response = client.get("/search/export.csl.json?q=改革")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    assert len(json.loads(response.content)) == len(ris)


def test_existing_csv_and_json_exports_are_unchanged(client):
    response = client.get("/kinds/research/reports.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["count"] == Article.objects.published().filter(kind="research").count()
    assert client.get("/departments.ris").status_code == 404  # departments are not references


def test_list_pages_and_search_link_the_reference_downloads(client):
    for path, link in [
        ("/kinds/research/", "/kinds/research/reports.ris?sort=newest"),
        ("/articles/", "/articles.bib?sort=newest"),
        ("/search/?q=改革", "/search/export.enw?q="),
        (REPLY, f"{REPLY}cite.csl.json"),
    ]:
        assert link in client.get(path).content.decode(), path


def test_endnote_record_carries_type_title_and_each_author(client):
    text = client.get("/articles/2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe/cite.enw").content.decode()
    lines = text.strip().split("\n")
    assert lines[0] == "%0 Report"
    assert "%A 羊贵平" in lines and "%D 2019" in lines and "%G 中文" in lines


@pytest.mark.skipif(not hasattr(Article, "date_inferred"), reason="日期系推定 (date_inferred) is not in this checkout")
def test_an_inferred_date_is_marked_in_every_format(client, make_article):
    article = make_article(title="推定日期", date_inferred=True, slug="inferred-date")
    base = article.get_absolute_url()
    [entry] = rispy.loads(client.get(f"{base}cite.ris").content.decode())
    assert entry["date"] == "2024" and any("日期系推定" in note for note in entry["notes"])
    [bib] = bibtexparser.parse_string(client.get(f"{base}cite.bib").content.decode()).entries
    assert bib.fields_dict["date"].value == "2024~" and bib.fields_dict["year"].value == "2024"
    [item] = json.loads(client.get(f"{base}cite.csl.json").content)
    assert item["issued"] == {"date-parts": [[2024]], "circa": True}
    assert "%Z 日期系推定" in client.get(f"{base}cite.enw").content.decode()
