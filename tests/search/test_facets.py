"""Facet counts are live and disjunctive, and agree with a brute-force count through the ORM."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from search.engine import search
from search.facets import FACET_LIMIT, FACETS
from search.filters import ArticleFacetFilter, filtered_queryset
from search.live import live_index

pytestmark = pytest.mark.django_db


def article_ids_for(query, params):
    return {hit.article.pk for hit in search(query, params, page_size=1000).hits}


def brute_force_counts(query, params, facet):
    """Count per value of `facet` through the ORM: the articles that match the query and every
    other facet's selection (django-filter's queryset), grouped by the facet's ORM path."""
    fmap = live_index()
    matching = article_ids_for(query, params.__class__(mutable=True)) if query else set(
        Article.objects.published().values_list("pk", flat=True)
    )
    others = params.copy()
    others.pop(facet, None)
    allowed = set(filtered_queryset(others, fmap).values_list("pk", flat=True)) & matching
    path = ArticleFacetFilter.base_filters[facet].field_name
    counts = {}
    for _, value in Article.objects.filter(pk__in=allowed).values_list("pk", path).distinct():
        if value is not None:
            counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def assert_counts_agree(shown: dict, expected: dict, facet, selected=()):
    """Every value shown has its exact count; values left out (beyond the facet's limit) never
    outnumber a value shown. Selected values are always shown, after the limit's values when they
    are not among them: the limit and the comparison apply to the others."""
    assert {v: expected.get(v) for v in shown} == shown, facet
    others = {v: n for v, n in shown.items() if v not in selected}
    others_expected = {v: n for v, n in expected.items() if v not in selected}
    top = min(len(others_expected), FACET_LIMIT)
    assert top - len(set(selected) & set(shown)) <= len(others) <= top, facet
    if len(others) < len(others_expected):
        assert max(n for v, n in others_expected.items() if v not in others) <= min(others.values()), facet


@pytest.mark.parametrize("query", ["", "改革", "园区", "二分法 OR 保交楼"])
def test_counts_match_a_brute_force_count_without_selection(query, params):
    results = search(query, params(), page_size=1000)
    for facet in FACETS:
        shown = {v["value"]: v["count"] for v in results.facets[facet] if v["count"]}
        assert_counts_agree(shown, brute_force_counts(query, params(), facet), facet)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_counts_match_a_brute_force_count_under_random_selections(data, params):
    fmap = live_index()
    query = data.draw(st.sampled_from(["", "改革", "园区", "国企"]))
    chosen = {}
    for facet in data.draw(st.lists(st.sampled_from(FACETS), max_size=2, unique=True)):
        values = sorted(fmap.labels[facet])
        chosen[facet] = data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
    p = params(**chosen)
    results = search(query, p, page_size=1000)
    for facet in FACETS:
        shown = {v["value"]: v["count"] for v in results.facets[facet] if v["count"]}
        assert_counts_agree(shown, brute_force_counts(query, p, facet), (facet, chosen), chosen.get(facet, ()))
    # and the hits are exactly the articles that pass every selection
    expected = set(filtered_queryset(p, fmap).values_list("pk", flat=True))
    if query:
        expected &= article_ids_for(query, params())
    assert {hit.article.pk for hit in results.hits} == expected


def test_selecting_a_department_keeps_the_other_departments_visible(params):
    everything = search("", params())
    first = everything.facets["department"][0]
    picked = search("", params(department=first["value"]))
    departments = {v["value"]: v for v in picked.facets["department"]}
    assert departments[first["value"]]["selected"] is True
    assert len([v for v in departments.values() if v["count"]]) > 1
    assert picked.total == first["count"]


def test_two_values_of_one_facet_combine_with_or(params):
    years = search("", params()).facets["year"]
    a, b = years[0], years[1]
    both = search("", params(year=[a["value"], b["value"]]))
    assert both.total == a["count"] + b["count"]


def test_facets_combine_with_and(params):
    picked = search("", params(year="2019", kind="research"))
    assert picked.total and all(h.article.date.year == 2019 and h.article.kind == "research" for h in picked.hits)
    assert search("", params(year="2019", kind="reply")).total == 0


def test_a_selected_value_stays_visible_at_zero(params):
    results = search("二分法", params(kind="reply"))
    reply = [v for v in results.facets["kind"] if v["value"] == "reply"]
    assert reply and reply[0]["selected"] and results.total == 0


def test_unknown_facet_values_are_ignored_with_a_notice(params):
    results = search("改革", params(department=["no-such-department"]))
    assert results.total == search("改革", params()).total
    assert any("不存在" in n for n in results.notices)


def test_many_to_many_facets_count_distinct_articles(params):
    results = search("", params())
    for value in results.facets["initiative"][:5]:
        ids = {h.article.pk for h in search("", params(initiative=value["value"]), page_size=1000).hits}
        assert len(ids) == value["count"]


def test_a_long_facet_is_cut_to_its_limit_and_its_text_filter_reaches_the_rest(params):
    everything = search("", params())
    assert len(everything.facets["initiative"]) == FACET_LIMIT
    total_values = len(live_index().bits["initiative"])
    assert total_values > FACET_LIMIT
    rare = min(everything.facets["initiative"], key=lambda v: v["count"])["label"]
    narrowed = search("", params(), facet_filters={"initiative": rare})
    assert [v["label"] for v in narrowed.facets["initiative"]] == [rare] or rare in [
        v["label"] for v in narrowed.facets["initiative"]
    ]
    assert all(rare in v["label"] for v in narrowed.facets["initiative"])


@pytest.fixture(params=["by article", "by value"])
def counting_strategy(request, monkeypatch):
    """The large-archive paths (count by value bitsets, scan the date order) must agree with
    the small-archive paths the seed corpus takes by default."""
    from search import facets, live

    if request.param == "by value":
        monkeypatch.setattr(facets, "FEW_ARTICLES", -1)
        monkeypatch.setattr(facets, "ARCHIVE_ARTICLES_PER_STEP", 10**18)
        monkeypatch.setattr(live, "FEW_TO_SORT", -1)
    return request.param


@pytest.mark.parametrize("query", ["", "改革", "园区 -五好园区"])
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_both_counting_strategies_give_the_same_results(query, sort, params, counting_strategy, monkeypatch):
    from search import facets, live

    p = params(year=["2019", "2024"])
    results = search(query, p, sort=sort, page_size=7, page=2)
    monkeypatch.setattr(facets, "FEW_ARTICLES", 10**9)
    monkeypatch.setattr(live, "FEW_TO_SORT", 10**9)
    reference = search(query, p, sort=sort, page_size=7, page=2)
    assert results.facets == reference.facets
    assert [h.article.pk for h in results.hits] == [h.article.pk for h in reference.hits]
    assert results.total == reference.total


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("query", ["", "改革", "园区"])
def test_the_largest_counts_are_found_without_counting_every_value(query, limit, monkeypatch):
    """Values are counted largest first and the rest skipped once they cannot enter the first
    `limit`: the result is the full count's first `limit`, ties by label included."""
    from search import facets

    monkeypatch.setattr(facets, "FEW_ARTICLES", -1)  # the bitset path, as in a large archive
    monkeypatch.setattr(facets, "ARCHIVE_ARTICLES_PER_STEP", 10**18)
    live = live_index()
    results = search(query)
    for facet in ("department", "initiative", "author"):
        shown = facets.count(live, results.matched_bits, {}, limit=limit)[facet]
        labels = live.labels[facet]
        every = [((bits & results.matched_bits).bit_count(), value) for value, bits in live.bits[facet].items()]
        expected = sorted(((n, v) for n, v in every if n), key=lambda item: (-item[0], labels.get(item[1], item[1])))[:limit]
        assert [(v["count"], v["value"]) for v in shown] == expected


def test_a_facet_of_many_values_is_counted_by_article_when_its_bitsets_would_all_be_counted():
    """At a million sections (200,000 reports, 16,585 authors of flat sizes) counting a bitset per
    author costs far more than tallying the matching reports' authors, unless nearly every report
    matches (then the 100 largest counts are found among the first few hundred authors); a facet
    of five values is counted by value."""
    from search import facets

    class Archive:
        def __init__(self, articles, sizes):
            self.article_at = [None] * articles
            self.sizes = {facet: sorted(((n, v) for v, n in enumerate(values)), reverse=True) for facet, values in sizes.items()}
            self.bits = {facet: dict.fromkeys(range(len(values)), 0) for facet, values in sizes.items()}

        def values_by_size(self, facet):
            return self.sizes[facet]

    authors = [18 + (i % 13) for i in range(16_585)]  # 18–30 reports each
    archive = Archive(200_000, {"author": authors, "kind": [40_000] * 5})
    assert facets._by_article(archive, "author", 4_000)
    assert facets._by_article(archive, "author", 60_000)
    assert not facets._by_article(archive, "author", 180_000)  # the first few hundred authors decide
    assert not facets._by_article(archive, "kind", 4_000)
    assert facets._by_article(archive, "kind", facets.FEW_ARTICLES)
    small = Archive(2_000, {"author": [3] * 300})
    assert not facets._by_article(small, "author", 1_500)
