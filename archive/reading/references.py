"""Reference-manager files of one report or of a whole list (all of a list's or a search's
results, as the CSV export gives them): RIS, BibTeX, EndNote tagged (.enw) and CSL-JSON, for
Zotero, EndNote, NoteExpress, JabRef and citeproc.

Every format names the work as the page's citation does (archive/reading/citation.py): the same
type, title (with the subtitle as other title information), responsible parties, date and source.

- Types: a newspaper article (RIS NEWS, EndNote Newspaper Article, BibTeX @article with
  entrysubtype newspaper, CSL article-newspaper); a research report (RPRT, Report, @techreport,
  report); a reply to a deputy or government document (GOVDOC, Government Document, @misc with
  its type, and in CSL, which has no government-document type, personal_communication for a
  reply — an official letter — and legislation for a document: both are the archival [A] of
  GB/T 7714); anything else generic (GEN, Generic, @misc, CSL document).
- Chinese names are kept whole: CSL {"literal": "张三"}, BibTeX {{张三}} (braced, so no program
  splits it into family and given name), RIS and EndNote one name a line, as written. A unit
  named as author is written the same way.
- Dates at their precision: CSL date-parts [[2024]] / [[2024, 11]] / [[2024, 11, 5]], RIS DA
  2024 / 2024/11 / 2024/11/05, BibTeX date = {2024-11} with year and month, EndNote %D year and %8
  the date. A date the editors inferred is marked: CSL "circa", BibTeX date = {2024~} (EDTF, as
  biblatex reads it), a note in RIS (N1) and EndNote (%Z).
- Nothing is invented: a field the archive does not know is left out (no [出版者不详] in the data).
"""

import datetime
import json
from urllib.parse import quote

from django.http import HttpResponse

from archive.models import Article, format_date
from archive.reading import citation

FORMATS = ("ris", "bib", "enw", "csl.json")
LABELS = {"ris": "RIS", "bib": "BibTeX", "enw": "EndNote", "csl.json": "CSL-JSON"}
CONTENT_TYPES = {
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "enw": "application/x-endnote-refer; charset=utf-8",
    "csl.json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
ARCHIVE_NAME = "改革报道档案"
INFERRED_NOTE = "日期系推定：原件未印日期，由正文或所在网页推定"

RIS_TYPES = {citation.NEWSPAPER: "NEWS", citation.REPORT: "RPRT", citation.DOCUMENT: "GOVDOC", citation.OTHER: "GEN"}
ENDNOTE_TYPES = {
    citation.NEWSPAPER: "Newspaper Article",
    citation.REPORT: "Report",
    citation.DOCUMENT: "Government Document",
    citation.OTHER: "Generic",
}
BIBTEX_TYPES = {citation.NEWSPAPER: "article", citation.REPORT: "techreport", citation.DOCUMENT: "misc", citation.OTHER: "misc"}


def csl_type(article: Article) -> str:
    kind = citation.work_type(article)
    if kind == citation.DOCUMENT:
        return "personal_communication" if article.kind == Article.Kind.REPLY else "legislation"
    return {citation.NEWSPAPER: "article-newspaper", citation.REPORT: "report"}.get(kind, "document")


def csl_item(article: Article, *, url: str, accessed: datetime.date) -> dict:
    """The article as one CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    kind = citation.work_type(article)
    item = {"id": article.slug, "type": csl_type(article), "title": citation.full_title(article)}
    names = citation.creators(article)
    if names:
        item["author"] = [{"literal": name} for name in names]
    parts = citation.date_parts(article)
    if parts:
        item["issued"] = {"date-parts": [parts]}
        if citation.date_inferred(article):
            item["issued"]["circa"] = True
    source = citation.source_name(article)
    if kind == citation.NEWSPAPER:
        if source:
            item["container-title"] = source
        if citation.newspaper_page(article):
            item["page"] = citation.newspaper_page(article)
    elif kind in (citation.REPORT, citation.OTHER) and source:
        item["publisher"] = source
    if kind == citation.DOCUMENT and article.doc_number:
        item["number"] = article.doc_number
    if article.series_id:
        item["collection-title"] = article.series.name
        if article.series_order:
            item["collection-number"] = article.series_order
    item["genre"] = article.get_kind_display()
    item["language"] = "zh"
    item["URL"] = url
    item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return item


def write_csl_json(articles, absolute, accessed) -> str:
    items = [csl_item(a, url=absolute(a.get_absolute_url()), accessed=accessed) for a in articles]
    text = json.dumps(items, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _one_line(value) -> str:
    return " ".join(str(value).split())


def write_ris(articles, absolute, accessed) -> str:
    """RIS (https://en.wikipedia.org/wiki/RIS_(file_format)): tag, two spaces, hyphen, space."""
    lines = []
    for article in articles:
        kind = citation.work_type(article)
        tags = [("TY", RIS_TYPES[kind]), ("TI", citation.full_title(article))]
        tags += [("AU", name) for name in citation.creators(article)]
        parts = citation.date_parts(article)
        if parts:
            tags.append(("PY", str(parts[0])))
            tags.append(("DA", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))))
        source = citation.source_name(article)
        if kind == citation.NEWSPAPER:
            if source:
                tags.append(("T2", source))
            if citation.newspaper_page(article):
                tags.append(("SP", citation.newspaper_page(article)))
        elif source:
            tags.append(("PB", source))
        if article.doc_number:
            tags.append(("M1", article.doc_number))
        if article.series_id:
            tags.append(("T3", article.series.name))
        if citation.date_inferred(article):
            tags.append(("N1", INFERRED_NOTE))
        tags += [
            ("M3", article.get_kind_display()),
            ("LA", "zh"),
            ("UR", absolute(article.get_absolute_url())),
            ("Y2", accessed.strftime("%Y/%m/%d")),
            ("DB", ARCHIVE_NAME),
        ]
        lines += [f"{tag}  - {_one_line(value)}" for tag, value in tags if _one_line(value)]
        lines += ["ER  - ", ""]
    return "\r\n".join(lines)


def write_endnote(articles, absolute, accessed) -> str:
    """EndNote's tagged import format (.enw): %0 the type, then one tag a line; a blank line
    between records."""
    records = []
    for article in articles:
        kind = citation.work_type(article)
        tags = [("%0", ENDNOTE_TYPES[kind]), ("%T", citation.full_title(article))]
        tags += [("%A", name) for name in citation.creators(article)]
        parts = citation.date_parts(article)
        if parts:
            tags.append(("%D", str(parts[0])))
            tags.append(("%8", format_date(article.date, article.date_precision, iso=True, unknown="")))
        source = citation.source_name(article)
        if kind == citation.NEWSPAPER:
            if source:
                tags.append(("%B", source))
            if citation.newspaper_page(article):
                tags.append(("%P", citation.newspaper_page(article)))
        elif source:
            tags.append(("%I", source))
        if article.doc_number:
            tags.append(("%N", article.doc_number))
        if article.series_id:
            tags.append(("%S", article.series.name))
        if citation.date_inferred(article):
            tags.append(("%Z", INFERRED_NOTE))
        tags += [
            ("%9", article.get_kind_display()),
            ("%G", "中文"),
            ("%U", absolute(article.get_absolute_url())),
            ("%[", accessed.isoformat()),
            ("%~", ARCHIVE_NAME),
        ]
        records.append("\n".join(f"{tag} {_one_line(value)}" for tag, value in tags if _one_line(value)))
    return "\n\n".join(records) + "\n"


BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(value) -> str:
    return "".join(BIBTEX_SPECIAL.get(ch, ch) for ch in _one_line(value))


def write_bibtex(articles, absolute, accessed) -> str:
    """BibTeX, with the biblatex fields (date, urldate, entrysubtype, langid) beside the classic
    ones (year, month), so that both bibtex styles and biblatex-gb7714-2015 read it."""
    entries = []
    for article in articles:
        kind = citation.work_type(article)
        fields = [("title", bibtex_escape(citation.full_title(article)))]
        names = citation.creators(article)
        if names:
            fields.append(("author", " and ".join("{" + bibtex_escape(name) + "}" for name in names)))
        parts = citation.date_parts(article)
        if parts:
            # biblatex reads the EDTF mark ~ as circa: 2025~ is an inferred 2025.
            approximate = "~" if citation.date_inferred(article) else ""
            fields.append(("date", format_date(article.date, article.date_precision, iso=True, unknown="") + approximate))
            fields.append(("year", str(parts[0])))
            if len(parts) > 1:
                fields.append(("month", str(parts[1])))
        source = citation.source_name(article)
        if kind == citation.NEWSPAPER:
            fields.append(("entrysubtype", "newspaper"))
            if source:
                fields.append(("journal", bibtex_escape(source)))
            if citation.newspaper_page(article):
                fields.append(("pages", bibtex_escape(citation.newspaper_page(article))))
        elif kind == citation.REPORT:
            if source:
                fields.append(("institution", bibtex_escape(source)))
            fields.append(("type", article.get_kind_display()))
        else:
            if source:
                fields.append(("publisher", bibtex_escape(source)))
            fields.append(("type", article.get_kind_display()))
        if article.doc_number:
            fields.append(("number", bibtex_escape(article.doc_number)))
        if article.series_id:
            fields.append(("series", bibtex_escape(article.series.name)))
        fields += [
            ("langid", "chinese"),
            ("url", absolute(article.get_absolute_url())),
            ("urldate", accessed.isoformat()),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{BIBTEX_TYPES[kind]}{{{bibtex_key(article)},\n{body}\n}}\n")
    return "\n".join(entries)


def bibtex_key(article: Article) -> str:
    key = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_:.") else "-" for ch in article.slug)
    return key or f"report-{article.pk}"


WRITERS = {"ris": write_ris, "bib": write_bibtex, "enw": write_endnote, "csl.json": write_csl_json}


def references_response(fmt: str, articles, *, absolute, file_stem: str, accessed: datetime.date) -> HttpResponse:
    """The download of `articles` (prefetched with with_relations or with_page_relations) in one
    of FORMATS."""
    text = WRITERS[fmt](articles, absolute, accessed)
    response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
    filename = f"{file_stem}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return response
