"""On PostgreSQL a term's sections are read through the GIN index of the grams vectors even when
most sections have the term (the planner would read the whole table, unpacking every vector), and
the settings that make it so do not leak into the caller's transaction."""

import json

import pytest
from django.db import connection

from search.backends import get_backend
from search.backends.postgres import CANDIDATE_SETTINGS, _gin_only
from search.models import SearchDocument
from tests.live_app import suite_vendor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(suite_vendor() != "postgresql", reason="PostgreSQL only: the SQLite backend has no planner settings"),
]


def settings_now(names):
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), list(names))
        return cursor.fetchone()


def test_a_term_found_in_most_sections_is_read_through_the_gin_index():
    total = SearchDocument.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE grams_tsv @@ %s::tsquery", ["'~改'"])
        having = cursor.fetchone()[0]
    assert total and having  # the corpus has sections with 改

    plan_sql = "EXPLAIN (FORMAT JSON) SELECT section_id FROM search_searchdocument WHERE grams_tsv @@ %s::tsquery"
    with connection.cursor() as cursor, _gin_only(cursor):
        cursor.execute(plan_sql, ["'~改'"])
        plan = json.dumps(cursor.fetchone()[0])
    assert "search_doc_grams_gin" in plan and "Seq Scan" not in plan, plan


def test_candidate_settings_are_restored_for_the_rest_of_the_transaction():
    names = tuple(CANDIDATE_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '5MB'")
    before = settings_now(names)
    assert before[names.index("work_mem")] == "5MB"

    found = get_backend().candidates(["改革"], [])

    assert found
    assert settings_now(names) == before


def test_candidates_give_the_same_sections_as_a_plain_scan_of_the_vectors():
    backend = get_backend()
    for grams, units in ((["改革"], []), (["项目", "目化"], []), ([], ["园"])):
        expected_query = " & ".join([" <-> ".join(f"'{g}'" for g in grams)] if grams else [f"'~{u}'" for u in units])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SELECT section_id FROM search_searchdocument WHERE grams_tsv @@ %s::tsquery", [expected_query])
            scanned = {row[0] for row in cursor.fetchall()}
            cursor.execute("RESET enable_indexscan")
            cursor.execute("RESET enable_bitmapscan")
        assert scanned
        assert backend.candidates(grams, units) == scanned
