"""Is a draft already in the archive? Exact repeats by fingerprint (the normalised text, so the
same report as UTF-8 and GB18030, or as .docx and .pdf, is one), near repeats (a reprint in
another paper, a lightly edited version) by MinHash/LSH over character shingles, confirmed on
the texts themselves (archive/ingest/duplicates.py).

An article's comparison text is its title, section headings and bodies: the same report read from
another format or encoding is then an exact repeat, while a reprint under another title is a near
one, imported as a draft with a warning for the editor to decide."""

import threading

from archive.ingest import duplicates
from archive.ingest.drafts import DraftReport, Duplicate
from archive.models import Article, Section

# The LSH estimate is queried a little below the threshold and every candidate confirmed on the
# texts, so that a true 0.8 whose estimate falls just short is still found.
QUERY_THRESHOLD = 0.75
# The same report read from another format (a running header, a page number, a caption placed
# elsewhere) stays above this; a reprint edited by a hand falls below it (0.87–0.98 in the tests).
SAME_REPORT = 0.985
# OCR at 200 dpi misreads 1.5–2 % of characters, and each misreading breaks five shingles.
SAME_REPORT_OCR = 0.93
# A part of a report (one OCRed page of several) is a repeat when this much of it lies in the
# other. OCR errors break a few shingles in ten, so the bar sits below duplicates.py's 0.9; two
# different curated reports share at most 0.13 of either's shingles.
CONTAINED = 0.8


def article_text(article_id: int) -> str:
    title = Article.objects.filter(pk=article_id).values_list("title", flat=True).first() or ""
    parts = Section.objects.filter(article_id=article_id).order_by("order").values_list("heading", "body")
    return "\n".join([title] + [part for pair in parts for part in pair if part])


def draft_text(report: DraftReport) -> str:
    return "\n".join([report.title] + [part for s in report.sections for part in (s.heading, s.body) if part])


def _new_index() -> duplicates.NearDuplicateIndex:
    # Two values a band, 96 bands: one page of a longer report (Jaccard ≈ 0.3 against it, but
    # nearly all inside it) is a candidate 99.99 % of the time; unrelated reports (≈ 0.03)
    # 8 % of the time, and their signatures' estimate drops them before any text is read.
    return duplicates.NearDuplicateIndex(bands=96, rows=2)


def _candidates_in(index, sig: bytes) -> list:
    """The index's candidates by their signatures' estimate, a little below the bars that the
    texts are then held to."""
    return index.query(sig, threshold=QUERY_THRESHOLD, containment_threshold=CONTAINED - 0.05)


class _Known:
    """Every stored article's fingerprint and signature, kept by the process between imports and
    brought up to date at the start of each batch: the articles added since are read, and when
    fewer articles exist than are known (a deletion, a rolled-back import) all are read again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.exact: dict[str, int] = {}
        self.index = _new_index()
        self.last_pk = 0

    def refresh(self):
        self._read(Article.objects.filter(pk__gt=self.last_pk))
        if Article.objects.count() != len(self.index):
            self.__init__()
            self._read(Article.objects.all())

    def _read(self, articles):
        missing = []
        for pk, fp, sig in articles.order_by("pk").values_list("pk", "fingerprint", "signature").iterator(chunk_size=2000):
            self.last_pk = max(self.last_pk, pk)
            if not fp or not sig:
                missing.append(pk)
                continue
            self.add(pk, fp, bytes(sig))
        for pk in missing:
            text = article_text(pk)
            fp, sig = duplicates.fingerprint(text), duplicates.signature(text)
            Article.objects.filter(pk=pk).update(fingerprint=fp, signature=sig)  # derived data: no history row
            self.add(pk, fp, sig)

    def add(self, pk: int, fp: str, sig: bytes):
        self.exact.setdefault(fp, pk)
        self.index.add(pk, sig)
        self.last_pk = max(self.last_pk, pk)


_known = _Known()


class RepeatFinder:
    """Finds the article a draft repeats among the stored ones (the process's `_Known`, brought up
    to date when the finder is made) and the drafts of the same batch, added as they are made; a
    dry run's drafts are kept by the finder alone, since they are not stored."""

    def __init__(self):
        self.known = _known
        with self.known.lock:
            self.known.refresh()
        self.exact: dict[str, object] = {}  # this batch's unstored drafts (a dry run)
        self.index = _new_index()
        self.texts: dict = {}
        self.titles: dict = {}

    def _candidates(self, fp: str, sig: bytes):
        with self.known.lock:
            exact = self.known.exact.get(fp)
            near = _candidates_in(self.known.index, sig)
        if exact is None:
            exact = self.exact.get(fp)
        near += _candidates_in(self.index, sig)
        return exact, near

    def find(self, text: str, *, ocr: bool = False) -> tuple[Duplicate | None, str, bytes]:
        """The article the text repeats (or None), with the text's fingerprint and signature.

        A repeat is exact (not imported again) when the texts are the same, or when all of the
        new text is already in the other (a page of a report already in the archive); when the
        other lies inside the new text, the new one says more and is a near repeat. OCRed text
        carries recognition errors, so its bar for "the same" is lower."""
        fp, sig = duplicates.fingerprint(text), duplicates.signature(text)
        exact, near = self._candidates(fp, sig)
        if exact is not None and self._exists(exact):
            return Duplicate(self._article(exact), 1.0, exact=True), fp, sig
        same = SAME_REPORT_OCR if ocr else SAME_REPORT
        best = None
        for key, _estimate in near:
            if not self._exists(key):
                continue
            other = self.texts.get(key) if key in self.texts else article_text(key)
            if not duplicates.is_near_duplicate(text, other, containment_threshold=CONTAINED):
                continue
            jaccard = duplicates.similarity(text, other)
            inside = duplicates.containment(text, other)  # how much of the new text the other has
            exact = jaccard >= same or inside >= same
            score = max(jaccard, inside, duplicates.containment(other, text))
            if best is None or (exact, score) > (best[2], best[1]):
                best = (key, score, exact)
        if best is None:
            return None, fp, sig
        return Duplicate(self._article(best[0]), round(best[1], 2), exact=best[2]), fp, sig

    def add(self, key, text: str, fp: str, sig: bytes, *, title: str = "", in_database: bool = True):
        if in_database:
            with self.known.lock:
                self.known.add(key, fp, sig)
            return
        self.exact.setdefault(fp, key)
        self.index.add(key, sig)
        self.texts[key] = text
        self.titles[key] = title

    def _exists(self, key) -> bool:
        """A stored article may have gone since it was read (deleted, or its import rolled back)."""
        return key in self.texts or Article.objects.filter(pk=key).exists()

    def _article(self, key) -> Article:
        if key in self.titles:  # a draft of this dry run: an unsaved stand-in
            return Article(title=self.titles[key])
        return Article.objects.only("pk", "title", "slug", "status").get(pk=key)
