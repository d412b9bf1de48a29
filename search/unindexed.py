"""Matching texts that are not in the index (drafts) by the index's own rule.

Readers never find drafts, so the index does not hold them; the admin's search box must still
find them, with the same yes/no answer the index would give: the same parser, the same
canonical text (indexing.document_canon) and the same exact-match rule (matching.matches_canon).
"""

from archive.models import Article, Section
from search.indexing import article_text, document_canon
from search.matching import matches_canon


def section_matches(tree, section: Section, article: Article) -> bool:
    """Whether the query tree matches the section as the index would hold it."""
    return matches_canon(tree, document_canon(article_text(article), section.heading, section.body))


def matching_articles(tree, articles) -> set[int]:
    """Ids of the articles (a queryset) with a section the query tree matches; an article
    without sections is matched on its title alone."""
    ids = set()
    for article in articles.prefetch_related("sections"):
        sections = list(article.sections.all()) or [Section(heading="", body="")]
        if any(section_matches(tree, section, article) for section in sections):
            ids.add(article.pk)
    return ids


def matching_sections(tree, sections) -> set[int]:
    """Ids of the sections (a queryset) that the query tree matches."""
    return {
        section.pk
        for section in sections.select_related("article").iterator(chunk_size=500)
        if section_matches(tree, section, section.article)
    }
