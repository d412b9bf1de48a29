"""The one jieba wrapper, shared by indexing and query parsing.

One tokenizer per process, loaded on first use, with a user dictionary made of the initiative
and department catalogs (names, short names, aliases) and fixtures/words.txt, so that 二分法,
工作项目化, 五好园区 and 资规局 stay whole. The dictionary's hash is kept with the index: when
it changes, segmentation changes, and the index must be rebuilt (check_index says so).

HMM is off: with it, jieba guesses unknown words from context, so the same string could be
split one way in a query and another in a document. Recall never depends on words (the
character channel in search.tokens guarantees it); words only rank.

The segmenter is rjieba (jieba-rs, the Rust port: same dictionary and algorithm, about 25 times
faster and without jieba's 70 MB Python dictionary) when it is installed, else jieba itself;
SEARCH_SEGMENTER=jieba forces jieba. tests/search/test_segmentation.py checks that both give the
same words on the whole corpus with the user dictionary.
"""

import hashlib
import logging
import os
import re
import threading

from django.conf import settings

from archive.text import folded
from search.normalize import normalize

_lock = threading.Lock()
_state: dict = {}
_WORD = re.compile(r"[^\W_]", re.UNICODE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def user_words() -> list[str]:
    """Catalog names and the domain word list, normalised, deduplicated, sorted."""
    from archive.models import Department, Initiative

    words: set[str] = set()
    for initiative in Initiative.objects.all():
        words.update(initiative.names)
    for department in Department.objects.all():
        words.update(department.names)
    path = settings.FIXTURES_DIR / "words.txt"
    if path.exists():
        words.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    cleaned = set()
    for word in words:
        word = folded(normalize(word))
        if len(word) >= 2:
            cleaned.add(word)
    return sorted(cleaned)


def dictionary_hash(words: list[str] | None = None) -> str:
    words = user_words() if words is None else words
    return hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]


class Segmenter:
    """A user-dictionary jieba of either implementation, with one method: cut(text) → words."""

    def __init__(self, words: list[str], implementation: str | None = None):
        implementation = implementation or os.environ.get("SEARCH_SEGMENTER") or _default_implementation()
        self.implementation = implementation
        if implementation == "rjieba":
            import rjieba

            engine = rjieba.Jieba()
            for word in words:
                engine.add_word(word, max(engine.suggest_freq(word), 1000), None)
            self.cut = lambda text: engine.cut(text, hmm=False)
        else:
            import jieba  # imported only here: with pkg_resources it takes about 19 MB

            jieba.setLogLevel(logging.WARNING)
            settings.JIEBA_CACHE_DIR.mkdir(parents=True, exist_ok=True)
            engine = jieba.Tokenizer()
            engine.tmp_dir = str(settings.JIEBA_CACHE_DIR)
            engine.initialize()
            for word in words:
                engine.add_word(word, freq=max(engine.suggest_freq(word, tune=False), 1000))
            self.cut = lambda text: list(engine.cut(text, HMM=False))


def _default_implementation() -> str:
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


def tokenizer() -> Segmenter:
    """The process's segmenter, built on first use; reset() makes the next call rebuild it."""
    with _lock:
        if "tokenizer" in _state:
            return _state["tokenizer"]
        words = user_words()
        segmenter = Segmenter(words)
        _state.update(hash=dictionary_hash(words), tokenizer=segmenter)
        return segmenter


def current_hash() -> str:
    """The hash of the dictionary the process's tokenizer was built with."""
    tokenizer()
    return _state["hash"]


def reset():
    """Forget the tokenizer (after the catalogs change); the next call rebuilds it."""
    with _lock:
        _state.clear()


def follow_catalogs():
    """Another process changed the catalogs (search.live reads it in the change log): forget the
    tokenizer if its dictionary is no longer the catalogs', so queries are split as the index
    now is."""
    with _lock:
        built = _state.get("hash")
    if built is not None and built != dictionary_hash():
        reset()


def words(normalized: str, tk: Segmenter | None = None) -> list[str]:
    """Words of already-normalised text, as single index tokens: punctuation inside a word is
    dropped (5.4 → 54, 2+n → 2n), words without letters or digits are dropped."""
    tk = tk or tokenizer()
    out = []
    for word in tk.cut(normalized):
        if _WORD.search(word):
            token = _NOT_WORD.sub("", word)
            if token:
                out.append(token)
    return out
