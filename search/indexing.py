"""Keeping the index in step with the archive.

Only sections of published articles are indexed (drafts are never found). Every write is logged
as an IndexChange, which each serving process's live view follows, re-reading only the articles
it names (search.live; remembered results are dropped or patched only where those articles
touch them, search.memo), and replaces the index token, which keys the views built inside a
transaction.
"""

import threading
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from archive.models import Article, Initiative, Mention, Section, published_q
from archive.text import folded
from search import segmentation
from search.documents import ARTICLE_WORD_PARTS, DOCUMENT_COLUMNS, indexed_texts, printed_parts, texts_of_parts
from search.models import ArticleDocument, IndexChange, IndexState, SearchDocument
from search.normalize import normalize
from search.tokens import BREAK_MARK, canonical, canonical_of, units


def state() -> IndexState:
    obj, _ = IndexState.objects.get_or_create(pk=1)
    return obj


def record_index_write(article_ids=(), scope=IndexChange.Scope.ARTICLE):
    """Record an index write: the articles it touched (or a catalog change, or everything)."""
    IndexState.objects.get_or_create(pk=1)
    IndexState.objects.filter(pk=1).update(token=uuid.uuid4().hex)
    if scope == IndexChange.Scope.ARTICLE:
        IndexChange.objects.bulk_create([IndexChange(scope=scope, article_id=a) for a in sorted(set(article_ids))])
    else:
        IndexChange.objects.create(scope=scope)


def article_text(article: Article) -> str:
    """What every section of an article holds besides its heading and body: the title. The rest
    printed once per report (subtitle, 文号, bylines…) is its ArticleDocument (search.documents)."""
    return article.title


def article_document(article_id: int, parts: dict[str, list[str]], tk) -> ArticleDocument:
    """A report's ArticleDocument from its printed parts."""
    texts = texts_of_parts(parts)
    words = {
        field: " ".join(w for part in parts[key] if part for w in segmentation.words(normalize(part), tk))
        for field, key in ARTICLE_WORD_PARTS.items()
    }
    return ArticleDocument(
        article_id=article_id, canon=texts.canon, title_canon=texts.title, author_canon=texts.author,
        dept_canon=texts.dept, docno_canon=texts.docno, caption_canon=texts.caption,
        **{f"{field}_words": value for field, value in words.items()},
    )


def index_article_documents(article_ids, record: bool = True) -> int:
    """(Re)write the ArticleDocument of these reports: bylines, departments, captions, series or
    source changed. Those not (or no longer) published lose theirs. Runs in the caller's
    transaction; logged as a change to each report, which the live views follow."""
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    tk = segmentation.tokenizer()
    published = list(Article.objects.filter(published_q(), pk__in=ids).values_list("pk", flat=True))
    parts = printed_parts(published)
    with transaction.atomic():
        ArticleDocument.objects.filter(article_id__in=ids).delete()
        ArticleDocument.objects.bulk_create([article_document(aid, parts[aid], tk) for aid in published])
        if record and not _rebuilding:
            record_index_write(ids)
    return len(published)


def document_canon(title: str, heading: str, body: str) -> str:
    """The canonical text a section is matched against (what SearchDocument.canon holds)."""
    return BREAK_MARK.join(canonical_of(units(normalize(part))) for part in (title, heading, body))


def initiative_words(names) -> str:
    """SearchDocument.init_words of a section that names initiatives by these names."""
    return "\t".join(folded(normalize(n)) for n in names)


def section_document(section: Section, title: str, names: list[str], tk) -> SearchDocument:
    """A section's SearchDocument: its canonical text and its words (jieba), from which the
    node's index (search.tantivy_index) is built and changes are applied."""
    title_n, heading_n, body_n = normalize(title), normalize(section.heading), normalize(section.body)
    seqs = [units(title_n), units(heading_n), units(body_n)]
    return SearchDocument(
        section_id=section.pk,
        article_id=section.article_id,
        canon=BREAK_MARK.join(canonical_of(seq) for seq in seqs),
        title_words=" ".join(segmentation.words(title_n, tk)),
        init_words=initiative_words(names),
        heading_words=" ".join(segmentation.words(heading_n, tk)),
        body_words=" ".join(segmentation.words(body_n, tk)),
    )


def initiative_names(section_ids) -> dict[int, list[str]]:
    """For each section, the names and aliases of the initiatives it mentions: a query that names
    an initiative in any of its forms matches the section's initiative field."""
    names: dict[int, list[str]] = {}
    initiative_names = {}  # each initiative's names, worked out once (not per mention)
    rows = (
        Mention.objects.filter(section_id__in=section_ids)
        .order_by("section_id", "initiative__name")
        .values_list("section_id", "initiative_id", "initiative__name", "initiative__aliases")
    )
    for sid, iid, name, aliases in rows:
        if iid not in initiative_names:
            initiative_names[iid] = Initiative(name=name, aliases=aliases).names
        names.setdefault(sid, []).extend(initiative_names[iid])
    return names


def index_sections(section_ids) -> int:
    """(Re)index these sections; those not (or no longer) published are removed. Returns the
    number indexed. Runs in the caller's transaction."""
    section_ids = list(section_ids)
    if not section_ids:
        return 0
    tk = segmentation.tokenizer()
    indexed = 0
    with transaction.atomic():
        for start in range(0, len(section_ids), 500):
            chunk = section_ids[start : start + 500]
            sections = list(
                Section.objects.filter(published_q("article"), pk__in=chunk).select_related("article")
            )
            names = initiative_names([s.pk for s in sections])
            documents = [section_document(s, article_text(s.article), names.get(s.pk, []), tk) for s in sections]
            touched = set(SearchDocument.objects.filter(section_id__in=chunk).values_list("article_id", flat=True))
            touched |= {s.article_id for s in sections}
            SearchDocument.objects.filter(section_id__in=chunk).delete()
            SearchDocument.objects.bulk_create(documents)
            indexed += len(documents)
            if not _rebuilding:
                record_index_write(touched)
    return indexed


def index_article(article_id: int) -> int:
    ids = list(Section.objects.filter(article_id=article_id).values_list("pk", flat=True))
    stale = list(SearchDocument.objects.filter(article_id=article_id).exclude(section_id__in=ids).values_list("section_id", flat=True))
    remove_sections(stale)
    index_article_documents([article_id], record=not ids)  # with sections, index_sections logs the change
    return index_sections(ids)


def remove_sections(section_ids, article_ids=()) -> None:
    """Drop these sections from the index. article_ids names their articles when the index rows
    may already be gone (a cascade deletes them before the section's post_delete signal)."""
    section_ids = list(section_ids)
    if not section_ids:
        return
    with transaction.atomic():
        touched = set(article_ids)
        touched |= set(SearchDocument.objects.filter(section_id__in=section_ids).values_list("article_id", flat=True))
        SearchDocument.objects.filter(section_id__in=section_ids).delete()
        record_index_write(touched)


def catalog_names_changed(names, *, section_ids=(), article_ids=(), dictionary_before: str | None = None) -> None:
    """A department's or an initiative's names changed (renamed, an alias added or dropped, the
    entry deleted): `names` are those that came or went. They are words of the segmenter's
    dictionary, so the words of every text that has one of them may change, and those sections
    and reports are re-indexed, with the entry's own (section_ids: the sections that mention an
    initiative, whose initiative names change; article_ids: the reports filed under it, whose
    catalog names change). Then, when the index was built with the dictionary of just before
    the change, it is recorded as built with the new one: check_index has nothing to report and
    no rebuild is needed. Runs in the caller's transaction.

    The texts that have a name are all a new or dropped word can re-segment: jieba and rjieba
    only move a boundary where the word occurs (its frequency shifts the dictionary's total by a
    few millionths, which could tip a near tie elsewhere; words only rank, and recall never
    depends on them, docs/search.md)."""
    from search import tantivy_index  # the index reads the models this module writes

    sections, articles = set(section_ids), set(article_ids)
    lookup = tantivy_index.current_lookup()
    for name in {normalize(n) for n in names if n}:
        if not any(u is not None for u in units(name)):
            continue
        sections |= lookup.sections_with(name, canonical(name))
        articles |= lookup.articles_with(name, canonical(name))
    segmentation.reset()
    index_sections(sorted(sections))
    index_article_documents(articles)
    if dictionary_before is not None and state().dictionary_hash == dictionary_before:
        IndexState.objects.filter(pk=1).update(dictionary_hash=segmentation.dictionary_hash())


@dataclass
class RebuildReport:
    sections: int
    characters: int  # bytes of UTF-8 text indexed
    seconds: float
    dictionary_hash: str
    workers: int = 1


_rebuilding = False
CHUNK = 2000


def _build_chunk(items):
    """Worker: SearchDocument rows (plain tuples, in DOCUMENT_COLUMNS order) for a chunk of plain
    tuples."""
    tk = segmentation.tokenizer()
    documents = []
    for sid, aid, text, heading, body, names in items:
        doc = section_document(Section(pk=sid, article_id=aid, heading=heading, body=body), text, names, tk)
        documents.append((doc.section_id, doc.article_id, doc.canon, doc.title_words, doc.init_words, doc.heading_words, doc.body_words))
    return documents


def _insert_documents(documents: list[tuple]) -> None:
    """Insert SearchDocument rows (tuples in DOCUMENT_COLUMNS order): one COPY on PostgreSQL."""
    table, columns = SearchDocument._meta.db_table, ", ".join(DOCUMENT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for document in documents:
                    copy.write_row(document)
        else:
            marks = ", ".join(["%s"] * len(DOCUMENT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", documents)


def refresh_statistics() -> None:
    """PostgreSQL: ANALYZE the whole database (about 2 s at 100,000 sections): after a bulk load
    and a rebuild, autovacuum has not yet sampled the new rows, and the planner, believing the
    article table holds a handful of rows, joins a few reports' mentions by reading all 20,000
    articles (15 ms instead of 1)."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # a million sections: not bounded as a web request
        cursor.execute("ANALYZE")


def rebuild(progress=None, workers: int | None = None) -> RebuildReport:
    """Drop and rebuild the whole index from the database, with the current dictionary.
    Segmentation runs in a pool of worker processes (one per core by default)."""
    import multiprocessing
    import os
    import time

    global _rebuilding
    started = time.monotonic()
    segmentation.reset()
    segmentation.tokenizer()  # load before forking, so workers inherit it
    workers = workers or min(os.cpu_count() or 1, 4)
    published = Section.objects.filter(published_q("article"))
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    characters = 0
    pool = None
    if workers > 1 and len(ids) > CHUNK:
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        with transaction.atomic():
            _rebuilding = True
            SearchDocument.objects.all().delete()
            chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]

            # Pool.imap drains its input ahead of the workers; without a bound every chunk's text
            # would be held in memory at once (4.5 GB at 100,000 sections).
            in_flight = threading.BoundedSemaphore(workers * 2)

            def payloads():
                for chunk in chunks:
                    in_flight.acquire()
                    names = initiative_names(chunk)
                    rows = published.filter(pk__in=chunk).values_list("pk", "article_id", "article__title", "heading", "body")
                    yield [(sid, aid, title, heading, body, names.get(sid, [])) for sid, aid, title, heading, body in rows]

            results = pool.imap(_build_chunk, payloads()) if pool else map(_build_chunk, payloads())
            done = 0
            for documents in results:
                in_flight.release()
                _insert_documents(documents)
                done += len(documents)
                if progress:
                    progress(done, len(ids))
            _rebuild_article_documents()
            characters = sum(
                len(h.encode()) + len(b.encode())
                for h, b in published.values_list("heading", "body").iterator(chunk_size=2000)
            )
            IndexChange.objects.all().delete()
            record_index_write(scope=IndexChange.Scope.ALL)
            obj = state()
            obj.dictionary_hash = segmentation.current_hash()
            obj.built_at = timezone.now()
            obj.save(update_fields=["dictionary_hash", "built_at"])
    finally:
        _rebuilding = False
        if pool:
            pool.close()
            pool.join()
    refresh_statistics()
    return RebuildReport(len(ids), characters, time.monotonic() - started, state().dictionary_hash, workers if pool else 1)


def _rebuild_article_documents() -> None:
    """Every published report's ArticleDocument, in chunks (a few short texts per report: the
    main process segments them while the section documents are written)."""
    tk = segmentation.tokenizer()
    ArticleDocument.objects.all().delete()
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        parts = printed_parts(ids[start : start + CHUNK])
        ArticleDocument.objects.bulk_create([article_document(aid, p, tk) for aid, p in parts.items()], batch_size=500)


def drift() -> list[str]:
    """What differs between the index and the database, as sentences (empty when in step)."""
    problems = []
    published = set(
        Section.objects.filter(published_q("article")).values_list("pk", flat=True)
    )
    indexed = set(SearchDocument.objects.values_list("section_id", flat=True))
    if published - indexed:
        problems.append(f"{len(published - indexed)} 个已发布的段落不在索引中")
    if indexed - published:
        problems.append(f"索引中有 {len(indexed - published)} 个段落未发布或已不存在")
    current = segmentation.dictionary_hash()
    if state().dictionary_hash != current:
        problems.append("建索引以来分词词典变了（单位、举措名称或 words.txt 有改动）")
    stale = 0
    for section in Section.objects.filter(pk__in=indexed & published).select_related("article").iterator(chunk_size=500):
        # what is compared is the text and the initiative names: no segmenting (the words follow
        # the dictionary, checked above)
        names = initiative_names([section.pk]).get(section.pk, [])
        expected = (document_canon(article_text(section.article), section.heading, section.body), initiative_words(names))
        actual = SearchDocument.objects.filter(section_id=section.pk).values_list("canon", "init_words").first()
        if actual != expected:
            stale += 1
    if stale:
        problems.append(f"{stale} 个已索引段落的文字与数据库不一致")
    reports = set(Article.objects.published().values_list("pk", flat=True))
    held = indexed_texts(reports | set(ArticleDocument.objects.values_list("article_id", flat=True)))
    if reports - held.keys():
        problems.append(f"{len(reports - held.keys())} 篇已发布报道的署名、图片说明等尚未编入索引")
    if held.keys() - reports:
        problems.append(f"索引中有 {len(held.keys() - reports)} 篇报道的署名、图片说明等属于未发布或已删除的报道")
    expected = {aid: texts_of_parts(parts) for aid, parts in printed_parts(reports & held.keys()).items()}
    differing = sum(1 for aid, texts in expected.items() if held[aid] != texts)
    if differing:
        problems.append(f"{differing} 篇报道索引中的署名、图片说明等与数据库不一致")
    return problems
