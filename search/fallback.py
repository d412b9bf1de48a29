"""Search without the index: when the index is missing or unreadable, every published section is
matched exactly by scanning its text, so readers still get complete, correct results (slower,
with a notice) until `rebuild_index` mends the index."""

import logging

from archive.models import Article, Section, published_q
from search.documents import archive_texts, key_matches
from search.indexing import article_text, document_canon
from search.live import LiveIndex
from search.ranking import SYNONYM_WEIGHT
from search.synonyms import term_groups
from search.tokens import UNIT_END, canonical

logger = logging.getLogger(__name__)
NOTICE = "检索索引暂不可用，正在逐段精确检索（较慢）。管理员运行 rebuild_index 后即可恢复。"


class ScanIndex:
    """The canonical text of every published section, computed from the archive itself."""

    def __init__(self):
        self.canon: dict[int, str] = {}
        self.titles: dict[int, str] = {}
        self.article_of: dict[int, int] = {}
        rows = Section.objects.filter(published_q("article")).values_list("pk", "article_id", "heading", "body", "article__title")
        for sid, aid, heading, body, title in rows.iterator(chunk_size=2000):
            self.canon[sid] = document_canon(article_text(Article(title=title)), heading, body)
            self.article_of[sid] = aid
        # what is printed once per report (bylines, captions…), read from the archive too
        self.articles = archive_texts(set(self.article_of.values()))

    def sections_with(self, text: str) -> set[int]:
        return self.sections_with_key(canonical(text))

    def sections_with_key(self, key: str) -> set[int]:
        """The sections that have the term (search.documents.leaf_key: a field term too)."""
        articles = self.articles
        return {sid for sid, canon in self.canon.items() if key_matches(key, canon, articles.get(self.article_of[sid]))}

    def scores(self, terms, section_ids) -> dict[int, float]:
        """A plain relevance for the slow path: occurrences of each term, more in the title; the
        best form of each term counts, another form of its group less (search.ranking)."""
        groups = term_groups(terms, SYNONYM_WEIGHT)
        result = {}
        for sid in section_ids:
            title, _, rest = self.canon[sid].partition("\x02")
            best: dict[int, float] = {}
            for term, (group, share, _) in zip(terms, groups):
                key = canonical(term.text)
                found = 4.0 * (UNIT_END + title).count(UNIT_END + key) + (UNIT_END + rest).count(UNIT_END + key)
                best[group] = max(best.get(group, 0.0), found * share)
            result[sid] = round(sum(best.values()), 6)
        return result


def scan_live_index() -> LiveIndex:
    index = LiveIndex(cache_leaves=False, sections_from_archive=True)
    index.load_all()
    return index
