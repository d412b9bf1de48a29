"""JSON for one article (/api/articles/<slug>) and the OpenAPI description of every JSON
endpoint (/api/openapi.json, written in archive/reading/openapi.py).

The article's JSON has English keys for programs and the values as stored, like the exports
(archive/reading/exports.py): metadata, the sections with their anchors (a section's URL is the
page's URL with #anchor), the initiatives each section names with where (offsets into the
heading or body, as the page links them), and links to the page, the verbatim text and the
citation. A report readers may not see is answered 404 like one that does not exist."""

import json

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive.models import Article, format_date
from archive.reading import citation, openapi
from archive.reading.article_text import section_views
from archive.reading.selectors.articles import article_for_page


def _json(data, status=200) -> HttpResponse:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # As the exports write it: the same JSON, with nothing a browser could take for markup.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def _named(obj, absolute) -> dict | None:
    if obj is None:
        return None
    return {"name": obj.name, "slug": obj.slug, "url": absolute(obj.get_absolute_url())}


def article_record(article: Article, absolute) -> dict:
    """The article (read by article_for_page) as the API gives it."""
    page = absolute(article.get_absolute_url())
    sections = []
    named: dict[int, dict] = {}
    for view in section_views(article.sections.all(), []):
        section = view.section
        mentions = []
        for mention in section.mentions.all():
            initiative = mention.initiative
            mentions.append(
                {
                    "initiative": _named(initiative, absolute),
                    "count": mention.count,
                    "offsets": [{"field": f, "start": a, "end": b} for f, a, b in mention.offsets],
                }
            )
            entry = named.setdefault(initiative.pk, {**_named(initiative, absolute), "count": 0})
            entry["count"] += mention.count
        sections.append(
            {
                "anchor": section.anchor,
                "url": f"{page}#{section.anchor}",
                "heading": section.heading,
                "level": view.level,
                "paragraphs": section.paragraphs,
                "mentions": mentions,
            }
        )
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": page,
        "title": article.title,
        "subtitle": article.subtitle,
        "kind": article.kind,
        "kind_label": article.get_kind_display(),
        "date": format_date(article.date, article.date_precision, iso=True, unknown="") or None,
        "date_precision": article.date_precision,
        "date_display": article.display_date,
        "date_inferred": article.date_inferred,
        "source": _named(article.source, absolute),
        "series": ({**_named(article.series, absolute), "order": article.series_order} if article.series else None),
        "doc_number": article.doc_number,
        "page": article.page,
        "creators": citation.creators(article),
        "authors": [
            {
                **_named(a.person, absolute),
                "role": a.role,
                "role_label": a.get_role_display(),
                "position": a.position,
            }
            for a in article.authorships.all()
        ],
        "departments": [
            {**_named(r.department, absolute), "role": r.role, "role_label": r.get_role_display()}
            for r in article.department_roles.all()
        ],
        "initiatives": sorted(named.values(), key=lambda i: (-i["count"], i["name"])),
        "captions": [c.text for c in article.captions.all()],
        "sections": sections,
        "links": {
            "page": page,
            "original": absolute(reverse("archive:article_original", kwargs={"slug": article.slug})),
            "api": absolute(reverse("archive:api_article", kwargs={"slug": article.slug})),
        },
    }


@require_safe
def article_json(request, slug):
    try:
        article = article_for_page(slug)
    except Article.DoesNotExist:
        return _json({"error": "没有这篇报道。"}, status=404)
    return _json(article_record(article, request.build_absolute_uri))


@require_safe
def openapi_json(request):
    return _json(openapi.description(server=request.build_absolute_uri("/").rstrip("/")))
