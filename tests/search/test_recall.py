"""The recall guarantee: any string of two or more Chinese characters, or a Latin/number token,
that occurs literally in a section's text finds that section, however jieba splits it."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article, Section
from archive.text import CJK, is_cjk
from search.engine import search
from search.normalize import normalize

pytestmark = pytest.mark.django_db


def finds(query: str, section: Section) -> bool:
    results = search(query, page_size=1000)
    return any(section.pk in hit.section_ids for hit in results.hits)


def published_sections():
    return list(Section.objects.filter(article__status=Article.Status.PUBLISHED).order_by("pk"))


@pytest.mark.parametrize("query", ["项目化", "金钥匙", "邵凌云", "8130亩", "资产超市", "資產超市", "厂ba", "厂BA", "五好园区"])
def test_examples_from_the_issue_find_every_section_that_has_them(query):
    wanted = normalize(query)
    sections = [s for s in published_sections() if wanted in normalize(s.body).replace("“", "").replace("”", "")]
    assert sections, f"the corpus has no {query}"
    for section in sections:
        assert finds(query, section), f"{query} did not find section {section.pk}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_chinese_substring_of_a_section_finds_it(data):
    sections = [s for s in published_sections() if re.search(f"[{CJK}]{{2,}}", s.body)]
    section = data.draw(st.sampled_from(sections))
    body = normalize(section.body)
    runs = [m for m in re.finditer(f"[{CJK}]{{2,}}", body)]
    run = data.draw(st.sampled_from(runs))
    length = data.draw(st.integers(min_value=2, max_value=min(12, len(run.group()))))
    start = data.draw(st.integers(min_value=0, max_value=len(run.group()) - length))
    query = run.group()[start : start + length]
    assert all(is_cjk(ch) for ch in query)
    assert finds(query, section), f"{query!r} is in section {section.pk} but was not found"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_latin_or_number_token_of_a_section_finds_it(data):
    sections = [s for s in published_sections() if re.search(r"[a-z0-9]", normalize(s.body))]
    section = data.draw(st.sampled_from(sections))
    tokens = re.findall(r"[a-z0-9]+", normalize(section.body))
    query = data.draw(st.sampled_from(tokens))
    assert finds(query, section)


def test_a_string_that_is_nowhere_finds_nothing():
    assert search("改革开放再出发株洲无此句").total == 0


def visible_texts(article: Article) -> list[str]:
    """What the article page prints for a report (templates/archive/article_detail.html): title,
    subtitle, series, source, 文号, bylines (names and positions), departments, headings, text,
    captions."""
    texts = [article.title, article.subtitle, article.doc_number]
    texts += [article.series.name if article.series else "", article.source.name if article.source else ""]
    for byline in article.authorships.select_related("person"):
        texts += [byline.person.name, byline.position]
    texts += [role.department.name for role in article.department_roles.select_related("department")]
    texts += [caption.text for caption in article.captions.all()]
    for section in article.sections.all():
        texts += [section.heading, section.body]
    return [t for t in texts if t]


def finds_article(query: str, article: Article) -> bool:
    return any(hit.article.pk == article.pk for hit in search(query, page_size=1000).hits)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_chinese_substring_of_any_visible_text_finds_its_report(data):
    articles = list(Article.objects.published().select_related("series", "source").order_by("pk"))
    article = data.draw(st.sampled_from(articles))
    texts = [normalize(t) for t in visible_texts(article) if re.search(f"[{CJK}]{{2,}}", normalize(t))]
    # the texts printed once per report as often as the sections' text, which is far longer
    printed = [t for t in texts if t not in {normalize(s.body) for s in article.sections.all()}]
    text = data.draw(st.sampled_from(printed if printed and data.draw(st.booleans()) else texts))
    run = data.draw(st.sampled_from([m.group() for m in re.finditer(f"[{CJK}]{{2,}}", text)]))
    length = data.draw(st.integers(min_value=2, max_value=min(12, len(run))))
    start = data.draw(st.integers(min_value=0, max_value=len(run) - length))
    query = run[start : start + length]
    assert finds_article(query, article), f"{query!r} is printed on report {article.slug} but did not find it"


@pytest.mark.parametrize("query", ["陈旭尧", "宋长征", "毛腾飞", "国有企业改革", "株工信字", "承办负责人", "酒泉卫星发射中心"])
def test_examples_printed_around_the_text_find_their_reports(query):
    wanted = normalize(query)
    reports = [a for a in Article.objects.published() if any(wanted in normalize(t) for t in visible_texts(a))]
    assert reports, f"no report prints {query}"
    for article in reports:
        assert finds_article(query, article), f"{query} did not find {article.slug}"
