"""The reformers' vocabulary (search.synonyms): an unquoted term finds the other forms of its
group too, a quoted one only itself; a literal match ranks above a match by another form; the
page and the API say what else was searched, with a link that searches the term as typed; an
edit to a group counts at once. Run on both databases like every search test."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from archive.models import Article, Synonym
from search.engine import _search, search
from search.fallback import ScanIndex
from search.synonyms import Vocabulary, literal_query
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db


def found(q) -> set[str]:
    results = search(q, {}, page_size=1000)
    assert results.total == len(results.hits)
    return {hit.article.slug for hit in results.hits}


def printing(text: str) -> set[str]:
    """Published reports whose title or sections print `text`."""
    slugs = set()
    for article in Article.objects.published().prefetch_related("sections"):
        if text in article.title or any(text in s.heading or text in s.body for s in article.sections.all()):
            slugs.add(article.slug)
    return slugs


# ---------------------------------------------------------------------------------------------
# What a term finds


def test_an_abbreviation_and_its_full_name_find_the_same_reports():
    assert found("资规局") == found("自然资源和规划局") == found("株洲市自然资源和规划局")
    assert found("资规局") >= printing("资规局") | printing("自然资源和规划局")
    assert found("资规局")


def test_a_plain_term_finds_reports_that_print_only_another_form_of_it():
    only_full = printing("国有企业") - printing("国企")
    assert only_full, "the corpus has reports that say 国有企业 and never 国企"
    assert only_full <= found("国企")
    assert found("国企") == found("国有企业")


def test_a_quoted_term_finds_only_itself():
    only_full = printing("国有企业") - printing("国企")
    quoted = found('"国企"')
    assert quoted == printing("国企")
    assert not quoted & only_full
    assert search('"国企"').expansions == []


def test_an_excluded_term_stays_literal():
    only_full = printing("国有企业") - printing("国企")
    kept = found("改革 -国企")
    assert only_full & printing("改革") <= kept
    assert search("改革 -国企").expansions == []


def test_a_department_or_initiative_name_is_a_group_without_being_in_the_synonym_table():
    assert not any("三能建设" in group.terms for group in Synonym.objects.all())
    results = search("三能建设")
    assert [e.forms for e in results.expansions] == [("三项制度改革", "三项制度", "国有企业三项制度改革")]
    assert printing("三项制度改革") <= found("三能建设")


def test_forms_that_contain_the_term_are_not_searched_again():
    # 二分法改革 contains 二分法: the term as typed finds it already
    assert search("二分法").expansions == []


def test_expansion_never_loses_a_literal_match():
    for group in Synonym.objects.all()[:20]:
        for term in group.terms:
            assert found(f'"{term}"') <= found(term), term


def test_the_fall_back_scan_expands_as_the_index_does():
    by_scan = _search("国企", {}, sort="relevance", page=1, page_size=1000, facet_filters=None, scan=ScanIndex())
    assert {hit.article.slug for hit in by_scan.hits} == found("国企")
    assert [e.term for e in by_scan.expansions] == ["国企"]


# ---------------------------------------------------------------------------------------------
# Ranking


def test_the_literal_match_ranks_above_the_same_match_by_another_form():
    Synonym.objects.create(slug="test-kunpeng", terms=["鲲鹏办", "鸿雁办"])
    publish("test-kunpeng-literal", "本周鲲鹏办召开例会。")
    publish("test-kunpeng-synonym", "本周鸿雁办召开例会。")
    for typed, literal, other in (("鲲鹏办", "test-kunpeng-literal", "test-kunpeng-synonym"),
                                  ("鸿雁办", "test-kunpeng-synonym", "test-kunpeng-literal")):
        hits = search(typed).hits
        assert [h.article.slug for h in hits] == [literal, other]
        assert hits[1].score < hits[0].score


def test_in_the_corpus_the_first_report_for_an_abbreviation_prints_it():
    assert search("国企").hits[0].article.slug in printing("国企")


# ---------------------------------------------------------------------------------------------
# What the page and the API say


def test_the_page_says_what_was_also_searched_and_links_to_the_literal_search(client):
    page = client.get(reverse("search:search"), {"q": "资规局", "year": "2024"}).content.decode()
    assert "同时检索了：株洲市自然资源和规划局、自然资源和规划局" in page
    link = page.split("只检索“资规局”")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["q"] == ['"资规局"'] and query["year"] == ["2024"]
    literal = client.get(link).content.decode()
    assert "同时检索了" not in literal
    assert search('"资规局"').total == len(printing("资规局"))


def test_the_api_lists_the_expansions_beside_its_existing_keys(client):
    data = json.loads(client.get(reverse("search:api_search"), {"q": "国企 十四五"}).content)
    assert {"query", "total", "page", "pages", "results", "facets"} <= set(data)
    assert data["expansions"] == [
        {"kind": "synonym", "term": "国企", "forms": ["国有企业"], "message": "同时检索了：国有企业",
         "literal_query": '"国企" 十四五'},
        {"kind": "synonym", "term": "十四五", "forms": ["第十四个五年规划"], "message": "同时检索了：第十四个五年规划",
         "literal_query": '国企 "十四五"'},
    ]
    plain = json.loads(client.get(reverse("search:api_search"), {"q": "园区"}).content)
    assert plain["expansions"] == []


def test_traditional_characters_are_announced_as_searched_in_simplified(client):
    results = search("資產超市")
    assert [e.message for e in results.expansions] == ["已按简体检索：资产超市"]
    assert found("資產超市") == found("资产超市")
    page = client.get(reverse("search:search"), {"q": "國企"}).content.decode()
    assert "已按简体检索：国企" in page and "同时检索了：国有企业" in page


def test_the_literal_query_quotes_only_the_expanded_term():
    assert literal_query("资规局 改革", "资规局") == '"资规局" 改革'
    assert literal_query('资规局 "资规局" -资规局', "资规局") == '"资规局" "资规局" -资规局'
    assert literal_query("ＧＤＰ 增长", "gdp") == '"ＧＤＰ" 增长'


def test_a_vocabulary_group_needs_two_different_forms():
    words = Vocabulary([["国企"], ["GDP", "ｇｄｐ"], ["国企", "国有企业", "国企改革"]])
    assert words.forms_of("国企") == ["国有企业"]
    assert words.forms_of("gdp") == []


# ---------------------------------------------------------------------------------------------
# Edits count at once


@pytest.mark.django_db(transaction=True)
def test_an_edit_to_a_group_changes_remembered_results_at_once(shared_index):
    publish("test-heron-a", "白鹭办今天开会。")
    publish("test-heron-b", "苍鹭办今天开会。")
    assert found("白鹭办") == {"test-heron-a"}
    assert found("白鹭办") == {"test-heron-a"}  # remembered
    group = Synonym.objects.create(slug="test-heron", terms=["白鹭办", "苍鹭办"])
    assert found("白鹭办") == {"test-heron-a", "test-heron-b"}
    group.terms = ["白鹭办", "灰鹭办"]
    group.save()
    assert found("白鹭办") == {"test-heron-a"}
    group.delete()
    assert search("白鹭办").expansions == []
