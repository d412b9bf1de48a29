"""Exact and near duplicates of reports: is a new report text one we already hold?

Pure Python (standard library only), no Django. Two keys per report text:

- ``fingerprint(text)``: sha256 of ``normalise(text)``, for exact duplicates (the same report
  printed by two papers, sent in UTF-8 and GB18030, extracted from .docx and .pdf). Store it in an
  indexed column and look it up.
- ``signature(text)``: a MinHash signature of the text's character shingles (1,040 bytes, for a
  ``BinaryField``), for near duplicates (a lightly edited reprint, a shortened reprint).
  ``NearDuplicateIndex`` holds the signatures of the existing reports in memory, finds candidates
  by LSH banding and scores them from the signatures; ``similarity``/``containment`` give the
  exact figures from the two texts, to confirm a candidate.

Choices, and why
----------------
Shingles are character 5-grams of the normalised text. Chinese has no spaces and most words are
one to three characters, so word shingles would need a segmenter (and segmenters disagree between
a text and its lightly edited copy), while character n-grams need nothing. n = 5 spans two or
three words, so shared vocabulary alone — 改革, 高质量发展, 株洲市 — rarely makes two different
reports look alike: among the 25 curated articles (several per series, one topic) the highest
cross-article Jaccard is 0.019 at n = 5 (0.049 at n = 3), and the highest share of one article's
shingles found in another is 0.13 (an editor's note inside its series). A larger n buys little
more and makes edits costlier: one changed character removes up to n shingles, so at n = 5 a
1,000-character report keeps Jaccard ≥ 0.8 through roughly ten scattered character edits or a
rewritten sentence or two.

MinHash is one-permutation hashing with optimal densification (Shrivastava & Li 2014,
Shrivastava 2017) instead of ``NUM_PERM`` independent hash functions: each shingle is hashed once
(blake2b, 64 bits, fixed personalisation, so signatures agree across processes and machines), the
high 32 bits pick one of 256 bins and the low 32 bits compete for the bin's minimum; an empty bin
(short texts only) borrows the value of a non-empty bin found in a fixed, text-independent probe
order. Two signatures agree in a bin with probability ≈ the Jaccard similarity of the shingle
sets, as with classic MinHash, but building one costs one hash per shingle whatever the number of
values (≈1.4 ms for a 1,500-character report, normalising included). Classic MinHash — what
datasketch does, with numpy — needs 256 hashes per shingle; numpy is not a dependency of this
project, pure Python would be ~50 ms per report, and numpy + scipy + datasketch on the ingest path
is not worth it for this.

256 values (1,040-byte signature): the standard error of an estimated Jaccard is ≈ 0.022 near
0.85 (0.032 with 128), so a reprint whose true Jaccard is 0.85 falls under 0.8 about 1% of the
time instead of 6%, and the containment estimated for a first-half reprint (true 1.0) stays above
0.9. The LSH index uses only the first 126 values, in 42 bands of 3 rows: a pair with Jaccard J
becomes a candidate with probability 1 − (1 − J³)⁴², which is 1.00 at J = 0.8, 0.996 at J = 0.5
(a first-half reprint of a report has J ≈ 0.5, so its containment can be checked), 0.29 at
J = 0.2 and 0.001 at J = 0.03 (two unrelated reports): few false candidates, and they are cheap
to reject from the signatures; the index's memory grows with bands, not with values.

Thresholds: near duplicate when the (estimated or exact) Jaccard ≥ 0.8; or, for shortened
reprints, when ≥ 0.9 of the shorter text's shingles are in the other (containment, either way
round — the new text may be the excerpt or the full version). Both sit far above what different
reports of one series reach (0.019 and 0.13, above). The score the index reports is the estimated
Jaccard when that qualifies, and the containment for a match found through containment alone
(``Match.reason`` says which; ``Match`` carries both figures either way). Texts of fewer than ``MIN_CHARS``
(30) normalised characters are never near duplicates of anything — a heading or a one-line notice
shares too much by chance — only exact duplicates (by fingerprint).
"""

from __future__ import annotations

import hashlib
import random
import struct
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import eq

__all__ = [
    "BANDS",
    "CONTAINMENT_THRESHOLD",
    "MIN_CHARS",
    "NGRAM",
    "NUM_PERM",
    "ROWS",
    "SIGNATURE_SIZE",
    "THRESHOLD",
    "Match",
    "NearDuplicateIndex",
    "containment",
    "fingerprint",
    "is_near_duplicate",
    "normalise",
    "shingles",
    "signature",
    "signature_info",
    "similarity",
]

NGRAM = 5
NUM_PERM = 256
BANDS = 42
ROWS = 3
MIN_CHARS = 30
THRESHOLD = 0.8
CONTAINMENT_THRESHOLD = 0.9

# Signature layout, little-endian: magic b"MH", format version, n-gram size, number of values,
# reserved (0), normalised length in characters, number of distinct shingles; then NUM_PERM
# unsigned 32-bit values.
_MAGIC = b"MH"
_VERSION = 1
_HEADER = struct.Struct("<2sBBHHII")
_VALUES = struct.Struct(f"<{NUM_PERM}I")
SIGNATURE_SIZE = _HEADER.size + _VALUES.size
_EMPTY = 0xFFFFFFFF
_MASK64 = (1 << 64) - 1
_FREE = object()  # a freed row of NearDuplicateIndex
_HASHER = hashlib.blake2b(digest_size=8, person=b"reform-dup-v1")

# Invisible characters that are letters or marks by category, so the category filter keeps them:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, variation selectors.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0]
    + list(range(0x180B, 0x1810))
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)


@lru_cache(maxsize=1 << 16)  # bounded: arbitrary input may hold any of 1.1 million code points
def _kept(char: str) -> bool:
    """Letters, digits and combining marks; not whitespace, punctuation, symbols, controls or
    format characters (zero-width space/joiners, BOM, soft hyphen)."""
    return unicodedata.category(char)[0] in "LNM" and ord(char) not in _IGNORABLE


def normalise(text: str) -> str:
    """The text a comparison sees: NFKC (full-width Latin and digits → ASCII, ①→1), then only
    letters, digits and combining marks are kept — whitespace of any kind, line breaks, all
    punctuation (CJK and ASCII: 《》“”‘’「」（）【】、，。：；！？…—· and the half-width forms),
    markdown markers (# * > _ -), symbols and zero-width/format characters go — and letters are
    lower-cased. Idempotent: normalise(normalise(t)) == normalise(t).

    Traditional characters are not converted (a reprint keeps the script of its source).
    """
    s = text
    for _ in range(8):  # one pass, a second only when lower-casing or filtering un-normalised
        s = "".join(filter(_kept, unicodedata.normalize("NFKC", s))).lower()
        if unicodedata.is_normalized("NFKC", s) and s.lower() == s:
            break
    return s


def fingerprint(text: str) -> str:
    """Exact-duplicate key: sha256 hex of normalise(text) (64 characters)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _shingle_set(normalised: str, n: int = NGRAM) -> set[str]:
    if len(normalised) < n:
        return {normalised} if normalised else set()
    return {normalised[i : i + n] for i in range(len(normalised) - n + 1)}


def shingles(text: str, n: int = NGRAM) -> set[str]:
    """The distinct character n-grams of normalise(text) (a text shorter than n: itself)."""
    return _shingle_set(normalise(text), n)


@cache
def _probes(k: int, i: int) -> tuple[int, ...]:
    """The bins other than i in a fixed pseudo-random order, where empty bin i borrows from.
    (random.Random(int).random() is guaranteed to give the same sequence in every Python.)"""
    draw = random.Random(k * 1_000_003 + i).random
    keys = [draw() for _ in range(k)]
    return tuple(sorted((j for j in range(k) if j != i), key=keys.__getitem__))


_UNSET = 1 << 32  # above every 32-bit value


def _minhash(shingle_set: set[str], k: int = NUM_PERM) -> list[int]:
    """One-permutation MinHash with optimal densification (see the module docstring)."""
    bins = [_UNSET] * k
    copy = _HASHER.copy
    for shingle in shingle_set:
        h = copy()
        h.update(shingle.encode("utf-8"))
        value = int.from_bytes(h.digest(), "little")
        b = (value >> 32) % k
        low = value & 0xFFFFFFFF
        if low < bins[b]:  # noqa: PLR1730 (hot loop: a comparison is cheaper than min())
            bins[b] = low
    if not shingle_set:
        return [_EMPTY] * k
    if _UNSET in bins:
        original = bins[:]
        for i in range(k):
            if original[i] == _UNSET:
                bins[i] = next(original[j] for j in _probes(k, i) if original[j] != _UNSET)
    return bins


def signature(text: str) -> bytes:
    """MinHash signature of text's 5-character shingles: SIGNATURE_SIZE (1,040) bytes, the same in
    every process. Read it back with signature_info(); compare through NearDuplicateIndex."""
    normalised = normalise(text)
    shingle_set = _shingle_set(normalised)
    header = _HEADER.pack(_MAGIC, _VERSION, NGRAM, NUM_PERM, 0, len(normalised), len(shingle_set))
    return header + _VALUES.pack(*_minhash(shingle_set))


@dataclass(frozen=True)
class _Sig:
    chars: int
    shingles: int
    values: tuple[int, ...]

    @property
    def short(self) -> bool:
        return self.chars < MIN_CHARS


def _parse(sig: bytes) -> _Sig:
    if not isinstance(sig, (bytes, bytearray, memoryview)):
        raise TypeError(f"a signature is bytes, not {type(sig).__name__}")
    sig = bytes(sig)
    if len(sig) != SIGNATURE_SIZE:
        raise ValueError(f"a signature is {SIGNATURE_SIZE} bytes, this one {len(sig)}")
    magic, version, ngram, num_perm, _reserved, chars, count = _HEADER.unpack_from(sig)
    if magic != _MAGIC or version != _VERSION or ngram != NGRAM or num_perm != NUM_PERM:
        raise ValueError(
            f"signature format {magic!r} v{version}, n={ngram}, {num_perm} values; "
            f"this module makes {_MAGIC!r} v{_VERSION}, n={NGRAM}, {NUM_PERM} values (recompute it)"
        )
    return _Sig(chars, count, _VALUES.unpack_from(sig, _HEADER.size))


def signature_info(sig: bytes) -> dict:
    """The header of a signature: normalised length, shingle count, n-gram size, values."""
    s = _parse(sig)
    return {"chars": s.chars, "shingles": s.shingles, "ngram": NGRAM, "num_perm": NUM_PERM, "short": s.short}


def similarity(text_a: str, text_b: str) -> float:
    """Exact Jaccard similarity of the two texts' shingle sets (0.0 when both are empty)."""
    a, b = shingles(text_a), shingles(text_b)
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(text_a: str, text_b: str) -> float:
    """Exact share of text_a's shingles that occur in text_b (0.0 when text_a has none).
    A shortened reprint a of a report b has containment(a, b) ≈ 1 and Jaccard ≈ len(a)/len(b)."""
    a, b = shingles(text_a), shingles(text_b)
    return len(a & b) / len(a) if a else 0.0


def is_near_duplicate(
    text_a: str,
    text_b: str,
    *,
    threshold: float = THRESHOLD,
    containment_threshold: float | None = CONTAINMENT_THRESHOLD,
) -> bool:
    """Exact decision (to confirm an index candidate): both texts have ≥ MIN_CHARS normalised
    characters, and their Jaccard ≥ threshold or one's containment in the other ≥
    containment_threshold (None: Jaccard only). Identical short texts are exact duplicates only
    (compare fingerprints)."""
    na, nb = normalise(text_a), normalise(text_b)
    if len(na) < MIN_CHARS or len(nb) < MIN_CHARS:
        return False
    a, b = _shingle_set(na), _shingle_set(nb)
    inter = len(a & b)
    if inter / len(a | b) >= threshold:
        return True
    return containment_threshold is not None and inter / min(len(a), len(b)) >= containment_threshold


@dataclass(frozen=True)
class Match:
    """One near duplicate found by NearDuplicateIndex.matches(); figures are estimates from the
    signatures. reason: "jaccard" (a near-identical text), "query_contained" (the new text is
    mostly inside the existing one: a shortened reprint) or "candidate_contained" (the existing
    report is mostly inside the new text)."""

    key: Hashable
    score: float
    jaccard: float
    query_in_candidate: float
    candidate_in_query: float
    reason: str


class NearDuplicateIndex:
    """Signatures of existing reports, in memory, with an LSH index over them.

    ``NearDuplicateIndex(items)`` builds from an iterable of (key, signature); keys are any
    hashable (an article id). Signatures of short texts are kept (they count in len()) but never
    returned as candidates, and a short query finds nothing.

    Each LSH band is a pair of sorted arrays (64-bit hash of the band's values, row number), 12
    bytes an entry, looked up by bisection — a dict per band would cost ~75 bytes an entry, six
    times as much, at 42 entries a report. Building and update() sort; add() and remove() of one
    report shift the arrays (a memmove: ~0.1 ms at 20,000 reports). Band hashes use Python's hash(),
    so the tables are particular to the process; the signatures, and so the results, are not."""

    def __init__(self, items: Iterable[tuple[Hashable, bytes]] = (), *, bands: int = BANDS, rows: int = ROWS):
        if bands < 1 or rows < 1 or bands * rows > NUM_PERM:
            raise ValueError(f"bands × rows must be between 1 and {NUM_PERM}")
        self.bands, self.rows = bands, rows
        self._sigs: dict[Hashable, bytes] = {}
        self._row: dict[Hashable, int] = {}  # key → row number, in order of (last) insertion
        self._keys: list[object] = []  # row number → key, or _FREE once removed
        self._hashes = [array("Q") for _ in range(bands)]
        self._rows = [array("I") for _ in range(bands)]
        self.update(items)

    def __len__(self) -> int:
        return len(self._sigs)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._sigs

    def _band_hashes(self, sig: bytes) -> list[int]:
        width = 4 * self.rows
        start = _HEADER.size
        return [hash(sig[start + b * width : start + (b + 1) * width]) & _MASK64 for b in range(self.bands)]

    def _new_row(self, key: Hashable) -> int:
        row = len(self._keys)
        self._keys.append(key)
        self._row[key] = row
        return row

    def add(self, key: Hashable, sig: bytes) -> None:
        """Add (or replace) the signature stored under key."""
        parsed = _parse(sig)
        if key in self._sigs:
            self.remove(key)
        sig = bytes(sig)
        self._sigs[key] = sig
        if parsed.short:
            return
        row = self._new_row(key)
        for hashes, rows, h in zip(self._hashes, self._rows, self._band_hashes(sig)):
            i = bisect_right(hashes, h)
            hashes.insert(i, h)
            rows.insert(i, row)

    def update(self, items: Iterable[tuple[Hashable, bytes]]) -> None:
        """Add (or replace) many signatures at once, re-sorting each band once."""
        batch: dict[Hashable, bytes] = {}
        for key, sig in items:
            _parse(sig)
            batch.pop(key, None)  # a key given twice: the last signature wins
            batch[key] = bytes(sig)
        if len(batch) < 64:
            for key, sig in batch.items():
                self.add(key, sig)
            return
        for key in batch:
            if key in self._sigs:
                self.remove(key)
        new_rows: list[int] = []
        new_hashes: list[list[int]] = []
        for key, sig in batch.items():
            self._sigs[key] = sig
            if _parse(sig).short:
                continue
            new_rows.append(self._new_row(key))
            new_hashes.append(self._band_hashes(sig))
        for b in range(self.bands):
            pairs = list(zip(self._hashes[b], self._rows[b]))
            pairs.extend((hashes[b], row) for hashes, row in zip(new_hashes, new_rows))
            pairs.sort()
            self._hashes[b] = array("Q", [h for h, _ in pairs])
            self._rows[b] = array("I", [row for _, row in pairs])

    def remove(self, key: Hashable) -> None:
        """Forget key (KeyError if it is not in the index)."""
        sig = self._sigs.pop(key)
        row = self._row.pop(key, None)
        if row is None:  # a short text: not in the bands
            return
        for hashes, rows, h in zip(self._hashes, self._rows, self._band_hashes(sig)):
            i = bisect_left(hashes, h)
            while rows[i] != row:
                i += 1
            del hashes[i]
            del rows[i]
        self._keys[row] = _FREE

    def _candidate_rows(self, sig: bytes) -> list[int]:
        found: set[int] = set()
        for hashes, rows, h in zip(self._hashes, self._rows, self._band_hashes(sig)):
            i = bisect_left(hashes, h)
            end = len(hashes)
            while i < end and hashes[i] == h:
                found.add(rows[i])
                i += 1
        return sorted(found)

    def candidates(self, sig: bytes) -> list[Hashable]:
        """Keys sharing at least one LSH band with sig (unscored; empty for a short text)."""
        if _parse(sig).short:
            return []
        return [self._keys[row] for row in self._candidate_rows(bytes(sig))]

    def matches(
        self,
        sig: bytes,
        *,
        threshold: float = THRESHOLD,
        containment_threshold: float | None = CONTAINMENT_THRESHOLD,
    ) -> list[Match]:
        """Candidates scored from the signatures, best first: those whose estimated Jaccard ≥
        threshold, or whose estimated containment either way ≥ containment_threshold (None:
        Jaccard only). score = the estimated Jaccard when it reaches threshold, otherwise the
        estimated containment (the larger direction); sorted by score. Containment is estimated from the Jaccard and the two shingle counts:
        |A∩B| = J·(|A|+|B|)/(1+J)."""
        query = _parse(sig)
        if query.short:
            return []
        found: list[Match] = []
        for key in self.candidates(sig):  # in row order: equal scores keep the order of insertion
            other = _parse(self._sigs[key])
            j = sum(map(eq, query.values, other.values)) / NUM_PERM
            inter = j * (query.shingles + other.shingles) / (1 + j)
            q_in_c = min(1.0, inter / query.shingles)
            c_in_q = min(1.0, inter / other.shingles)
            contained = max(q_in_c, c_in_q)
            if j >= threshold:
                reason = "jaccard"
            elif containment_threshold is not None and contained >= containment_threshold:
                reason = "query_contained" if q_in_c >= c_in_q else "candidate_contained"
            else:
                continue
            score = j if reason == "jaccard" else contained
            found.append(Match(key, score, j, q_in_c, c_in_q, reason))
        found.sort(key=lambda m: (-m.score, -m.jaccard))
        return found

    def query(
        self,
        sig: bytes,
        *,
        threshold: float = THRESHOLD,
        containment_threshold: float | None = CONTAINMENT_THRESHOLD,
    ) -> list[tuple[Hashable, float]]:
        """[(key, score)] best first; see matches() (score = the estimated Jaccard, or for a match
        through containment alone the estimated containment)."""
        return [
            (m.key, m.score)
            for m in self.matches(sig, threshold=threshold, containment_threshold=containment_threshold)
        ]
