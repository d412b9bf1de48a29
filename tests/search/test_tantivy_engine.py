"""The tantivy translation used to weigh the engine (bench/tantivy_engine.py) keeps the recall
guarantee on the curated corpus: any literal substring finds every section that has it, as a plain
scan of the text says, so that bench.engine_compare compares like with like."""

import random
import re

import pytest

from archive.models import Article, Section
from archive.text import CJK
from bench.tantivy_engine import TantivyEngine, build, leaf_tokens
from search.documents import archive_texts
from search.indexing import document_canon
from search.normalize import normalize
from search.tokens import canonical, contains

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """The curated corpus in a tantivy index, with each published section's canonical texts."""
    directory = tmp_path_factory.mktemp("tantivy")
    with django_db_blocker.unblock():
        build(directory, workers=1)
        sections = list(Section.objects.filter(article__status=Article.Status.PUBLISHED).select_related("article"))
        printed = archive_texts({s.article_id for s in sections})
    texts = {s.pk: (document_canon(s.article.title, s.heading, s.body), printed[s.article_id].canon) for s in sections}
    return TantivyEngine(directory), sections, texts


def scan(texts, query: str) -> set[int]:
    key = canonical(normalize(query))
    return {sid for sid, (own, article) in texts.items() if contains(own, key) or contains(article, key)}


def test_latin_units_that_meet_differently_are_different_grams():
    assert leaf_tokens("ab cd") != leaf_tokens("abc d")
    assert leaf_tokens("园区") == ("term", "园区")
    assert leaf_tokens("园") == ("term", "#园")


def test_every_sampled_chinese_substring_finds_exactly_the_sections_a_scan_finds(corpus):
    engine, sections, texts = corpus
    rng = random.Random(17)
    queries = set()
    for section in rng.sample(sections, min(40, len(sections))):
        runs = re.findall(f"[{CJK}]{{2,}}", normalize(section.body))
        for run in rng.sample(runs, min(3, len(runs))):
            length = rng.randint(1, min(8, len(run)))
            start = rng.randint(0, len(run) - length)
            queries.add(run[start : start + length])
    assert len(queries) >= 60
    for query in sorted(queries):
        assert engine.matching_sections(query) == scan(texts, query), query


@pytest.mark.parametrize("query", ["项目化", "金钥匙", "邵凌云", "8130亩", "资产超市", "資產超市", "厂ba", "五好园区", "易跃跃"])
def test_examples_from_the_recall_tests_find_what_a_scan_finds(corpus, query):
    engine, _, texts = corpus
    wanted = scan(texts, query)
    assert wanted, f"the corpus has no {query}"
    assert engine.matching_sections(query) == wanted


def test_and_phrase_and_exclusion_agree_with_a_scan(corpus):
    engine, _, texts = corpus
    both = scan(texts, "改革") & scan(texts, "株洲")
    assert engine.matching_sections("改革 株洲") == both
    assert engine.matching_sections('"国企改革"') == scan(texts, "国企改革")
    assert engine.matching_sections("改革 -株洲") == scan(texts, "改革") - scan(texts, "株洲")
    assert both and scan(texts, "改革") - scan(texts, "株洲")


def test_a_page_counts_reports_and_facets_and_marks_its_snippets(corpus):
    engine, sections, _ = corpus
    results = engine.search("改革")
    reports = {s.article_id for s in sections if s.pk in engine.matching_sections("改革")}
    assert results.total == len(reports)
    assert 0 < len(results.hits) <= 10
    assert all("<mark>" in hit.snippet for hit in results.hits)
    years = {b["value"]: b["count"] for b in results.facets["year"]}
    assert sum(years.values()) <= len(reports) and years


def test_judged_queries_rank_on_tantivy_beside_the_engine(corpus, client, capsys):
    """nDCG@10 of the tantivy ranking (BM25 over the jieba word fields, search.weights' field
    weights) beside the engine's, over the judged queries (tests/search/judged.py). Printed, as the
    engine's is; asserted: every query answers and a graded report comes back for most of them."""
    from tests.search.judged import JUDGED, mean, ranked_slugs, scores_of, summary_lines

    engine, _, _ = corpus
    slugs = dict(Article.objects.values_list("pk", "slug"))
    tantivy_rankings, ours = {}, {}
    for judged in JUDGED:
        hits = engine.search(judged.q, judged.params, page_size=10, snippets=False).hits
        tantivy_rankings[judged.id] = [slugs[h.article_id] for h in hits]
        ours[judged.id] = ranked_slugs(client, judged)
    theirs, mine = scores_of(tantivy_rankings), scores_of(ours)
    with capsys.disabled():
        print("\n" + "\n".join(summary_lines(theirs, "(tantivy translation)") + summary_lines(mine, "(engine)")))
    found = [qid for qid, ranked in tantivy_rankings.items() if set(ranked) & set(next(j for j in JUDGED if j.id == qid).grades)]
    assert len(found) >= 0.8 * len(JUDGED), f"only {len(found)} of {len(JUDGED)} judged queries find a graded report"
    assert mean(theirs.values()) > 0


def test_the_live_index_counts_the_reports_tantivy_matched_exactly(corpus, params):
    from search.engine import search

    engine, _, _ = corpus
    hybrid = TantivyEngine(engine.directory, facet_mode="bitsets")
    for q, facets in (("改革", {}), ("株洲", {"year": ["2024"]}), ("园区 -株洲", {})):
        ours = search(q, params(**facets))
        theirs = hybrid.search(q, facets)
        assert theirs.total == ours.total, q
        assert {f: {v["value"]: v["count"] for v in values} for f, values in theirs.facets.items()} == {
            f: {v["value"]: v["count"] for v in values} for f, values in ours.facets.items()
        }, q
