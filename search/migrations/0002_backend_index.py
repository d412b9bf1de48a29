"""The backend's own full-text index beside SearchDocument: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    grams, units, title_words, init_words, heading_words, body_words,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""

POSTGRES_CREATE = [
    "ALTER TABLE search_searchdocument ADD COLUMN grams_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE search_searchdocument ADD COLUMN words_tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_doc_grams_gin ON search_searchdocument USING gin (grams_tsv)",
    "CREATE INDEX search_doc_words_gin ON search_searchdocument USING gin (words_tsv)",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS grams_tsv, DROP COLUMN IF EXISTS words_tsv")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
