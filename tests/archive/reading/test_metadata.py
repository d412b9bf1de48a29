"""What an article page tells machines in its head: Highwire citation_* tags, schema.org JSON-LD,
OpenGraph and a meta description, read back from the page with an HTML parser."""

import datetime
import json

import pytest
from lxml import html

from archive.models import Article, Authorship, Person, Series, Source

pytestmark = pytest.mark.django_db


def head_of(client, article):
    page = html.fromstring(client.get(article.get_absolute_url()).content.decode())
    meta = [(m.get("name") or m.get("property"), m.get("content")) for m in page.xpath("//head/meta[@content]")]
    [script] = page.xpath("//head/script[@type='application/ld+json']")
    return meta, json.loads(script.text), page


def values(meta, name):
    return [content for key, content in meta if key == name]


def test_a_newspaper_article_has_highwire_tags_in_byline_order_and_its_date_at_its_precision(client, make_article):
    paper = Source.objects.create(name="株洲日报", kind=Source.Kind.NEWSPAPER, slug="zhuzhou-daily")
    series = Series.objects.create(name="改革一线", slug="gaige-yixian")
    article = make_article(
        title="园区改革见成效", subtitle="株洲高新区纪事", source=paper, date=datetime.date(2024, 11, 1),
        precision="month", series=series, series_order=2,
    )
    for i, name in enumerate(["王五", "张三", "李四"]):
        Authorship.objects.create(article=article, person=Person.objects.create(name=name, slug=f"p{i}"), order=i)
    photographer = Person.objects.create(name="摄影者", slug="sheying")
    Authorship.objects.create(article=article, person=photographer, order=9, role="photographer")
    meta, data, _ = head_of(client, article)
    assert values(meta, "citation_title") == ["园区改革见成效: 株洲高新区纪事"]
    assert values(meta, "citation_author") == ["王五", "张三", "李四"]
    assert values(meta, "citation_publication_date") == ["2024/11"]
    assert values(meta, "citation_journal_title") == ["株洲日报"]
    assert values(meta, "citation_language") == ["zh"]
    assert values(meta, "citation_pdf_url") == []  # no report has a public file
    assert data["@type"] == "NewsArticle"
    assert [a["name"] for a in data["author"]] == ["王五", "张三", "李四"]
    assert data["publisher"] == {"@type": "Organization", "name": "株洲日报"}
    assert data["datePublished"] == "2024-11"
    assert data["isPartOf"]["name"] == "改革一线" and data["isPartOf"]["url"].endswith("/series/gaige-yixian/")
    assert values(meta, "og:title") == ["园区改革见成效: 株洲高新区纪事"]
    assert values(meta, "og:url") == [f"http://testserver{article.get_absolute_url()}"]
    assert values(meta, "description") == ["株洲高新区纪事"]


def test_the_reply_names_its_issuing_body_and_document_number_as_a_report(client):
    article = Article.objects.get(slug="2022-zhuzhou-gongxinju-reply-1022")
    meta, data, _ = head_of(client, article)
    assert values(meta, "citation_author") == ["株洲市工业和信息化局"]
    assert values(meta, "citation_technical_report_number") == ["株工信字〔2022〕21号"]
    assert values(meta, "citation_publication_date") == ["2022/06/28"]
    assert data["@type"] == "Report" and data["reportNumber"] == "株工信字〔2022〕21号"
    assert data["author"] == [{"@type": "Organization", "name": "株洲市工业和信息化局"}]
    assert data["publisher"]["name"] == "株洲市工业和信息化局"
    # The description is more than the salutation.
    [description] = values(meta, "description")
    assert description.startswith("陈代陆代表：") and len(description) > 40


def test_schema_types_follow_the_kind(client):
    for slug, expected in [
        ("2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe", "Report"),
        ("2024-zhuzhou-gaoke-erfenfa", "NewsArticle"),
    ]:
        _, data, _ = head_of(client, Article.objects.get(slug=slug))
        assert data["@type"] == expected
    editor_note = Article.objects.published().filter(kind="editor_note").first()
    assert head_of(client, editor_note)[1]["@type"] == "CreativeWork"


def test_json_ld_cannot_close_its_script_element(client, make_article):
    article = make_article(title="</script><script>window.x=1</script>&amp;")
    raw = client.get(article.get_absolute_url()).content.decode()
    head = raw.split("</head>")[0]
    assert "<script>window.x=1" not in head
    _, data, _ = head_of(client, article)
    assert data["name"] == "</script><script>window.x=1</script>&amp;"
