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
    from archive.corpus import load_all

    with django_db_blocker.unblock():
        load_all(settings.FIXTURES_DIR)


@pytest.fixture
def vendor():
    return connection.vendor
