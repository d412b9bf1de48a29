"""A reference to an archived report in GB/T 7714-2015 (信息与文献 参考文献著录规则) form, and the
facts every machine-readable copy of the reference shares (the page's citation_* tags and JSON-LD
in archive/reading/metadata.py, the RIS, BibTeX, EndNote and CSL-JSON files in
archive/reading/references.py), so that all of them name the same work the same way.

Every reader of the archive reads the report here, on the web, so every entry is cited as an
online copy: the type code carries /OL, the entry ends with the 引用日期 in square brackets and the
archive URL as 获取和访问路径 (GB/T 7714-2015, 4.1–4.7, 8.8). The type follows the report's kind
and source (work_type):

- a report printed in a newspaper (news, feature, commentary, interview, editor's note from a
  source of kind 报纸, or whose source is not known) is a newspaper article, [N/OL] (4.4):
      作者. 题名[N/OL]. 报纸名, 出版日期(版次)[引用日期]. URL.
- a research report is [R/OL] (4.1):
      作者. 题名[R/OL]. 出版地: 出版者, 出版年[引用日期]. URL.
- a reply to a deputy's suggestion or another government document is an archival document,
  [A/OL], with its document number as other title information, the form commonly used for 公文:
      发文单位. 题名: 文号[A/OL]. (发文日期)[引用日期]. URL.
- anything else is [Z/OL] (其他), in the 4.1 form.

What the archive does not know is never invented, and is written as the standard says:
- no place: [出版地不详]; no publisher: [出版者不详] (8.4.3, 8.4.4), for the 4.1 forms;
- no newspaper name: the name is left out (8.4.3–8.4.4 let an online resource leave out what it
  does not carry; the standard has no placeholder for a newspaper's name);
- no date: the date is left out (8.4.5 allows only an estimated year in brackets, and the
  archive estimates nothing); a date the editors inferred (Article.date_inferred) is bracketed,
  [2026], as an estimated year is;
- a date known only to the year or the month is given only that precisely (2024, 2024-11); the
  4.1 forms give the year alone (出版年).

Names: up to three, then ", 等" (8.1.2). A reply or government document is the issuing body's
(its 发文单位, a department in the author role): the staff named on it handled it, they did not
author it. Otherwise reporters, correspondents and authors count, photographers do not; with no
person named, the issuing unit is the responsible party; with neither, the entry starts at the
title (8.1.3 lets an anonymous work start with its title). Chinese names are written whole.

The subtitle is other title information (其他题名信息, 8.2): 题名: 副题名.
"""

import datetime
import re

from archive.models import Article, ArticleDepartment, Authorship, Source, format_date

UNKNOWN_SOURCE_NAMES = {"未署出处", "出处不详", ""}
NEWSPAPER_KINDS = {
    Article.Kind.NEWS,
    Article.Kind.FEATURE,
    Article.Kind.COMMENTARY,
    Article.Kind.INTERVIEW,
    Article.Kind.EDITOR_NOTE,
}
DOCUMENT_KINDS = {Article.Kind.REPLY, Article.Kind.DOCUMENT}
CITED_ROLES = {Authorship.Role.AUTHOR, Authorship.Role.REPORTER, Authorship.Role.CORRESPONDENT}

NEWSPAPER, REPORT, DOCUMENT, OTHER = "newspaper", "report", "document", "other"
TYPE_CODES = {NEWSPAPER: "N", REPORT: "R", DOCUMENT: "A", OTHER: "Z"}
UNKNOWN_PLACE = "[出版地不详]"
UNKNOWN_PUBLISHER = "[出版者不详]"


def source_name(article: Article) -> str:
    """The name of the report's source, empty when the archive does not know it."""
    source = article.source
    if source is None or source.name.strip() in UNKNOWN_SOURCE_NAMES:
        return ""
    return source.name


def work_type(article: Article) -> str:
    if article.kind in DOCUMENT_KINDS:
        return DOCUMENT
    if article.kind == Article.Kind.RESEARCH:
        return REPORT
    if article.kind in NEWSPAPER_KINDS and (not source_name(article) or article.source.kind == Source.Kind.NEWSPAPER):
        return NEWSPAPER
    return OTHER


def issuing_units(article: Article) -> list[str]:
    return [r.department.name for r in article.department_roles.all() if r.role == ArticleDepartment.Role.AUTHOR]


def creators(article: Article) -> list[str]:
    """Everyone responsible for the work, in order (not cut to three): the issuing units of a
    document; else the byline's persons; else the issuing units. The article's authorships (with
    person) and department_roles (with department) are expected to be prefetched."""
    if work_type(article) == DOCUMENT:
        return issuing_units(article)
    people = [a.person.name for a in article.authorships.all() if a.role in CITED_ROLES]
    return people or issuing_units(article)


def full_title(article: Article) -> str:
    """The title with its subtitle as other title information: 题名: 副题名."""
    subtitle = article.subtitle.strip().lstrip("—－-").strip()
    return f"{article.title}: {subtitle}" if subtitle else article.title


def date_parts(article: Article) -> list[int]:
    """[2024], [2024, 11] or [2024, 11, 5]: the date as precisely as it is known; [] when unknown."""
    if article.date is None or article.date_precision == Article.DatePrecision.UNKNOWN:
        return []
    parts = [article.date.year, article.date.month, article.date.day]
    return parts[: {"year": 1, "month": 2}.get(article.date_precision, 3)]


def date_inferred(article: Article) -> bool:
    return bool(getattr(article, "date_inferred", False)) and bool(date_parts(article))


def newspaper_page(article: Article) -> str:
    """The 版次 as the standard writes it, 2 for “第2版”; as recorded when it is not of that form."""
    page = (getattr(article, "page", "") or "").strip()
    match = re.fullmatch(r"第?\s*(\w+?)\s*版", page)
    return match.group(1) if match else page


def gbt7714(article: Article, *, url: str, accessed: datetime.date) -> str:
    """The reference for an article whose authorships (with person) and department_roles (with
    department) are prefetched, as one line of plain text."""
    names = creators(article)
    lead = ", ".join(names[:3]) + (", 等" if len(names) > 3 else "")
    lead = f"{lead}. " if lead else ""
    kind = work_type(article)
    accessed_text = f"[{accessed.isoformat()}]"
    code = f"[{TYPE_CODES[kind]}/OL]"
    title = full_title(article)
    date = _bracketed(article, format_date(article.date, article.date_precision, iso=True, unknown=""))

    if kind == DOCUMENT:
        numbered = f"{title}: {article.doc_number}" if article.doc_number else title
        dated = f"({date})" if date else ""
        return f"{lead}{numbered}{code}. {dated}{accessed_text}. {url}."
    if kind == NEWSPAPER:
        page = newspaper_page(article)
        where = ", ".join(part for part in (source_name(article), date) if part) + (f"({page})" if page else "")
        return f"{lead}{title}{code}. {where}{accessed_text}. {url}."
    year = _bracketed(article, str(article.date.year)) if date_parts(article) else ""
    imprint = f"{UNKNOWN_PLACE}: {source_name(article) or UNKNOWN_PUBLISHER}" + (f", {year}" if year else "")
    return f"{lead}{title}{code}. {imprint}{accessed_text}. {url}."


def _bracketed(article: Article, date: str) -> str:
    return f"[{date}]" if date and date_inferred(article) else date
