"""Which sections a query tree matches, exactly: the backend proposes candidates from the
character channel (search.tokens), and the normalised text decides where the index cannot. The
texts printed once per report (bylines, captions…) are matched for all of its sections
(search.documents). With settings.SEARCH_ENGINE "tantivy", the node's tantivy index proposes and
decides instead of the gram tables and ArticleDocument (search.tantivy_index), where it can answer."""

import logging

from search import shared, tantivy_index
from search.documents import indexed_articles_with, key_matches, leaf_key
from search.models import SearchDocument
from search.query import And, Field, Not, Or, Phrase, PlainText
from search.segmentation import words as segment_words
from search.tokens import canonical, contains, gram_stream, units

logger = logging.getLogger(__name__)


class Matcher:
    """Evaluates a query tree to a set of section ids, exactly."""

    def __init__(self, backend, live, by_words: bool = False, scan=None):
        self.backend = backend
        self.live = live
        self.by_words = by_words  # PlainText as all of its words rather than the literal term
        self.scan = scan  # a fallback.ScanIndex: match by reading every section, not the index
        # the node's tantivy index, synced with the change log, when it is to match and can
        self.tantivy = tantivy_index.for_matching(live) if scan is None else None

    def leaf(self, text: str, field: str | None = None) -> set[int]:
        """The sections that have the term (in one field of their report, for a field term)."""
        present = [u for u in units(text) if u is not None]
        if not present:
            return set()
        key = leaf_key(canonical(text), field)
        cached = self.live.cached_leaf(key)
        if cached is not None:
            return cached  # a set of its own, of indexed published sections only
        # Only the sections the live index knows (published, indexed): the tree's operations
        # keep that, so the engine need not intersect a result of 70,000 sections again.
        if self.scan is None and self.live.cache_leaves:
            found = shared.leaf(key, lambda: self._leaf(text, present, key, field), self.live)
        else:
            found = self._leaf(text, present, key, field)
        found &= self.live.section_article.keys()
        self.live.store_leaf(key, found)
        return found

    def _leaf(self, text, present, key, field=None) -> set[int]:
        if self.scan is not None:
            return self.scan.sections_with_key(key)
        found = set() if field else self._sections_with(text, present, key)
        articles = self.live.articles
        for aid in self._articles_with(text, key):
            if aid in articles:
                found.update(articles[aid].sections)
        return found

    def _from_tantivy(self, lookup: str, text, key) -> set[int] | None:
        """The node's tantivy index's answer (its `lookup`: sections_with or articles_with), or
        None when there is none to use; a failure is logged and the database answers from then
        on (never a failed search for it)."""
        if self.tantivy is None:
            return None
        try:
            return getattr(self.tantivy, lookup)(text, key)
        except Exception as exc:
            logger.warning("tantivy index failed on a term, matching in the database: %s", exc)
            self.tantivy = None
            return None

    def _articles_with(self, text, key) -> set[int]:
        """The reports whose printed texts have the term (in its field, for a field term)."""
        found = self._from_tantivy("articles_with", text, key)
        return found if found is not None else indexed_articles_with(key)

    def _sections_with(self, text, present, key) -> set[int]:
        """The sections whose own text (title, heading, body) has the term."""
        found = self._from_tantivy("sections_with", text, key)
        if found is not None:
            return found
        if len(present) == 1:
            return self.backend.candidates([], present)
        candidates = self.backend.candidates(gram_stream(text), [])
        if not candidates:
            return set()
        # The gram index is exact but where two Latin units meet (ab cd and abc d both give the
        # gram abcd) and, on PostgreSQL, in sections too long for tsvector positions.
        unsure = set(candidates) if _latin_pair(present) else self.backend.unsure(candidates)
        if not unsure:
            return candidates
        canon = dict(SearchDocument.objects.filter(pk__in=unsure).values_list("section_id", "canon"))
        return (candidates - unsure) | {sid for sid in unsure if contains(canon.get(sid, ""), key)}

    def article_bits(self, tree, sections: set[int]) -> int:
        """The article bitset of the matched sections: cached with the leaf when the whole query
        is one literal term (the common case), computed from the sections otherwise."""
        if self._literal(tree):
            bits = self.live.leaf_article_bits(self._key(tree))
            if bits is not None:
                return bits
        if isinstance(tree, And):
            # The sections are a subset of each literal term's among the children (an exclusion:
            # 发展 -学习). From a cached term with most of them, only the articles of the sections
            # that were taken away need looking at.
            for child in tree.children:
                if self._literal(child):
                    key = self._key(child)
                    leaf, bits = self.live.cached_leaf(key), self.live.leaf_article_bits(key)
                    if leaf is not None and bits is not None and len(leaf) - len(sections) < len(sections):
                        return self.live.article_bits_within(bits, leaf, sections)
        return self.live.article_bits_of_sections(sections)

    def _literal(self, node) -> bool:
        return isinstance(node, (Phrase, Field)) or (isinstance(node, PlainText) and not self.by_words)

    @staticmethod
    def _key(node) -> str:
        return leaf_key(canonical(node.text), node.field if isinstance(node, Field) else None)

    def evaluate(self, node) -> set[int]:
        if isinstance(node, Field):
            return self.leaf(node.text, node.field)
        if isinstance(node, Phrase):
            return self.leaf(node.text)
        if isinstance(node, PlainText) and not self.by_words:
            return self.leaf(node.text)
        if isinstance(node, PlainText):
            result = None
            for word in term_words(node.text):
                found = self.leaf(word)
                result = found if result is None else result & found
                if not result:
                    return set()
            return result or set()
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self.evaluate(child)
            return out
        if isinstance(node, Not):
            return self.live.universe() - self.evaluate(node.child)
        if isinstance(node, And):
            positives = [c for c in node.children if not isinstance(c, Not)]
            negatives = [c.child for c in node.children if isinstance(c, Not)]
            result = None
            for child in positives:
                found = self.evaluate(child)
                result = found if result is None else result & found
                if not result:
                    return set()
            if result is None:
                result = self.live.universe()
            for child in negatives:
                result -= self.evaluate(child)
            return result
        return set()


def matches_canon(node, canon: str, by_words: bool = False, article=None) -> bool:
    """Whether one section (its canonical text, SearchDocument.canon, and its report's printed
    texts, search.documents.ArticleTexts) matches a query tree: what Matcher.evaluate finds over
    the index, decided on the text itself."""
    if isinstance(node, Field):
        return key_matches(leaf_key(canonical(node.text), node.field), canon, article)
    if isinstance(node, Phrase) or (isinstance(node, PlainText) and not by_words):
        return key_matches(canonical(node.text), canon, article)
    if isinstance(node, PlainText):
        return all(key_matches(canonical(word), canon, article) for word in term_words(node.text))
    if isinstance(node, Or):
        return any(matches_canon(child, canon, by_words, article) for child in node.children)
    if isinstance(node, Not):
        return not matches_canon(node.child, canon, by_words, article)
    if isinstance(node, And):
        return all(matches_canon(child, canon, by_words, article) for child in node.children)
    return False


def _latin_pair(present: list[str]) -> bool:
    return any(a.isascii() and b.isascii() for a, b in zip(present, present[1:]))


def term_words(text: str) -> list[str]:
    """jieba's words of a term, each with something searchable; the term itself when jieba
    gives nothing usable."""
    words = [w for w in dict.fromkeys(segment_words(text)) if any(u for u in units(w))]
    return words or [text]


