"""Writing drafts: each document is read by its format adapter (archive/ingest/formats/), parsed
into draft reports, checked against the archive for repeats, and written in one transaction
with its uploaded file kept byte for byte. The sha256 of a document's bytes identifies it.

    import_paths(paths) -> [ImportResult]   files, folders (recursively) and zips; one result per document
    import_file(path) -> ImportResult       one file; raises ImporterError when it cannot be read
"""

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from archive import services
from archive.history import revisions
from archive.ingest import formats
from archive.ingest.assembly import parse
from archive.ingest.corpus import CorpusError, DepartmentResolver
from archive.ingest.dates import parse_date
from archive.ingest.drafts import DraftReport, ImporterError, ImportResult
from archive.ingest.formats.plaintext import decode
from archive.ingest.repeats import RepeatFinder, draft_text
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Person,
    RawDocument,
    Section,
    Source,
    parse_partial_date,
)
from archive.slugs import unique_slug
from archive.text import stored_text

# Members of these folders are never documents (macOS resource forks, version control).
_JUNK = {"__MACOSX", ".git", ".svn"}


def expand(paths: Iterable) -> list[Path]:
    """Files as given, folders' files recursively, each in name order; hidden files skipped."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path).parts
                if found.is_file() and not any(p.startswith(".") or p in _JUNK for p in relative):
                    out.append(found)
        else:
            out.append(path)
    return out


def import_paths(
    paths: Iterable,
    *,
    dry_run: bool = False,
    ocr: bool = True,
    user=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ImportResult]:
    """Import files, folders and zips, one document at a time: a document that cannot be read,
    or that fails while it is written, is a failed result with nothing of it written, and the
    rest of the batch goes on. Each written document is one revision in the history."""
    files = expand(paths)
    finder = RepeatFinder()
    results = []
    for number, path in enumerate(files, 1):
        if progress:
            progress(number, len(files), path.name)
        try:
            items = formats.read(path, ocr=ocr)
        except formats.FormatError as exc:
            results.append(_failed(path.name, str(exc)))
            continue
        for item in items:
            if isinstance(item, formats.Failed):
                results.append(_failed(item.name, item.error))
                continue
            results.append(_import_safely(item, finder=finder, dry_run=dry_run, user=user))
    return results


def _import_safely(extracted, *, finder, dry_run, user) -> ImportResult:
    try:
        with revisions.revision(user=user, reason=f"导入原始文件 {extracted.name}"):
            return import_extracted(extracted, finder=finder, dry_run=dry_run)
    except ImporterError as exc:
        return _failed(extracted.name, str(exc), extracted.format)
    except Exception as exc:  # noqa: BLE001 — whatever it was, the transaction rolled back: say so
        problem = str(exc) or exc.__class__.__name__
        return _failed(
            extracted.name,
            f"《{extracted.name}》：写入时出错（{problem}），这个文件的内容一概没有写入。请把这条消息告诉管理员。",
            extracted.format,
        )


def _failed(name: str, error: str, format: str | None = None) -> ImportResult:
    """A document of which nothing was written, and why."""
    return ImportResult(filename=name, sha256="", error=error, format=format or formats.kind_of(name) or "")


def import_file(path, *, dry_run: bool = False, ocr: bool = True) -> ImportResult:
    """Import one file (not a zip) as draft articles, in one transaction. A file whose bytes
    were imported before is left alone (result.already_imported). Raises ImporterError, naming
    the file, when it cannot be read; nothing is written then."""
    path = Path(path)
    try:
        items = formats.read(path, ocr=ocr)
    except formats.FormatError as exc:
        raise ImporterError(str(exc)) from exc
    if len(items) != 1 or isinstance(items[0], formats.Failed):
        raise ImporterError(f"《{path.name}》：这是一个压缩包，请用批量导入（import_reports 命令或导入页面）。")
    return import_extracted(items[0], finder=RepeatFinder(), dry_run=dry_run)


def import_extracted(extracted, *, finder: RepeatFinder, dry_run: bool = False) -> ImportResult:
    """One document's drafts. Exact repeats of an article already in the archive (or earlier in
    the batch) are reported, not written again; near repeats are written with a warning."""
    data = extracted.data
    digest = hashlib.sha256(data).hexdigest()
    result = ImportResult(
        filename=extracted.name,
        sha256=digest,
        dry_run=dry_run,
        format=extracted.format,
        engine=extracted.engine,
        ocr=extracted.ocr,
        encoding=extracted.encoding,
        warnings=list(extracted.warnings),
    )
    existing = RawDocument.objects.filter(sha256=digest).first()
    if existing is not None:
        result.already_imported, result.raw_document, result.encoding = True, existing, existing.encoding
        return result
    text = decode(data, extracted.name)[0] if extracted.format == "txt" else extracted.text()
    # Stored as the archive stores text (archive.text.stored_text): a form feed (a page break in
    # text converted from PDF) or vertical tab ends a line, other control characters and
    # noncharacters go, before anything is read from it.
    text = stored_text(text)
    result.reports = parse(text)
    if not result.reports:
        raise ImporterError(f"《{extracted.name}》：没有读出可以成稿的文字。请检查文件内容，扫描件请确认已开启文字识别。")
    _apply_hints(result, extracted)
    resolver = DepartmentResolver()
    resolved = []
    for report in result.reports:
        found = []
        for name in report.departments:
            try:
                found.append(resolver.resolve(name))
            except CorpusError:
                result.unresolved_departments.append(name)
                report.unsure(report.first_line, name, "单位未能在单位目录中找到（名称、简称或别名），未关联")
        resolved.append(found)
    keys = []
    texts = [draft_text(report) for report in result.reports]
    for report, compared in zip(result.reports, texts):
        repeat, fp, sig = finder.find(compared, ocr=extracted.ocr)
        result.duplicates.append(repeat)
        keys.append((fp, sig))
        if repeat is not None and not repeat.exact:
            report.changes.append(f"可能与《{repeat.article.title}》重复（相似度 {repeat.similarity:.0%}），请核对")
    if dry_run or result.status == "duplicate":
        for k, report in enumerate(result.reports):
            if result.duplicates[k] is None or not result.duplicates[k].exact:
                finder.add(("dry-run", digest, k), texts[k], *keys[k], title=report.title, in_database=False)
        return result
    stored = None
    try:
        with transaction.atomic(), services.bulk_changes(reason=f"导入原始文件 {extracted.name}"):
            raw = RawDocument(
                filename=stored_text(extracted.name, multiline=False)[:255],
                sha256=digest,
                encoding=extracted.encoding,
                format=extracted.format,
                engine=extracted.engine[:120],
                ocr=extracted.ocr,
                text=text,
                report=_report_json(result),
            )
            raw.file.save(Path(extracted.name).name or "upload", ContentFile(data), save=False)
            stored = raw.file.name
            raw.save()
            for k, (report, departments) in enumerate(zip(result.reports, resolved)):
                repeat = result.duplicates[k]
                if repeat is not None and repeat.exact:
                    continue
                article = _save_draft(report, raw, departments, repeat=repeat, keys=keys[k])
                result.articles.append(article)
                finder.add(article.pk, texts[k], *keys[k])
            services.sections_relink(sections=Section.objects.filter(article__raw_document=raw))
    except BaseException:
        if stored:
            raw.file.storage.delete(stored)
        raise
    result.raw_document = raw
    return result


def _apply_hints(result: ImportResult, extracted) -> None:
    """What the file's metadata says, used only where the text itself is silent, and noted."""
    hints = extracted.hints or {}
    for report in result.reports:
        if extracted.ocr:
            # The note is public once the report is: the model's code name (chi_sim) said in words.
            engine = extracted.engine.replace(f"（{formats.ocr.LANGUAGE}）", "，简体中文模型")
            report.changes.append(f"正文经文字识别得出（识别程序 {engine}），须对照原件校对")
        if hints.get("source") and not report.source:
            report.source = stored_text(str(hints["source"]), multiline=False).strip()[:120]
            report.changes.append(f"出处据文件信息记为{report.source}")
    # Only a web page's own publication date says when the report appeared; a Word or PDF file's
    # creation date is when someone saved or converted it, often years later.
    if extracted.format == "html" and len(result.reports) == 1 and hints.get("date") and result.reports[0].date is None:
        report, raw = result.reports[0], str(hints["date"])
        found = parse_date(raw)
        if found is None:
            try:
                found = parse_partial_date(raw[:10])
            except ValueError:
                found = None
        if found and found[0] is not None:
            report.date, report.date_precision = found
            report.date_inferred = True
            report.changes.append(f"日期推定：正文未印日期，据网页所载的发布日期（{raw[:10]}）填写")


def _report_json(result: ImportResult) -> dict:
    return {
        "uncertain": result.uncertain,
        "reports": [{"title": r.title, "lines": [r.first_line, r.last_line]} for r in result.reports],
        "unresolved_departments": sorted(set(result.unresolved_departments)),
    }


def _save_draft(report: DraftReport, raw: RawDocument, departments, *, repeat=None, keys=("", None)) -> Article:
    article = Article(
        source=_source(report.source) if report.source else None,
        page=report.page[:20],
        fingerprint=keys[0],
        signature=keys[1],
        duplicate_of=repeat.article if repeat is not None else None,
        duplicate_similarity=repeat.similarity if repeat is not None else None,
        title=report.title[:300],
        subtitle=report.subtitle[:300],
        kind=report.kind,
        date=report.date,
        date_precision=report.date_precision,
        date_inferred=report.date_inferred,
        doc_number=report.doc_number[:80],
        original_text=report.original,
        editorial_note=report.editorial_note,
        raw_document=raw,
        status=Article.Status.DRAFT,
        slug=unique_slug(Article, f"draft-{report.title}", max_length=100),
    )
    article.full_clean()
    article.save()
    order = 0
    for section in report.sections:
        if section.heading or section.paragraphs:
            order += 1
            Section.objects.create(
                article=article, order=order, heading=section.heading[:300], body=section.body, anchor=f"s{order}"
            )
    for order, text in enumerate(report.captions, 1):
        Caption.objects.create(article=article, order=order, text=text)
    for order, author in enumerate(report.authors):
        Authorship.objects.create(
            article=article, person=_person(author.name), order=order, role=author.role, position=author.position[:120]
        )
    for department in {d.pk: d for d in departments}.values():
        ArticleDepartment.objects.create(article=article, department=department, role=ArticleDepartment.Role.AUTHOR)
    return article


def _source(name: str) -> Source:
    source = Source.objects.filter(name=name).first()
    if source is None:
        kind = Source.Kind.NEWSPAPER if name.endswith("报") else Source.Kind.WEBSITE if "网" in name else Source.Kind.OTHER
        source = Source.objects.create(name=name, kind=kind, slug=unique_slug(Source, name))
    return source


def _person(name: str) -> Person:
    person = Person.objects.filter(name=name).order_by("pk").first()
    if person is None:
        person = Person.objects.create(name=name, slug=unique_slug(Person, name))
    return person


def import_upload(*, path, dry_run: bool = False, user=None, ocr: bool = True) -> list[ImportResult]:
    """Import uploaded files (any format, or a zip) for `user`; each document is one revision in
    the history and all or nothing. A dry run writes nothing at all."""
    if dry_run:
        with transaction.atomic():
            results = import_paths([path], dry_run=True, ocr=ocr, user=user)
            transaction.set_rollback(True)
        return results
    return import_paths([path], ocr=ocr, user=user)
