"""BM25 over jieba words with field weights (title > initiative names > heading > body), a bonus
where a term occurs whole, and a token score for sections that have the term only inside a
longer word. Scores are computed in Python over a bounded candidate set, the same on both
backends."""

import math
import threading
from array import array

from search import memo, shared
from search.matching import term_words
from search.models import SearchDocument
from search.tokens import canonical, contains

FIELD_WEIGHTS = {"title": 4.0, "init": 3.0, "heading": 2.0, "body": 1.0}
WHOLE_TERM_BONUS = 1.5  # the term as typed occurs (not only its words)
SUBSTRING_ONLY = 0.05  # found by the character channel only (inside a longer word)
K1, B = 1.2, 0.75

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


def document_frequency(backend, word: str, live) -> int:
    """Cached per process; a few hundred edits barely move a frequency, and a rebuild (which
    starts a new live index) clears it."""
    if not live.cache_leaves:
        return backend.document_frequency(word)
    with _df_lock:
        _refresh_epoch(live)
        if word in _df_cache:
            return _df_cache[word]
    value, _ = shared.per_period(
        "df", word, lambda: backend.document_frequency(word), live, DF_REFRESH_CHANGES,
        encode=lambda n: n.to_bytes(8, "little"), decode=lambda data: int.from_bytes(data, "little"),
    )
    with _df_lock:
        _df_cache[word] = value
    return value


class Ranker:
    def __init__(self, backend, terms, live):
        self.backend = backend
        self.terms = terms
        self.live = live
        self.n_docs = max(len(live.section_article), 1)
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
                    "canon": canonical(term.text),
                }
            )

    def idf(self, word: str) -> float:
        df = document_frequency(self.backend, word, self.live)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def words(self) -> list[str]:
        return list(dict.fromkeys(w for info in self.term_info for w in info["words"] + [info["whole"]]))

    def best_candidates(self, limit: int) -> tuple[list[int], list[int]]:
        """The backend's best sections for the query's words (its own ranking), cached per
        process like document frequencies, and the sections changed since, to be ranked after
        them, so that an edit is ranked at once."""
        words = tuple(self.words())
        if not self.live.cache_leaves:
            return self.backend.best_sections(list(words), limit), []
        key = ("best", words, limit)
        with _df_lock:
            _refresh_epoch(self.live)
            cached = _df_cache.get(key)
        if cached is None:
            cached = shared.per_period(
                "best", f"{limit}\0" + "\0".join(words), lambda: self.backend.best_sections(list(words), limit),
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
                "section_id", "title_words", "init_words", "heading_words", "body_words", "canon"
            )
        )
        docs = []
        for sid, title, init, heading, body, canon in rows:
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
            docs.append((sid, fields, lengths, canon))
        avg = {f: (sum(d[2][f] for d in docs) / len(docs) if docs else 1.0) or 1.0 for f in FIELD_WEIGHTS}
        result = {}
        for sid, fields, lengths, canon in docs:
            score = 0.0
            for info in self.term_info:
                term_score = 0.0
                for f, weight in FIELD_WEIGHTS.items():
                    text, sep = fields[f], ("\t" if f == "init" else " ")
                    for word in info["words"]:
                        tf = text.count(sep + word + sep) if word in text else 0
                        if tf:
                            norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[f] / avg[f]))
                            term_score += weight * info["idf"][word] * norm
                    whole = info["whole"]
                    if info["whole_idf"] and whole in text and (sep + whole + sep) in text:
                        term_score += weight * info["whole_idf"]
                if len(info["words"]) > 1 and contains(canon, info["canon"]):
                    term_score *= WHOLE_TERM_BONUS
                if term_score == 0.0:
                    term_score = SUBSTRING_ONLY
                score += term_score
            result[sid] = round(score, 6)
        return result


