"""What a section is matched against: its own document (SearchDocument.canon: the report's title,
the section's heading and body) and its report's (ArticleDocument: subtitle, 文号, bylines,
departments, captions, series, source, printed once per report; and every name and alias of the
departments and initiatives the report is filed under, so a catalog name finds its reports).

A plain term occurs in a section when it occurs in either (never across the two: they are apart
as if by punctuation). A field term (title:, author:, dept:, docno:, caption:) occurs in every
section of a report whose field has it. Every place that decides a match on the text — the
matcher's candidates, the live index and the shared cache re-checking edited sections, the
remembered searches, the drafts in the admin, the scan when the index is unavailable — decides
it here, so they all agree.

A term's cache key is its canonical form (search.tokens.canonical), prefixed for a field term by
the field's name and FIELD_MARK, which no canonical form contains.
"""

from dataclasses import dataclass

from archive.models import Article, ArticleDepartment, Authorship, Caption, Department, Initiative, Mention
from search.normalize import normalize
from search.tokens import BREAK_MARK, canonical_of, contains, units

# SearchDocument's columns as the index's writers read and write them, in this order
DOCUMENT_COLUMNS = ("section_id", "article_id", "canon", "title_words", "init_words", "heading_words", "body_words")

# ArticleDocument.<field>_words: which printed parts (printed_parts, below) each holds
ARTICLE_WORD_PARTS = {
    "subtitle": "subtitle", "docno": "docno", "author": "author", "dept": "dept", "caption": "caption",
    "series": "series", "source": "source",
}

FIELD_MARK = "\x03"
# The fields a term can be limited to, with their labels for readers (help, the advanced form).
FIELDS = {"title": "标题", "author": "作者", "dept": "发文机关/部门", "docno": "文号", "caption": "图片说明"}


@dataclass(frozen=True)
class ArticleTexts:
    """A report's printed texts in canonical form (ArticleDocument's *canon columns)."""

    canon: str = ""  # everything printed once: what a plain term is looked for in
    title: str = ""
    author: str = ""
    dept: str = ""
    docno: str = ""
    caption: str = ""


NO_TEXTS = ArticleTexts()


def canon_of_parts(parts) -> str:
    """Texts as one canonical string, each apart from the next as if by punctuation."""
    return BREAK_MARK.join(c for c in (canonical_of(units(normalize(part))) for part in parts if part) if c)


def leaf_key(canon: str, field: str | None = None) -> str:
    return f"{field}{FIELD_MARK}{canon}" if field else canon


def split_key(key: str) -> tuple[str | None, str]:
    field, mark, canon = key.rpartition(FIELD_MARK)
    return (field, canon) if mark else (None, key)


def key_matches(key: str, section_canon: str, article: ArticleTexts | None) -> bool:
    """Whether a section (its own canonical text, and its report's texts) has the term."""
    field, canon = split_key(key)
    article = article or NO_TEXTS
    if field is not None:
        return contains(getattr(article, field, ""), canon)
    return contains(section_canon, canon) or contains(article.canon, canon)


def indexed_articles_with(key: str, among=None) -> set[int]:
    """Ids of the reports (of `among`, when given) whose ArticleDocument has the term (in the
    term's field, or anywhere printed once per report for a plain term). The table holds one short
    row per published report: a LIKE over it is a few milliseconds at 20,000 reports."""
    from search.models import ArticleDocument

    field, canon = split_key(key)
    column = f"{field}_canon" if field else "canon"
    if field is not None and field not in FIELDS or not canon:
        return set()
    rows = ArticleDocument.objects.filter(**{f"{column}__contains": canon})
    if among is not None:
        rows = rows.filter(article_id__in=among)
    if not canon[0].isascii():
        # The term starts with a unit of one character, which the text holds only as a whole
        # unit: LIKE's answer is the exact one.
        return set(rows.values_list("article_id", flat=True))
    return {aid for aid, text in rows.values_list("article_id", column) if contains(text, canon)}


def indexed_sections_with(key: str, among=None) -> set[int]:
    """Ids of the sections (of the reports `among`, when given) whose own canonical text
    (SearchDocument.canon) has the term (a plain term's key)."""
    from search.models import SearchDocument

    if not key:
        return set()
    rows = SearchDocument.objects.filter(canon__contains=key)
    if among is not None:
        rows = rows.filter(article_id__in=among)
    return {sid for sid, text in rows.values_list("section_id", "canon").iterator(chunk_size=2000) if contains(text, key)}


def indexed_texts(article_ids) -> dict[int, ArticleTexts]:
    from search.models import ArticleDocument

    rows = ArticleDocument.objects.filter(article_id__in=list(article_ids)).values_list(
        "article_id", "canon", "title_canon", "author_canon", "dept_canon", "docno_canon", "caption_canon"
    )
    return {aid: ArticleTexts(*texts) for aid, *texts in rows}


def sections_matching(keys, section_ids) -> dict[str, set[int]]:
    """For each key, which of these indexed sections have the term now: what a cached term's
    sections are brought up to date with after an edit (search.live, search.shared)."""
    from search.models import SearchDocument

    rows = list(SearchDocument.objects.filter(pk__in=list(section_ids)).values_list("section_id", "article_id", "canon"))
    articles = indexed_texts({aid for _, aid, _ in rows})
    return {key: {sid for sid, aid, canon in rows if key_matches(key, canon, articles.get(aid))} for key in keys}


# -- the printed texts of reports, read from the archive ---------------------------------------


def printed_parts(article_ids) -> dict[int, dict[str, list[str]]]:
    """Each report's printed texts by field, as the article page shows them: title, subtitle,
    文号, bylines (each name and each position), departments (as printed, and every name and alias
    for dept:), captions, series, source; and the catalog entries it is filed under by every name
    and alias: its departments' (dept_names) and the initiatives its sections mention
    (initiatives), so that any name of an entry finds the reports linked to it, whether or not the
    text prints that name (盘活三资, an alias of 三资盘活, on reports that print “三资”盘活)."""
    article_ids = list(article_ids)
    parts: dict[int, dict[str, list[str]]] = {}
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        for aid, title, subtitle, docno, series, source in Article.objects.filter(pk__in=chunk).values_list(
            "pk", "title", "subtitle", "doc_number", "series__name", "source__name"
        ):
            parts[aid] = {
                "title": [title], "subtitle": [subtitle], "docno": [docno], "author": [], "dept": [],
                "dept_names": [], "caption": [], "series": [series or ""], "source": [source or ""],
                "initiatives": [],
            }
        bylines = Authorship.objects.filter(article_id__in=chunk).order_by("article_id", "order", "pk")
        for aid, name, position in bylines.values_list("article_id", "person__name", "position"):
            parts[aid]["author"] += [name, position]
        roles = ArticleDepartment.objects.filter(article_id__in=chunk).order_by("article_id", "role", "department__name")
        roles = list(roles.values_list("article_id", "department_id", "department__name"))
        names = {d.pk: d.names for d in Department.objects.filter(pk__in={did for _, did, _ in roles})}
        for aid, did, name in roles:
            if name not in parts[aid]["dept"]:
                parts[aid]["dept"].append(name)
            parts[aid]["dept_names"] += [n for n in names[did] if n not in parts[aid]["dept_names"]]
        for aid, text in Caption.objects.filter(article_id__in=chunk).order_by("article_id", "order", "pk").values_list(
            "article_id", "text"
        ):
            parts[aid]["caption"].append(text)
        mentioned = Mention.objects.filter(section__article_id__in=chunk).values_list("section__article_id", "initiative_id")
        mentioned = sorted(set(mentioned))
        initiatives = {i.pk: i for i in Initiative.objects.filter(pk__in={iid for _, iid in mentioned})}
        for aid, iid in sorted(mentioned, key=lambda row: (row[0], initiatives[row[1]].name)):
            parts[aid]["initiatives"] += [n for n in initiatives[iid].names if n not in parts[aid]["initiatives"]]
    return parts


def texts_of_parts(parts: dict[str, list[str]]) -> ArticleTexts:
    """The canonical texts of a report's printed parts (printed_parts)."""
    # Departments by every name and alias (the printed name is the first); initiatives likewise.
    printed = [*parts["subtitle"], *parts["docno"], *parts["author"], *parts["dept_names"], *parts["caption"],
               *parts["series"], *parts["source"], *parts["initiatives"]]
    return ArticleTexts(
        canon=canon_of_parts(printed),
        title=canon_of_parts(parts["title"] + parts["subtitle"]),
        author=canon_of_parts(parts["author"]),
        dept=canon_of_parts(parts["dept_names"]),
        docno=canon_of_parts(parts["docno"]),
        caption=canon_of_parts(parts["caption"]),
    )


def archive_texts(article_ids) -> dict[int, ArticleTexts]:
    """The canonical texts of these reports read from the archive itself, not the index: for
    drafts, which the index does not hold, and for the scan when the index cannot be read."""
    return {aid: texts_of_parts(parts) for aid, parts in printed_parts(article_ids).items()}
