"""GB/T 7714-2015 references: the type follows the kind and source; what is unknown is said."""

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


def test_a_reply_is_an_archival_document_with_its_number_and_full_date():
    assert cite("2022-zhuzhou-gongxinju-reply-1022") == (
        "宋长征, 杨帆. 对市十六届人大一次会议第1022号建议的答复: 株工信字〔2022〕21号[A/OL]. "
        f"(2022-06-28)[2025-03-01]. {URL}."
    )


def test_a_research_report_with_unknown_publisher_says_so():
    reference = cite("2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe")
    assert "[R/OL]. [出版地不详]: [出版者不详], 2019[2025-03-01]." in reference
    assert reference.startswith("羊贵平. ")


def test_a_newspaper_report_from_an_unknown_source_is_not_given_a_newspaper():
    reference = cite("2024-zhuzhou-gaoke-erfenfa")
    assert "[N/OL]. [出处不详], 2024[2025-03-01]. " in reference


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


def test_an_undated_anonymous_report(make_article):
    article = make_article(title="无名", date=None, precision="unknown", kind=Article.Kind.OTHER)
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == f"无名[Z/OL]. [出处不详], [出版日期不详][2025-03-01]. {URL}."


def test_an_undated_document_keeps_single_brackets(make_article):
    article = make_article(title="文件", date=None, precision="unknown", kind=Article.Kind.DOCUMENT, doc_number="株政发〔2020〕1号")
    ArticleDepartment.objects.create(article=article, department=Department.objects.get(slug="zhuzhou-sasac"), role="author")
    reference = gbt7714(article_for_page(article.slug), url=URL, accessed=ACCESSED)
    assert reference == (
        f"株洲市人民政府国有资产监督管理委员会. 文件: 株政发〔2020〕1号[A/OL]. [出版日期不详][2025-03-01]. {URL}."
    )
