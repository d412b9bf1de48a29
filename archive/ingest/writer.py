"""Writing drafts: one raw file, one transaction; the sha256 of its bytes identifies it."""

import hashlib
from pathlib import Path

from django.db import transaction

from archive import services
from archive.history import revisions
from archive.ingest.assembly import parse
from archive.ingest.corpus import CorpusError, DepartmentResolver
from archive.ingest.decoding import decode
from archive.ingest.drafts import DraftReport, ImporterError, ImportResult
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Person,
    RawDocument,
    Section,
)
from archive.slugs import unique_slug


def import_file(path, *, dry_run: bool = False) -> ImportResult:
    """Import one raw text file as draft articles, in one transaction. A file whose bytes were
    imported before is left alone (result.already_imported). Raises ImporterError, with the file
    name, for a file that is not text; nothing is written then."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImporterError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    result = ImportResult(filename=path.name, sha256=digest, dry_run=dry_run)
    existing = RawDocument.objects.filter(sha256=digest).first()
    if existing is not None:
        result.already_imported, result.raw_document, result.encoding = True, existing, existing.encoding
        return result
    try:
        text, result.encoding = decode(data)
    except ImporterError as exc:
        raise ImporterError(f"{path.name}: {exc}") from exc
    result.reports = parse(text)
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
    if dry_run:
        return result
    with transaction.atomic(), services.bulk_changes():
        raw = RawDocument.objects.create(
            filename=path.name, sha256=digest, encoding=result.encoding, text=text, report=_report_json(result)
        )
        for report, departments in zip(result.reports, resolved):
            result.articles.append(_save_draft(report, raw, departments))
        services.sections_relink(sections=Section.objects.filter(article__raw_document=raw))
    result.raw_document = raw
    return result


def _report_json(result: ImportResult) -> dict:
    return {
        "uncertain": result.uncertain,
        "reports": [{"title": r.title, "lines": [r.first_line, r.last_line]} for r in result.reports],
        "unresolved_departments": sorted(set(result.unresolved_departments)),
    }


def _save_draft(report: DraftReport, raw: RawDocument, departments) -> Article:
    article = Article(
        title=report.title[:300],
        subtitle=report.subtitle[:300],
        kind=report.kind,
        date=report.date,
        date_precision=report.date_precision,
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


def _person(name: str) -> Person:
    person = Person.objects.filter(name=name).order_by("pk").first()
    if person is None:
        person = Person.objects.create(name=name, slug=unique_slug(Person, name))
    return person


def import_upload(*, path, dry_run: bool = False, user=None) -> ImportResult:
    """Import one uploaded raw file as draft articles for `user`, as one revision in the history
    and all or nothing: whatever goes wrong, nothing is written. Returns the ImportResult."""
    with transaction.atomic(), revisions.revision(user=user, reason=f"导入原始文件 {getattr(path, 'name', path)}"):
        result = import_file(path, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        return result
