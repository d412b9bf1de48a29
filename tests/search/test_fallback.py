"""A missing or broken index never fails a search: the engine reads every section instead, with a
notice, and gives the same results; rebuild_index mends the index."""

import pytest
from django.core.management import call_command
from django.db import connection

from search import indexing
from search.engine import search
from search.fallback import NOTICE
from search.models import IndexState, SearchDocument

pytestmark = pytest.mark.django_db

QUERIES = ["二分法", "园区 -五好园区", '"国企改革"', "保交楼 OR 资产超市", "8130亩", ""]


def snapshot(query):
    results = search(query, page_size=100)
    return results.total, [h.article.slug for h in results.hits], results.facets["department"], results.notices


def break_backend_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE search_fts_grams")
        else:
            cursor.execute("ALTER TABLE search_searchdocument DROP COLUMN grams_tsv")


@pytest.mark.parametrize("query", QUERIES)
def test_a_dropped_backend_index_falls_back_to_the_same_matches(query):
    total, slugs, departments, _ = snapshot(query)
    break_backend_index()
    fallback_total, fallback_slugs, fallback_departments, notices = snapshot(query)
    assert fallback_total == total
    assert set(fallback_slugs) == set(slugs)
    assert fallback_departments == departments
    if query:
        assert NOTICE in notices


def test_an_index_never_built_is_detected_rather_than_finding_nothing():
    # as after `migrate` and `load_corpus` without `rebuild_index`
    SearchDocument.objects.all().delete()
    IndexState.objects.all().delete()
    results = search("二分法")
    assert results.total >= 3 and results.degraded and NOTICE in results.notices


def test_rebuild_index_mends_a_dropped_index(client):
    break_backend_index()
    assert client.get("/api/search", {"q": "二分法"}).status_code == 200
    call_command("rebuild_index", verbosity=0)
    results = search("二分法")
    assert not results.degraded and results.total >= 3
    assert indexing.drift() == []
