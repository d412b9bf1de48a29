"""The one jieba wrapper, shared by indexing and query parsing.

One tokenizer per process, loaded on first use, with a user dictionary made of the initiative
and department catalogs (names, short names, aliases) and fixtures/words.txt, so that 二分法,
工作项目化, 五好园区 and 资规局 stay whole. The dictionary's hash is kept with the index: when
it changes, segmentation changes, and the index must be rebuilt (check_index says so).

HMM is off: with it, jieba guesses unknown words from context, so the same string could be
split one way in a query and another in a document. Recall never depends on words (the
character channel in search.tokens guarantees it); words only rank.
"""

import hashlib
import logging
import re
import threading

import jieba
from django.conf import settings

from .normalize import normalize

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_state: dict = {}
_WORD = re.compile(r"\w", re.UNICODE)


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
        word = re.sub(r"[\s\"'“”‘’「」『』]", "", normalize(word))
        if len(word) >= 2:
            cleaned.add(word)
    return sorted(cleaned)


def dictionary_hash(words: list[str] | None = None) -> str:
    words = user_words() if words is None else words
    return hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()[:16]


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, built on first use; reset() makes the next call rebuild it."""
    with _lock:
        if "tokenizer" in _state:
            return _state["tokenizer"]
        words = user_words()
        settings.JIEBA_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tk = jieba.Tokenizer()
        tk.tmp_dir = str(settings.JIEBA_CACHE_DIR)
        tk.initialize()
        for word in words:
            tk.add_word(word, freq=max(tk.suggest_freq(word, tune=False), 1000))
        _state.update(hash=dictionary_hash(words), tokenizer=tk)
        return tk


def current_hash() -> str:
    """The hash of the dictionary the process's tokenizer was built with."""
    tokenizer()
    return _state["hash"]


def reset():
    """Forget the tokenizer (after the catalogs change); the next call rebuilds it."""
    with _lock:
        _state.clear()


def words(normalized: str, tk: jieba.Tokenizer | None = None) -> list[str]:
    """Words of already-normalised text, punctuation and spaces dropped."""
    tk = tk or tokenizer()
    return [w for w in tk.cut(normalized, HMM=False) if _WORD.search(w) and not w.isspace()]
