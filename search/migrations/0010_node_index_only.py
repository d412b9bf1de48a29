"""The node's tantivy index (search.tantivy_index) matches and ranks on both databases: the
database's own full-text structures go (the FTS5 tables on SQLite; the tsvector columns and their
GIN indexes on PostgreSQL), with the flag of sections whose tsvector positions were clipped, and
the shared term table (a term is looked up in the node's index in a millisecond or so; with Redis,
search.shared keeps terms in the cache framework). Derived data only: nothing is lost, and
`rebuild_index` rebuilds the node's index. Going back recreates the empty structures: run
`rebuild_index` after."""

from django.db import migrations

SQLITE_TABLES = ("search_fts_grams", "search_fts_units", "search_fts_words")
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fts_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE search_fts_units USING fts5(units, tokenize = 'unicode61 remove_diacritics 0', detail = none)",
    "CREATE VIRTUAL TABLE search_fts_words USING fts5(title_words, init_words, heading_words, body_words,"
    " tokenize = 'unicode61 remove_diacritics 0')",
)
POSTGRES_CREATE = (
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS grams_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS words_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX IF NOT EXISTS search_doc_grams_gin ON search_searchdocument USING gin (grams_tsv)",
    "CREATE INDEX IF NOT EXISTS search_doc_words_gin ON search_searchdocument USING gin (words_tsv)",
)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in SQLITE_TABLES:
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    elif vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS grams_tsv, DROP COLUMN IF EXISTS words_tsv"
        )


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = SQLITE_CREATE if vendor == "sqlite" else POSTGRES_CREATE if vendor == "postgresql" else ()
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0009_article_document")]
    operations = [
        migrations.RunPython(drop, create),
        migrations.RemoveIndex(model_name="searchdocument", name="search_doc_needs_confirm"),
        migrations.RemoveField(model_name="searchdocument", name="needs_confirm"),
        migrations.DeleteModel(name="SharedTerm"),
    ]
