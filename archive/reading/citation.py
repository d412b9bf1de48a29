"""A reference to an archived report in GB/T 7714-2015 (信息与文献 参考文献著录规则) form.

Every reader of the archive reads the report here, on the web, so every entry is cited as an
electronic resource: the type code carries /OL, the entry ends with the 引用日期 in square
brackets and the archive URL as 获取和访问路径 (GB/T 7714-2015, 4.1–4.7, 8.8). The type follows
the report's kind and source:

- a report printed in a newspaper (news, feature, commentary, interview, editor's note from a
  source of kind 报纸) is a newspaper article, [N/OL]:
      作者. 题名[N/OL]. 报纸名, 出版日期[引用日期]. URL.
  (the archive does not record the page (版次), so it is left out);
- a research report is [R/OL]:
      作者. 题名[R/OL]. 出版地: 出版者, 出版年[引用日期]. URL.
- an official reply or government document is an archival document, [A/OL], with its document
  number as other title information, the form commonly used for 公文:
      责任者. 题名: 文号[A/OL]. (发文日期)[引用日期]. URL.
- anything else is [Z/OL] (其他).

What the archive does not know is never invented. GB/T 7714-2015 (8.4.3, 8.4.4) writes a missing
place or publisher as [出版地不详] / [出版者不详], information supplied by the cataloguer in square
brackets; a report whose source is unknown (the corpus records it as 未署出处) is cited the same
way, with [出处不详] where the newspaper's name would stand. A date known only to the year or the
month is given only that precisely (2024, 2024-11); an undated report has [出版日期不详].

Names: up to three persons, then ", 等" (8.1.2); reporters, correspondents and authors count,
photographers do not; with no person named, the issuing unit (a department in the author role)
is the responsible party; with neither, the entry starts at the title (8.1.3 lets an anonymous
work start with its title).
"""

import datetime

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


def gbt7714(article: Article, *, url: str, accessed: datetime.date) -> str:
    """The reference for an article whose authorships (with person) and department_roles (with
    department) are prefetched, as one line of plain text."""
    responsible = _responsible(article)
    lead = f"{responsible}. " if responsible else ""
    title = article.title
    date = format_date(article.date, article.date_precision, iso=True, unknown="[出版日期不详]")
    accessed_text = f"[{accessed.isoformat()}]"
    source = article.source
    source_known = source is not None and source.name.strip() not in UNKNOWN_SOURCE_NAMES

    if article.kind in DOCUMENT_KINDS:
        numbered = f"{title}: {article.doc_number}" if article.doc_number else title
        dated = f"({date})" if article.date else date
        return f"{lead}{numbered}[A/OL]. {dated}{accessed_text}. {url}."
    if article.kind == Article.Kind.RESEARCH:
        publisher = source.name if source_known else "[出版者不详]"
        return f"{lead}{title}[R/OL]. [出版地不详]: {publisher}, {date}{accessed_text}. {url}."
    if article.kind in NEWSPAPER_KINDS and (not source_known or source.kind == Source.Kind.NEWSPAPER):
        paper = source.name if source_known else "[出处不详]"
        return f"{lead}{title}[N/OL]. {paper}, {date}{accessed_text}. {url}."
    where = f"{source.name}, " if source_known else "[出处不详], "
    return f"{lead}{title}[Z/OL]. {where}{date}{accessed_text}. {url}."


def _responsible(article: Article) -> str:
    people = [a.person.name for a in article.authorships.all() if a.role in CITED_ROLES]
    if people:
        return ", ".join(people[:3]) + (", 等" if len(people) > 3 else "")
    units = [r.department.name for r in article.department_roles.all() if r.role == ArticleDepartment.Role.AUTHOR]
    return ", ".join(units[:3]) + (", 等" if len(units) > 3 else "")
