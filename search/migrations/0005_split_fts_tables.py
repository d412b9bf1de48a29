"""SQLite: three FTS5 tables, each with only the detail it needs: the grams with positions (exact
phrases), the units with none (presence), the four word fields in full (bm25 and frequencies).
Smaller and faster to write than one table holding all. The index is derived data:
rebuild_index refills it."""

from django.db import migrations


def split(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    schema_editor.execute("CREATE VIRTUAL TABLE search_fts_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0')")
    schema_editor.execute(
        "CREATE VIRTUAL TABLE search_fts_units USING fts5(units, tokenize = 'unicode61 remove_diacritics 0', detail = none)"
    )
    schema_editor.execute(
        "CREATE VIRTUAL TABLE search_fts_words USING fts5(title_words, init_words, heading_words, body_words,"
        " tokenize = 'unicode61 remove_diacritics 0')"
    )
    schema_editor.execute("DELETE FROM search_searchdocument")


def join(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in ("search_fts_grams", "search_fts_units", "search_fts_words"):
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    schema_editor.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(grams, units, title_words, init_words, heading_words, body_words,"
        " tokenize = 'unicode61 remove_diacritics 0')"
    )
    schema_editor.execute("DELETE FROM search_searchdocument")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_index_change")]
    operations = [migrations.RunPython(split, join)]
