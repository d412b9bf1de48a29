from django.apps import AppConfig
from django.core import checks


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from search import signals  # noqa: F401  (index updates on save)

        checks.register(fts5_available, checks.Tags.database)


def fts5_available(app_configs, databases=None, **kwargs):
    """SQLite without FTS5 cannot hold the index; say so before a migration fails obscurely."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return [
            checks.Error(
                "This SQLite build has no FTS5, which the search index needs.",
                hint="Use a Python whose sqlite3 module is built with FTS5, or PostgreSQL (DATABASE_URL).",
                id="search.E001",
            )
        ]
    finally:
        probe.close()
    return []
