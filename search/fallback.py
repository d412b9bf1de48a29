"""Search without the index: when the index is missing or unreadable, every published section is
matched exactly by scanning its text, so readers still get complete, correct results (slower,
with a notice) until `rebuild_index` mends the index."""

import logging

from archive.models import Article, Section
from search.indexing import article_text, document_canon
from search.live import LiveIndex
from search.tokens import UNIT_END, canonical

logger = logging.getLogger(__name__)
NOTICE = "检索索引暂不可用，正在逐段精确检索（较慢）。管理员运行 rebuild_index 后即可恢复。"


class ScanIndex:
    """The canonical text of every published section, computed from the archive itself."""

    def __init__(self):
        self.canon: dict[int, str] = {}
        self.titles: dict[int, str] = {}
        rows = Section.objects.filter(article__status=Article.Status.PUBLISHED).values_list(
            "pk", "heading", "body", "article__title", "article__subtitle", "article__doc_number"
        )
        for sid, heading, body, title, subtitle, doc_number in rows.iterator(chunk_size=2000):
            text = article_text(Article(title=title, subtitle=subtitle, doc_number=doc_number))
            self.canon[sid] = document_canon(text, heading, body)

    def sections_with(self, text: str) -> set[int]:
        key = UNIT_END + canonical(text)
        return {sid for sid, canon in self.canon.items() if key in UNIT_END + canon}

    def scores(self, terms, section_ids) -> dict[int, float]:
        """A plain relevance for the slow path: occurrences of each term, more in the title."""
        result = {}
        for sid in section_ids:
            title, _, rest = self.canon[sid].partition("\x02")
            score = 0.0
            for term in terms:
                key = canonical(term.text)
                score += 4.0 * (UNIT_END + title).count(UNIT_END + key) + (UNIT_END + rest).count(UNIT_END + key)
            result[sid] = round(score, 6)
        return result


def scan_live_index() -> LiveIndex:
    index = LiveIndex(cache_leaves=False, sections_from_archive=True)
    index.load_all()
    return index
