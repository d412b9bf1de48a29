"""The recall guarantee: any string of two or more Chinese characters, or a Latin/number token,
that occurs literally in a section's text finds that section, however jieba splits it."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article, Section
from search.engine import search
from search.normalize import normalize
from search.tokens import is_cjk

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
    sections = [s for s in published_sections() if re.search(r"[\u3400-\u9fff]{2,}", s.body)]
    section = data.draw(st.sampled_from(sections))
    body = normalize(section.body)
    runs = [m for m in re.finditer(r"[\u3400-\u9fff]{2,}", body)]
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
