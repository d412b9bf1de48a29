"""BM25 over jieba words with field weights (title > initiative names > heading > body, the texts
printed once per report — subtitle, 文号, series, departments, source, bylines, captions — weighing
their own, all from search.weights, the table the node index's candidate ranking reads too), a bonus where a term
occurs whole, and a token score for sections that have the term only inside a longer word.
Scores are computed in Python over a bounded candidate set, the same on both databases."""

import math
import threading
from array import array

from search import memo, shared
from search.matching import term_words
from search.models import ArticleDocument, SearchDocument
from search.synonyms import term_groups
from search.tokens import BREAK_MARK, canonical, contains
from search.weights import ARTICLE_FIELDS, FIELD_WEIGHTS

WHOLE_TERM_BONUS = 1.5  # the term as typed occurs (not only its words)
SUBSTRING_ONLY = 0.05  # found by the character channel only (inside a longer word)
# A term found by another form of its vocabulary group (search.synonyms) scores this share of
# what the form would score typed: a report that prints the term as typed ranks first, other
# things equal, and a strong match by a synonym still ranks above a weak literal one.
SYNONYM_WEIGHT = 0.8
K1, B = 1.2, 0.75
# Printed alike on many reports, a word there is as rare as the reports that print it (a
# department named on a fifth of them is common however few sections mention it); subtitle and
# 文号 are read with the title, and their words are as rare as in sections' text.
PER_REPORT_IDF = frozenset(ARTICLE_FIELDS) - {"subtitle", "docno"}

_df_lock = threading.Lock()
_df_cache: dict = {}


DF_REFRESH_CHANGES = 256  # document frequencies are re-read after this many index writes


def ranking_period(live) -> int:
    """Document frequencies and the backend's best candidates are read again each period."""
    return live.last_change // DF_REFRESH_CHANGES


def _refresh_epoch(live):
    # serial and epoch, not id(live): a reload (a rebuild) keeps the object, and a new index can
    # be given a dead one's id
    epoch = (live.serial, live.epoch, ranking_period(live))
    if _df_cache.get("epoch") != epoch:
        _df_cache.clear()
        _df_cache["epoch"] = epoch


def document_frequency(lookup, word: str, live) -> int:
    """How many sections have the word (the node's index, search.tantivy_index.Lookup). Cached per
    process; a few hundred edits barely move a frequency, and a rebuild (which starts a new live
    index) clears it."""
    if not live.cache_leaves:
        return lookup.document_frequency(word)
    with _df_lock:
        _refresh_epoch(live)
        if word in _df_cache:
            return _df_cache[word]
    value, _ = shared.per_period(
        "df", word, lambda: lookup.document_frequency(word), live, DF_REFRESH_CHANGES,
        encode=lambda n: n.to_bytes(8, "little"), decode=lambda data: int.from_bytes(data, "little"),
    )
    with _df_lock:
        _df_cache[word] = value
    return value


def report_frequency(lookup, word: str, live) -> int:
    """How many reports print the word once per report (the node's index, search.tantivy_index.
    Lookup). Cached like document frequencies (per process, shared per ranking period)."""
    if not live.cache_leaves:
        return lookup.report_frequency(word)
    key = ("reports", word)
    with _df_lock:
        _refresh_epoch(live)
        if key in _df_cache:
            return _df_cache[key]
    value, _ = shared.per_period(
        "rf", word, lambda: lookup.report_frequency(word), live, DF_REFRESH_CHANGES,
        encode=lambda n: n.to_bytes(8, "little"), decode=lambda data: int.from_bytes(data, "little"),
    )
    with _df_lock:
        _df_cache[key] = value
    return value


class Ranker:
    def __init__(self, terms, live, lookup):
        self.lookup = lookup  # the node's index as this search uses it (search.tantivy_index.Lookup)
        self.terms = terms
        self.live = live
        self.n_docs = max(len(live.section_article), 1)
        self.n_reports = max(len(live.articles), 1)
        self.term_info = []
        for term in terms:
            words = term_words(term.text)
            joined = term.text.replace(" ", "")
            self.term_info.append(
                {
                    "words": words,
                    "idf": {w: self.idf(w) for w in words},
                    "whole": joined,
                    "whole_idf": self.idf(joined) if joined not in words else 0.0,
                    "article_idf": {w: self.article_idf(w) for w in words},
                    "whole_article_idf": self.article_idf(joined) if joined not in words else 0.0,
                    "canon": canonical(term.text),
                }
            )
        self.groups = term_groups(terms, SYNONYM_WEIGHT)
        for info, (_, _, whole_only) in zip(self.term_info, self.groups):
            if whole_only and len(info["words"]) > 1:
                # Another form of a term (search.synonyms) counts where its words stand together,
                # as one word, not wherever one of them does (产业 of 高新技术产业开发区).
                phrase = " ".join(info["words"])
                for key in ("idf", "article_idf"):
                    if key in info:
                        info[key] = {phrase: sum(info[key].values())}
                info["words"] = [phrase]

    def idf(self, word: str) -> float:
        df = document_frequency(self.lookup, word, self.live)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def article_idf(self, word: str) -> float:
        """For the texts printed once per report, a word is as rare as the reports that print
        it: a department named on a fifth of the reports is common there, however few sections
        mention it in their text."""
        df = report_frequency(self.lookup, word, self.live)
        return math.log(1 + (self.n_reports - df + 0.5) / (df + 0.5))

    def words(self) -> list[str]:
        # another form of a term (search.synonyms) counts only whole, not by its words
        return list(dict.fromkeys(
            w for info, (_, _, whole_only) in zip(self.term_info, self.groups)
            for w in ([info["whole"]] if whole_only else info["words"] + [info["whole"]])
        ))

    def best_candidates(self, limit: int) -> tuple[list[int], list[int]]:
        """The node index's best sections for the query's words (BM25), cached per
        process like document frequencies, and the sections changed since, to be ranked after
        them, so that an edit is ranked at once."""
        words = tuple(self.words())
        if not self.live.cache_leaves:
            return self.lookup.best_sections(list(words), limit), []
        key = ("best", words, limit)
        with _df_lock:
            _refresh_epoch(self.live)
            cached = _df_cache.get(key)
        if cached is None:
            cached = shared.per_period(
                "best", f"{limit}\0" + "\0".join(words), lambda: self.lookup.best_sections(list(words), limit),
                self.live, DF_REFRESH_CHANGES, encode=lambda ids: array("i", ids).tobytes(),
                decode=lambda data: list(array("i", data)), since_loaded=True,
            )
            with _df_lock:
                _df_cache[key] = cached
        best, seen_change = cached
        recent = self.live.sections_changed_since(seen_change)
        return best, [sid for sid in recent if sid not in best]

    def scores(self, section_ids) -> dict[int, float]:
        """BM25 per term over the four word fields, counted with str.count on the stored
        space-joined words (C speed); field lengths averaged over the sections ranked.
        Remembered per process (search.memo) for the same terms and candidates until an edit
        touches one of the candidates' articles: a frequent word's candidates are the same few
        hundred sections whatever else an editor saves, and reading and counting their words is
        most of what a search costs once its result is no longer remembered."""
        ids = sorted(section_ids)
        if not self.live.cache_leaves:
            return self._scores(ids)
        key = ("rank", tuple(self.terms), tuple(ids), self.n_docs, ranking_period(self.live))
        return memo.remember(
            key, lambda: self._scores(ids), scope=lambda live, _: live.article_bits_of_sections(ids)
        )

    def _scores(self, section_ids) -> dict[int, float]:
        rows = list(
            SearchDocument.objects.filter(pk__in=section_ids).values_list(
                "section_id", "article_id", "title_words", "init_words", "heading_words", "body_words", "canon"
            )
        )
        # What is printed once per report counts for each of its sections (search.documents).
        printed = {
            aid: (canon, dict(zip(ARTICLE_FIELDS, words)))
            for aid, canon, *words in ArticleDocument.objects.filter(article_id__in={r[1] for r in rows}).values_list(
                "article_id", "canon", *(f"{field}_words" for field in ARTICLE_FIELDS)
            )
        }
        docs = []
        for sid, aid, title, init, heading, body, canon in rows:
            article_canon, article_words = printed.get(aid, ("", {}))
            fields = {
                "title": f" {title} ",
                "init": "\t" + init + "\t",
                "heading": f" {heading} ",
                "body": f" {body} ",
            }
            lengths = {
                "title": title.count(" ") + 1 if title else 0,
                "init": init.count("\t") + 1 if init else 0,
                "heading": heading.count(" ") + 1 if heading else 0,
                "body": body.count(" ") + 1 if body else 0,
            }
            for field in ARTICLE_FIELDS:
                words = article_words.get(field, "")
                fields[field] = f" {words} "
                lengths[field] = words.count(" ") + 1 if words else 0
            if article_canon:
                canon += BREAK_MARK + article_canon
            docs.append((sid, fields, lengths, canon))
        avg = {f: (sum(d[2][f] for d in docs) / len(docs) if docs else 1.0) or 1.0 for f in FIELD_WEIGHTS}
        for f in ARTICLE_FIELDS:
            # Most reports print no subtitle, 文号 or caption: a field's length is measured
            # against the reports that have it, or a report that prints one would be penalised
            # for having it at all.
            having = [d[2][f] for d in docs if d[2][f]]
            avg[f] = sum(having) / len(having) if having else 1.0
        result = {}
        for sid, fields, lengths, canon in docs:
            best: dict[int, float] = {}  # per term group (search.synonyms.term_groups)
            for info, (group, share, whole_only) in zip(self.term_info, self.groups):
                if whole_only and not contains(canon, info["canon"]):
                    continue
                term_score = 0.0
                for f, weight in FIELD_WEIGHTS.items():
                    text, sep = fields[f], ("\t" if f == "init" else " ")
                    per_report = f in PER_REPORT_IDF  # rare among reports, not among sections
                    idf = info["article_idf"] if per_report else info["idf"]
                    for word in info["words"]:
                        tf = text.count(sep + word + sep) if word in text else 0
                        if tf:
                            norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[f] / avg[f]))
                            term_score += weight * idf[word] * norm
                    whole, whole_idf = info["whole"], info["whole_article_idf" if per_report else "whole_idf"]
                    if whole_idf and whole in text and (sep + whole + sep) in text:
                        term_score += weight * whole_idf
                if len(info["words"]) > 1 and contains(canon, info["canon"]):
                    term_score *= WHOLE_TERM_BONUS
                if term_score == 0.0:
                    term_score = SUBSTRING_ONLY
                best[group] = max(best.get(group, 0.0), term_score * share)
            result[sid] = round(sum(best.values()), 6)
        return result


