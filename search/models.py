"""The search index: derived data, rebuilt from the archive at any time (dropping it loses nothing).

SearchDocument holds one row per section of a published article, with what ranking and exact
matching read in Python, and ArticleDocument one per report: the source of truth of the index.
Each app node keeps its own tantivy index built from these rows and following the IndexChange log
(search.tantivy_index), on its own disk, on either database.
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

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"


class ArticleDocument(models.Model):
    """One row per published article: what is printed once per report around its sections —
    subtitle, 文号, bylines (names and positions), departments, captions, series, source.

    Every section of the report is found by these texts as if they were its own (search.documents),
    but they are held once, not copied into each section's document: at an average of five
    sections a report, the copies would add a fifth to the text the index holds (docs/search.md).
    The `*_canon` columns answer field terms (title:, author:, dept:, docno:, caption:); `canon`
    answers plain terms, and holds besides the printed texts every name and alias of the report's
    departments and of the initiatives its sections mention; the `*_words` columns are ranked
    (search.weights)."""

    article = models.OneToOneField("archive.Article", primary_key=True, on_delete=models.CASCADE, related_name="+")
    canon = models.TextField(blank=True, help_text="every printed text as units, for exact matching")
    title_canon = models.TextField(blank=True, help_text="title and subtitle, for title:")
    author_canon = models.TextField(blank=True, help_text="bylines: names and positions, for author:")
    dept_canon = models.TextField(blank=True, help_text="every name and alias of its departments, for dept:")
    docno_canon = models.TextField(blank=True, help_text="文号, for docno:")
    caption_canon = models.TextField(blank=True, help_text="captions, for caption:")
    subtitle_words = models.TextField(blank=True)
    docno_words = models.TextField(blank=True)
    author_words = models.TextField(blank=True)
    dept_words = models.TextField(blank=True)
    caption_words = models.TextField(blank=True)
    series_words = models.TextField(blank=True)
    source_words = models.TextField(blank=True)

    class Meta:
        verbose_name = "检索文档（报道）"
        verbose_name_plural = "检索文档（报道）"


class IndexState(models.Model):
    """A single row: which dictionary the index was built with, and a random token that every
    index write replaces. A live view built inside a transaction (search.live.live_index) is kept
    for its token: a rolled-back write can never hand out the same token again for different
    data. The serving processes' shared views follow the IndexChange log instead."""

    dictionary_hash = models.CharField(max_length=32, blank=True)
    token = models.CharField(max_length=32, blank=True, help_text="random, new with every write: the cache key")
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "索引状态"
        verbose_name_plural = "索引状态"


class IndexChange(models.Model):
    """One row per index write: an article it touched (scope article), a catalog change (scope
    catalog: labels and dictionary) or a rebuild (scope all). Serving processes read the rows
    they have not seen, so their live views and remembered results follow edits without being
    rebuilt (search.live, search.memo)."""

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
