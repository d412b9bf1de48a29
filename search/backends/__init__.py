from django.db import connection

from search.backends.base import IndexRow, SearchBackend


def get_backend() -> SearchBackend:
    """The backend for the database in use (Wagtail's pattern: one function picks by vendor)."""
    if connection.vendor == "sqlite":
        from search.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    if connection.vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"No search backend for the {connection.vendor} database: use SQLite or PostgreSQL.")


__all__ = ["IndexRow", "SearchBackend", "get_backend"]
