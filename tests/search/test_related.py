"""Related reports scored over the live index's bitsets (search.related) are exactly the reports
a plain count says share most initiatives (×2) and departments, newest first among equals; when
the index cannot be read the page counts in the database instead."""

import pytest
from django.db import connection

from archive.models import Article, ArticleDepartment, Mention
from archive.reading.selectors.articles import related_articles
from archive.reading.selectors.initiatives import initiative_digest
from search.live import forget
from search.related import _add, _add_weighted, related_ids, related_score

pytestmark = pytest.mark.django_db


def brute_force(article: Article, limit: int) -> list[int]:
    initiatives = set(Mention.objects.filter(section__article=article).values_list("initiative_id", flat=True))
    departments = set(ArticleDepartment.objects.filter(article=article).values_list("department_id", flat=True))
    excluded = {article.pk}
    if article.series_id:
        excluded |= set(Article.objects.filter(series_id=article.series_id).values_list("pk", flat=True))
    scored = []
    for other in Article.objects.published().exclude(pk__in=excluded):
        shared_i = initiatives & set(Mention.objects.filter(section__article=other).values_list("initiative_id", flat=True))
        shared_d = departments & set(ArticleDepartment.objects.filter(article=other).values_list("department_id", flat=True))
        score = 2 * len(shared_i) + len(shared_d)
        if score:
            scored.append((-score, -(other.date.toordinal() if other.date else 0), -other.pk, other.pk))
    return [pk for *_, pk in sorted(scored)[:limit]]


def test_the_bit_sliced_counter_adds_weighted_bitsets():
    planes: list[int] = []
    rows = [0b1011, 0b0110, 0b1111, 0b0001]
    weights = [1, 0, 1, 0]  # ×2, ×1, ×2, ×1
    for bits, weight in zip(rows, weights):
        _add(planes, bits, weight)
    for position in range(4):
        expected = sum((1 << w) for bits, w in zip(rows, weights) if bits >> position & 1)
        assert sum((plane >> position & 1) << i for i, plane in enumerate(planes)) == expected


def test_the_bitset_counters_score_as_related_score():
    """The index adds weighted bitsets; the database fallback calls related_score: for every mix
    of shared initiatives and departments they give the same score (2 initiatives outweigh 3
    departments, 1 initiative and 2 departments tie with 2 initiatives)."""
    from search.related import DEPARTMENT_WEIGHT, INITIATIVE_WEIGHT

    mixes = [(i, d) for i in range(4) for d in range(4)]  # article n shares mixes[n]
    planes: list[int] = []
    for k in range(3):  # the k-th shared initiative / department of each article, as a bitset
        _add_weighted(planes, sum(1 << n for n, (i, _) in enumerate(mixes) if i > k), INITIATIVE_WEIGHT)
        _add_weighted(planes, sum(1 << n for n, (_, d) in enumerate(mixes) if d > k), DEPARTMENT_WEIGHT)
    for n, (i, d) in enumerate(mixes):
        counted = sum((plane >> n & 1) << bit for bit, plane in enumerate(planes))
        assert counted == related_score(range(i), range(d)) == 2 * i + d


def test_the_index_and_the_database_fallback_rank_related_reports_alike():
    from archive.reading.selectors.articles import _related_in_database

    compared = 0
    for article in Article.objects.published().prefetch_related("sections__mentions__initiative", "department_roles__department"):
        initiatives = {m.initiative.slug for s in article.sections.all() for m in s.mentions.all()}
        departments = {r.department.slug for r in article.department_roles.all()}
        if not initiatives and not departments:
            continue
        exclude = {article.pk}
        if article.series_id:
            exclude |= set(Article.objects.filter(series_id=article.series_id).values_list("pk", flat=True))
        from_index = related_ids(initiatives, departments, exclude, 10)
        from_database = _related_in_database(dict.fromkeys(initiatives), dict.fromkeys(departments), exclude, 10)
        assert [aid for aid, _, _ in from_index] == [aid for aid, _, _ in from_database], article.slug
        compared += 1
    assert compared >= 20


def test_related_reports_are_the_best_scored_for_every_article_of_the_corpus():
    checked = 0
    for article in Article.objects.published().prefetch_related("sections__mentions__initiative", "department_roles__department"):
        found = [r.article.pk for r in related_articles(article, limit=6)]
        assert found == brute_force(article, 6), article.slug
        checked += 1
    assert checked >= 20


def test_related_reports_say_what_they_share(client):
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    for related in related_articles(article):
        mine = set(Mention.objects.filter(section__article=article).values_list("initiative__name", flat=True))
        theirs = set(Mention.objects.filter(section__article=related.article).values_list("initiative__name", flat=True))
        assert set(related.initiatives) == mine & theirs


def test_without_a_readable_index_related_reports_are_counted_in_the_database(caplog):
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    expected = [r.article.pk for r in related_articles(article)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_searchdocument")  # the index holds no section
    forget()
    try:
        found = [r.article.pk for r in related_articles(article)]
    finally:
        forget()
    assert "counted in the database" in caplog.text
    assert found and set(found) <= set(brute_force(article, 50))
    assert found[0] == expected[0]


def test_excluded_articles_are_never_related():
    article = Article.objects.get(slug="2024-gaige-jinyaoshi")
    slugs = {m.initiative.slug for m in Mention.objects.filter(section__article=article).select_related("initiative")}
    everything = set(Article.objects.published().values_list("pk", flat=True))
    assert related_ids(slugs, set(), everything, 6) == []


def test_an_initiatives_report_count_is_the_number_of_published_reports_naming_it():
    from archive.models import Initiative

    for initiative in Initiative.objects.all():
        expected = Article.objects.published().filter(sections__mentions__initiative=initiative).distinct().count()
        assert initiative_digest(initiative).report_count == expected, initiative.slug


def test_every_initiative_digest_of_the_corpus_equals_the_grouped_queries():
    """The initiative pages' figures, kept per report, equal grouped queries over all mentions."""
    from archive.models import Initiative
    from tests.search.helpers import digest_figures, grouped_in_the_database

    named = 0
    for initiative in Initiative.objects.all():
        figures = digest_figures(initiative_digest(initiative))
        assert figures == grouped_in_the_database(initiative), initiative.slug
        named += bool(figures["mention_ids"])
    assert named >= 20  # the corpus names most of its initiatives
