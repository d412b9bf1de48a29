"""Which sections a query tree matches, exactly. The node's index (search.tantivy_index) answers
which sections and reports have a term, from the character channel (search.tokens); the reports
it is not yet up to date with, and those changed inside the caller's transaction, are decided on
their normalised text. The texts printed once per report (bylines, captions…) are matched for all
of its sections (search.documents)."""

import logging

from search import shared, tantivy_index
from search.documents import key_matches, leaf_key
from search.query import And, Field, Not, Or, Phrase, PlainText
from search.segmentation import words as segment_words
from search.tokens import canonical, units

logger = logging.getLogger(__name__)


class Matcher:
    """Evaluates a query tree to a set of section ids, exactly."""

    def __init__(self, live, by_words: bool = False, scan=None, lookup=None):
        self.live = live
        self.by_words = by_words  # PlainText as all of its words rather than the literal term
        self.scan = scan  # a fallback.ScanIndex: match by reading every section, not the index
        # the node's index as this search uses it (one view for the whole tree)
        self.lookup = lookup if lookup is not None or scan is not None else tantivy_index.for_matching(live)

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

    def _ask(self, question: str, text, key) -> set[int]:
        """The node index's answer (its `question`: sections_with or articles_with). A failure of
        the index is logged and every report is decided on its text from then on: slower, never
        a failed search or a wrong one."""
        try:
            return getattr(self.lookup, question)(text, key)
        except Exception as exc:
            if not self.lookup.complete:
                raise
            logger.warning("tantivy index failed on a term, deciding on the text: %s", exc)
            self.lookup = tantivy_index.Lookup(None, None, None)
            return getattr(self.lookup, question)(text, key)

    def _articles_with(self, text, key) -> set[int]:
        """The reports whose printed texts have the term (in its field, for a field term)."""
        return self._ask("articles_with", text, key)

    def _sections_with(self, text, present, key) -> set[int]:
        """The sections whose own text (title, heading, body) has the term."""
        return self._ask("sections_with", text, key)

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


def term_words(text: str) -> list[str]:
    """jieba's words of a term, each with something searchable; the term itself when jieba
    gives nothing usable."""
    words = [w for w in dict.fromkeys(segment_words(text)) if any(u for u in units(w))]
    return words or [text]


