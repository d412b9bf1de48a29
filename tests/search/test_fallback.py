"""A missing or broken index never fails a search: without the index's documents the engine reads
every section instead, with a notice; without the node's index it decides every report on its
text; both give the same results, and rebuild_index mends the index."""

import pytest
from django.core.management import call_command
from django.db import connection

from search import indexing, live, memo, tantivy_index
from search.engine import search
from search.fallback import NOTICE
from search.models import IndexState, SearchDocument

pytestmark = pytest.mark.django_db

QUERIES = ["二分法", "园区 -五好园区", '"国企改革"', "保交楼 OR 资产超市", "8130亩", ""]


def snapshot(query):
    results = search(query, page_size=100)
    return results.total, [h.article.slug for h in results.hits], results.facets["department"], results.notices


def drop_search_documents():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE search_searchdocument" + (" CASCADE" if connection.vendor == "postgresql" else ""))
    memo.forget()


@pytest.mark.parametrize("query", QUERIES)
def test_a_dropped_index_table_falls_back_to_the_same_matches(query):
    total, slugs, departments, _ = snapshot(query)
    drop_search_documents()
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


@pytest.mark.parametrize("query", QUERIES)
def test_a_missing_node_index_gives_the_same_matches_from_the_text(query, settings, tmp_path):
    total, slugs, departments, _ = snapshot(query)
    settings.SEARCH_INDEX_DIR = tmp_path  # nothing there
    tantivy_index.forget()
    memo.forget()
    assert not tantivy_index.current_lookup().complete
    assert snapshot(query)[:3] == (total, slugs, departments)


def test_rebuild_index_mends_a_missing_node_index(client, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path
    tantivy_index.forget()
    live.forget()
    memo.forget()
    assert client.get("/api/search", {"q": "二分法"}).json()["total"] >= 3
    call_command("rebuild_index", verbosity=0)
    assert tantivy_index.read_state(tantivy_index.folder())["sections"] == SearchDocument.objects.count()
    results = search("二分法")
    assert not results.degraded and results.total >= 3
    assert indexing.drift() == []
