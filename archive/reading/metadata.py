"""What an article page tells machines about the report in its <head>
(templates/includes/article_meta.html): Highwire Press citation_* tags (what Zotero, Google
Scholar and EndNote's capture read), schema.org JSON-LD, OpenGraph tags and a meta description.
The facts come from archive/reading/citation.py, so the tags name the work as the citation does.

- citation_publication_date is written at its precision: 2024, 2024/11 or 2024/11/05
  (https://scholar.google.com/intl/en/scholar/inclusion.html#indexing); JSON-LD's datePublished
  the ISO 8601 reduced form: 2024, 2024-11, 2024-11-05.
- citation_pdf_url is left out: the archive keeps the imported files for its staff only
  (RawDocument.file), and no report has a public file.
- The JSON-LD is escaped as Django's json_script escapes (<, > and & as \\u003c…), so a title
  cannot close the script element; a script of type application/ld+json is data, which the
  Content-Security-Policy neither runs nor reports.
"""

import json
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from archive.models import Article, format_date
from archive.reading import citation

DESCRIPTION_LENGTH = 120
SITE_NAME = "改革报道档案"
SCHEMA_TYPES = {
    Article.Kind.NEWS: "NewsArticle",
    Article.Kind.FEATURE: "NewsArticle",
    Article.Kind.RESEARCH: "Report",
    Article.Kind.REPLY: "Report",
}


@dataclass
class PageMetadata:
    description: str
    highwire: list[tuple[str, str]] = field(default_factory=list)  # (name, content), in order
    opengraph: list[tuple[str, str]] = field(default_factory=list)  # (property, content)
    json_ld: SafeString = ""


def description(article: Article) -> str:
    """The report's first words, for search engines and link previews: the subtitle, else the
    opening paragraphs (a reply's salutation alone says nothing), cut at DESCRIPTION_LENGTH
    characters."""
    text = article.subtitle.strip()
    for section in article.sections.all() if not text else []:
        for paragraph in section.body.split("\n"):
            text = f"{text} {paragraph.strip()}".strip()
            if len(text) > DESCRIPTION_LENGTH:
                break
        if len(text) > DESCRIPTION_LENGTH:
            break
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_LENGTH else text[: DESCRIPTION_LENGTH - 1] + "…"


def highwire_tags(article: Article, *, pdf_url: str = "") -> list[tuple[str, str]]:
    kind = citation.work_type(article)
    tags = [("citation_title", citation.full_title(article))]
    tags += [("citation_author", name) for name in citation.creators(article)]
    parts = citation.date_parts(article)
    if parts:
        tags.append(("citation_publication_date", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))))
    source = citation.source_name(article)
    if source and kind == citation.NEWSPAPER:
        tags.append(("citation_journal_title", source))
    elif source:
        tags.append(("citation_publisher", source))
    if kind == citation.REPORT and source:
        tags.append(("citation_technical_report_institution", source))
    if article.doc_number:
        tags.append(("citation_technical_report_number", article.doc_number))
    if pdf_url:
        tags.append(("citation_pdf_url", pdf_url))
    tags.append(("citation_language", "zh"))
    return tags


def json_ld(article: Article, *, url: str, absolute) -> dict:
    kind = citation.work_type(article)
    is_person = kind != citation.DOCUMENT and any(
        a.role in citation.CITED_ROLES for a in article.authorships.all()
    )
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(article.kind, "CreativeWork"),
        "headline": article.title[:110],
        "name": article.title,
        "url": url,
        "inLanguage": "zh-CN",
        "genre": article.get_kind_display(),
    }
    if article.subtitle:
        data["alternativeHeadline"] = article.subtitle
    names = citation.creators(article)
    if names:
        data["author"] = [{"@type": "Person" if is_person else "Organization", "name": n} for n in names]
    # A document is published by the body that issues it; the source is its letterhead.
    units = citation.issuing_units(article) if kind == citation.DOCUMENT else []
    publisher = "、".join(units) or citation.source_name(article)
    if publisher:
        data["publisher"] = {"@type": "Organization", "name": publisher}
    if citation.date_parts(article):
        data["datePublished"] = format_date(article.date, article.date_precision, iso=True)
    if article.doc_number:
        data["identifier"] = article.doc_number
        if data["@type"] == "Report":
            data["reportNumber"] = article.doc_number
    if article.series_id:
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": article.series.name,
            "url": absolute(article.series.get_absolute_url()),
        }
        if article.series_order:
            data["position"] = article.series_order
    text = description(article)
    if text:
        data["description"] = text
    return data


def script_json(data) -> SafeString:
    """JSON that can stand inside <script>: the characters json_script escapes are escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def for_page(article: Article, *, url: str, absolute) -> PageMetadata:
    """Everything the article page's head carries; `article` as article_for_page reads it."""
    text = description(article)
    opengraph = [
        ("og:type", "article"),
        ("og:title", citation.full_title(article)),
        ("og:url", url),
        ("og:site_name", SITE_NAME),
        ("og:locale", "zh_CN"),
    ]
    if text:
        opengraph.append(("og:description", text))
    if citation.date_parts(article):
        opengraph.append(("article:published_time", format_date(article.date, article.date_precision, iso=True)))
    opengraph += [("article:author", name) for name in citation.creators(article)]
    opengraph.append(("article:section", article.get_kind_display()))
    return PageMetadata(
        description=text,
        highwire=highwire_tags(article),
        opengraph=opengraph,
        json_ld=script_json(json_ld(article, url=url, absolute=absolute)),
    )
