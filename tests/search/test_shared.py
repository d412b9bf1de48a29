"""The term cache shared between serving processes (search.shared): what one process asked the
index is read by the next instead of asking again, brought up to date with the edits since."""

import pytest
from django.db import DatabaseError

from search import indexing, live, memo, shared
from search.engine import search
from search.models import SharedTerm
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def new_process(monkeypatch):
    """Forget everything a process keeps in memory, as a new worker would start."""
    monkeypatch.setattr(shared, "WORTH_MS", 0)

    def start():
        from search import ranking

        live.forget()
        memo.forget()
        ranking._df_cache.clear()

    start()
    yield start
    start()


@pytest.fixture
def backend_calls(monkeypatch):
    from search.backends import get_backend

    calls = []
    cls = type(get_backend())
    for name in ("candidates", "document_frequency", "best_sections"):
        original = getattr(cls, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)
    return calls



def found(q):
    results = search(q, page_size=100)
    return results.total, sorted(hit.article.slug for hit in results.hits)


def test_a_second_process_reads_what_the_first_asked_the_index(new_process, backend_calls):
    publish("shared-a", "甲乙丙丁在此。")
    publish("shared-b", "又见甲乙丙丁。")
    first = found("甲乙丙丁")
    assert "candidates" in backend_calls and SharedTerm.objects.exists()
    new_process()
    backend_calls.clear()
    assert found("甲乙丙丁") == first == (2, ["shared-a", "shared-b"])
    assert backend_calls == []  # sections, frequencies and best sections all came from the shared cache


def test_a_shared_term_is_brought_up_to_date_with_the_edits_since(new_process):
    gaining = publish("shared-c", "毫不相干。")
    losing = publish("shared-d", "甲乙丙丁在此。")
    publish("shared-e", "甲乙丙丁也在。")
    assert found("甲乙丙丁") == (2, ["shared-d", "shared-e"])
    new_process()
    section = gaining.sections.get()
    section.body = "现在写到了甲乙丙丁。"
    section.save()
    section = losing.sections.get()
    section.body = "删去了。"
    section.save()
    new_process()
    assert found("甲乙丙丁") == (2, ["shared-c", "shared-e"])


def test_a_rebuild_empties_the_shared_terms(new_process):
    publish("shared-f", "甲乙丙丁在此。")
    found("甲乙丙丁")
    assert SharedTerm.objects.exists()
    indexing.rebuild()
    assert not SharedTerm.objects.exists()


def test_a_database_that_refuses_the_write_fails_no_search(new_process, monkeypatch):
    publish("shared-g", "甲乙丙丁在此。")

    def refuse(*args, **kwargs):
        raise DatabaseError("attempt to write a readonly database")

    monkeypatch.setattr(SharedTerm.objects, "update_or_create", refuse)
    assert found("甲乙丙丁") == (1, ["shared-g"])
    assert not SharedTerm.objects.exists()


def test_a_readers_write_gives_up_at_once_rather_than_wait_for_an_editors_lock(vendor):
    from django.db import connection

    if vendor != "sqlite":
        pytest.skip("PostgreSQL writers do not lock readers' inserts of other rows")

    def busy_timeout():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return cursor.fetchone()[0]

    before = busy_timeout()
    with shared._no_waiting():
        assert busy_timeout() == 0
    assert busy_timeout() == before > 0
