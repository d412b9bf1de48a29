"""GB/T 7714-2015 references: the type follows the kind and source; what is unknown is said as the
standard says it (8.4.3, 8.4.4), never with an element of the archive's own."""

import datetime

import pytest

from archive.models import Article, ArticleDepartment, Authorship, Department, Person, Source
from archive.reading.citation import gbt7714
from archive.reading.selectors.articles import article_for_page

pytestmark = pytest.mark.django_db
ACCESSED = datetime.date(2025, 3, 1)
URL = "https://archive.example/articles/x/"


def cite(slug):
    return gbt7714(article_for_page(slug), url=URL, accessed=ACCESSED)


def test_a_reply_is_an_archival_document_by_its_issuing_body_with_its_number_and_full_date():
    # 宋长征 and 杨帆 handled the reply; the bureau (its 发文单位) issued it.
    assert cite("2022-zhuzhou-gongxinju-reply-1022") == (
        "株洲市工业和信息化局. 对市十六届人大一次会议第1022号建议的答复: 株工信字〔2022〕21号[A/OL]. "
        f"(2022-06-28)[2025-03-01]. {URL}."
    )


def test_a_research_report_with_unknown_publisher_says_so():
    reference = cite("2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe")
    year = "[2019]" if getattr(Article.objects.get(slug="2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe"), "date_inferred", False) else "2019"
    assert f"[R/OL]. [出版地不详]: [出版者不详], {year}[2025-03-01]." in reference
    assert reference.startswith("羊贵平. ")


def test_an_inferred_year_is_bracketed(make_article):
    article = make_article(title="推定", kind=Article.Kind.RESEARCH)
    if not hasattr(article, "date_inferred"):
        pytest.skip("日期系推定 (date_inferred) is not in this checkout")
    Article.objects.filter(pk=article.pk).update(date_inferred=True)
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"推定[R/OL]. [出版地不详]: [出版者不详], [2024][2025-03-01]. {URL}."


def test_a_newspaper_report_from_an_unknown_source_is_not_given_a_newspaper_or_a_made_up_element(make_article):
    article = make_article(title="无名报", source=Source.objects.get(name="未署出处"))
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"无名报[N/OL]. 2024[2025-03-01]. {URL}."


def test_a_subtitle_is_other_title_information(make_article):
    article = make_article(title="主题", subtitle="——副题", kind=Article.Kind.RESEARCH)
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"主题: 副题[R/OL]. [出版地不详]: [出版者不详], 2024[2025-03-01]. {URL}."


def test_without_named_people_the_issuing_unit_is_responsible():
    reference = cite("2024-gaige-jinyaoshi")  # only a photographer is named
    assert reference.startswith("中共株洲市委全面深化改革委员会办公室. 用好改革")
    assert "易跃跃" not in reference


def test_a_known_newspaper_is_named_with_the_date_as_precise_as_known(make_article):
    paper = Source.objects.create(name="株洲日报", kind=Source.Kind.NEWSPAPER, slug="zhuzhou-daily")
    article = make_article(title="报道", source=paper, date=datetime.date(2024, 11, 1), precision="month")
    for i in range(4):
        person = Person.objects.create(name=f"作者{i}", slug=f"author-{i}")
        Authorship.objects.create(article=article, person=person, order=i, role="reporter")
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"作者0, 作者1, 作者2, 等. 报道[N/OL]. 株洲日报, 2024-11[2025-03-01]. {URL}."


def test_an_undated_anonymous_report_says_what_the_standard_has_for_what_is_missing(make_article):
    article = make_article(title="无名", date=None, precision="unknown", kind=Article.Kind.OTHER)
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"无名[Z/OL]. [出版地不详]: [出版者不详][2025-03-01]. {URL}."


def test_an_undated_document_leaves_the_date_out(make_article):
    article = make_article(title="文件", date=None, precision="unknown", kind=Article.Kind.DOCUMENT, doc_number="株政发〔2020〕1号")
    ArticleDepartment.objects.create(article=article, department=Department.objects.get(slug="zhuzhou-sasac"), role="author")
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == (
        f"株洲市人民政府国有资产监督管理委员会. 文件: 株政发〔2020〕1号[A/OL]. [2025-03-01]. {URL}."
    )
