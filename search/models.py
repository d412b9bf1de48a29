"""The search index: derived data, rebuilt from the archive at any time (dropping it loses nothing).

SearchDocument holds one row per section of a published article, with what ranking and exact
matching read in Python. The backend's own index sits beside it: an FTS5 table (SQLite) or two
tsvector columns with GIN indexes (PostgreSQL), added by this app's migration.
"""

from django.db import models


class SearchDocument(models.Model):
    section = models.OneToOneField("archive.Section", primary_key=True, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("archive.Article", on_delete=models.CASCADE, related_name="+")
    canon = models.TextField(help_text="normalised title, heading and body as units, for exact matching")
    title_words = models.TextField(blank=True)
    init_words = models.TextField(blank=True)
    heading_words = models.TextField(blank=True)
    body_words = models.TextField(blank=True)
    needs_confirm = models.BooleanField(default=False, help_text="the backend index had to clip positions")

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        indexes = [
            # the few flagged sections, read for every phrase lookup on PostgreSQL: without it, a
            # scan of the whole table (200 ms at 100,000 sections)
            models.Index(fields=["section"], condition=models.Q(needs_confirm=True), name="search_doc_needs_confirm")
        ]


class IndexState(models.Model):
    """A single row: which dictionary the index was built with, and a random token that every
    index write replaces. Per-process caches (document frequencies, facet maps) are keyed by the
    token: a rolled-back write can never hand out the same token again for different data."""

    dictionary_hash = models.CharField(max_length=32, blank=True)
    token = models.CharField(max_length=32, blank=True, help_text="random, new with every write: the cache key")
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "索引状态"
        verbose_name_plural = "索引状态"


class IndexChange(models.Model):
    """One row per index write, naming the article it touched (null: everything, after a
    rebuild or a catalog change). Serving processes read the rows they have not seen, so their
    in-memory maps and caches follow edits without being rebuilt."""

    class Scope(models.TextChoices):
        ARTICLE = "article", "article"
        CATALOG = "catalog", "catalog"
        ALL = "all", "all"

    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ARTICLE)
    article_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "索引变更"
        verbose_name_plural = "索引变更"


class SharedTerm(models.Model):
    """What one serving process asked the backend index for a term, kept for the others (and
    for itself after a restart): the sections a term's grams match, a word's document frequency,
    the backend's best sections for a set of words. Each is exact as of `change_id`; a reader
    re-checks the sections of the articles changed since (search.shared). Derived data like the
    rest of the index: a rebuild empties it."""

    key = models.CharField(max_length=64, primary_key=True, help_text="sha256 of the kind and the term")
    change_id = models.BigIntegerField(help_text="the last IndexChange the value is exact for")
    data = models.BinaryField(help_text="section ids as 4-byte integers (little-endian), or a count")

    class Meta:
        verbose_name = "共享检索缓存"
        verbose_name_plural = "共享检索缓存"
