"""Matching texts that are not in the index (drafts) by the index's own rule.

Readers never find drafts, so the index does not hold them; the admin's search box must still
find them, with the same yes/no answer the index would give: the same parser, the same
canonical text (indexing.document_canon, and the printed texts of search.documents) and the
same exact-match rule (matching.matches_canon).
"""

from archive.models import Article, Section
from search.documents import ArticleTexts, archive_texts
from search.indexing import article_text, document_canon
from search.matching import matches_canon


def section_matches(tree, section: Section, article: Article, printed: ArticleTexts | None = None) -> bool:
    """Whether the query tree matches the section as the index would hold it (printed: the
    report's bylines, captions… as search.documents.archive_texts reads them)."""
    if printed is None:
        printed = archive_texts([article.pk]).get(article.pk)
    return matches_canon(tree, document_canon(article_text(article), section.heading, section.body), article=printed)


def matching_articles(tree, articles) -> set[int]:
    """Ids of the articles (a queryset) with a section the query tree matches; an article
    without sections is matched on its title and printed texts alone."""
    ids = set()
    articles = list(articles.prefetch_related("sections"))
    printed = archive_texts([a.pk for a in articles])
    for article in articles:
        sections = list(article.sections.all()) or [Section(heading="", body="")]
        if any(section_matches(tree, section, article, printed.get(article.pk)) for section in sections):
            ids.add(article.pk)
    return ids


def matching_sections(tree, sections) -> set[int]:
    """Ids of the sections (a queryset) that the query tree matches."""
    sections = list(sections.select_related("article"))
    printed = archive_texts({s.article_id for s in sections})
    return {
        section.pk
        for section in sections
        if section_matches(tree, section, section.article, printed.get(section.article_id))
    }
