"""Shared fixtures. The curated corpus is loaded once into the test database, so every test
sees the archive as `make run` serves it (each test's changes are rolled back)."""

import pytest
from django.conf import settings
from django.db import connection


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database backend: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or db['NAME']})"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    import tempfile

    from archive.ingest.corpus import load_all
    from search import tantivy_index
    from search.indexing import rebuild

    # Uploaded files of the tests' imports go to a folder of their own, never the project's media/;
    # the node's search index too (each test's own writes are pending for it, decided on the text).
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="archive-test-media-")
    settings.SEARCH_INDEX_DIR = tempfile.mkdtemp(prefix="archive-test-index-")
    with django_db_blocker.unblock():
        load_all(settings.FIXTURES_DIR)
        rebuild()
        tantivy_index.rebuild()


@pytest.fixture(autouse=True)
def _node_index_kept(request, django_db_blocker):
    """An earlier test can leave the session's node index out of step with what the database
    holds: rebuilt inside its rolled-back transaction (rebuild_index), changes applied by a
    transactional test whose rows were then flushed, the database's index rebuilt and committed.
    Searches are then exact only by deciding everything on the text, so before each test that uses
    the database the index is checked and, if it no longer answers, rebuilt from what the
    database holds (before the test has written anything), and every test searches through it."""
    if "django_db_setup" in request.fixturenames:
        from search import tantivy_index

        with django_db_blocker.unblock():
            if not tantivy_index.current_lookup().complete:
                tantivy_index.rebuild()
    yield


@pytest.fixture
def vendor():
    return connection.vendor


@pytest.fixture
def make_article(db):
    """Create a published article with sections (the index follows through the save signals)."""
    import datetime
    import itertools

    from archive.models import Article, Section

    counter = itertools.count(1)

    def make(title="测试报道", sections=(("", "测试正文。"),), date=datetime.date(2024, 1, 1), precision="year", **fields):
        n = next(counter)
        article = Article.objects.create(
            slug=fields.pop("slug", f"test-article-{n}"),
            title=title,
            kind=fields.pop("kind", Article.Kind.NEWS),
            date=date,
            date_precision=precision,
            status=fields.pop("status", Article.Status.PUBLISHED),
            **fields,
        )
        for order, (heading, body) in enumerate(sections, 1):
            Section.objects.create(article=article, order=order, heading=heading, body=body)
        return article

    return make
