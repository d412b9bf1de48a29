"""Search results as CSV or JSON downloads: every result of the query and facet selection (not
only the page on screen), in the order asked for, with the archive's article columns plus the
best-matching section and its snippet (archive.reading.exports writes the files); and as RIS,
BibTeX, EndNote or CSL-JSON reference files (archive.reading.references writes those)."""

import html

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from archive.models import Article
from archive.querystring import querystring
from archive.reading import exports as archive_exports
from archive.reading import references
from archive.reading.selectors.articles import with_relations
from search.engine import search
from search.serializers import hit_url

EXPORT_LIMIT = 2000
COLUMNS = [
    *archive_exports.ARTICLE_COLUMNS[:-1],
    ("section", "最相关段落"),
    ("snippet", "摘录"),
    ("section_url", "段落网址"),
    archive_exports.ARTICLE_COLUMNS[-1],
]


def search_export(request, fmt):
    q = request.GET.get("q", "")
    results = search(q, request.GET, sort=request.GET.get("sort", "relevance"), page=1, page_size=EXPORT_LIMIT)
    order = [hit.article.pk for hit in results.hits]
    articles = with_relations(Article.objects.filter(pk__in=order)).in_bulk(order)
    records = archive_exports.article_records([articles[pk] for pk in order if pk in articles], request.build_absolute_uri)
    by_id = {record["id"]: record for record in records}
    for hit in results.hits:
        record = by_id.get(hit.article.pk)
        if record is not None:
            record["section"] = hit.section.heading
            record["snippet"] = html.unescape(strip_tags(str(hit.snippet)))
            record["section_url"] = request.build_absolute_uri(hit_url(hit.section.get_absolute_url(), results))
    title = f"检索：{q}" if q.strip() else "检索：全部报道"
    extra = {"query": q, "total": results.total}
    if results.total > len(records):
        extra["truncated"] = f"只导出了前{len(records)}条结果。"
    return archive_exports.export_response(
        fmt,
        title=title,
        file_stem="search",
        columns=COLUMNS,
        records=records,
        page_url=request.build_absolute_uri(reverse("search:search") + querystring(request.GET)),
        extra=extra,
    )


def search_references(request, fmt):
    """Every result (up to EXPORT_LIMIT, as the CSV has them) as a reference-manager file."""
    q = request.GET.get("q", "")
    results = search(q, request.GET, sort=request.GET.get("sort", "relevance"), page=1, page_size=EXPORT_LIMIT)
    order = [hit.article.pk for hit in results.hits]
    articles = with_relations(Article.objects.filter(pk__in=order)).in_bulk(order)
    return references.references_response(
        fmt,
        [articles[pk] for pk in order if pk in articles],
        absolute=request.build_absolute_uri,
        file_stem="search",
        accessed=timezone.localdate(),
    )
