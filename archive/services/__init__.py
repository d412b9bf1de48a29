"""Writes to the archive. Each runs in one transaction; callers pass keyword arguments.

The editorial services (publishing, splitting, merging and moving sections, restoring from
history, importing an upload) also take the acting `user`: everything one of them writes is one
revision in the history, with that user and a reason (archive/revisions.py). Each one that
changes an article raises its `version`, so that an editor who still has the old version open
gets a conflict instead of overwriting it (article_lock).
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from archive import linking
from archive.history import revisions
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Initiative,
    Mention,
    Person,
    RawDocument,
    Section,
    Series,
    Source,
    next_anchor,
)

_bulk_changes = 0


class EditorialError(ValueError):
    """An edit that cannot be made as asked; the message says why, in Chinese, for the editor."""


class EditConflict(EditorialError):
    """Someone saved the article after the editor opened it; nothing was written."""

    def __init__(self, article: Article, expected: int):
        self.article, self.expected = article, expected
        last = article.history.order_by("-history_date", "-history_id").first()
        who = (last.history_username or "其他编辑") if last else "其他编辑"
        when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M:%S") if last else ""
        super().__init__(
            f"保存冲突：你打开的是第 {expected} 版，此后 {who} 于 {when} 已保存了第 {article.version} 版。"
            "你的修改没有写入，也没有覆盖对方的修改（你填写的内容仍在下面的表单里）。"
            "请在新窗口打开最新版本，对照“历史”中的改动后再修改。"
        )


@contextmanager
def bulk_changes(reason: str = "批量写入"):
    """Bulk loads turn per-save derived work off (linking, indexing) and redo it once at the end:
    sections_relink() here, rebuild_index in the search app. Everything written inside is one
    revision in the history."""
    global _bulk_changes
    _bulk_changes += 1
    try:
        with revisions.revision(reason=reason):
            yield
    finally:
        _bulk_changes -= 1


def in_bulk_changes() -> bool:
    return _bulk_changes > 0


def _patterns():
    return linking.build_patterns(Initiative.objects.all())


def _write_mentions(section: Section, patterns) -> int:
    found = linking.mentions_in_section(section.heading, section.body, patterns)
    existing = {m.initiative_id: m for m in section.mentions.all()}
    for initiative_id, matches in found.items():
        offsets = [[m.field, m.start, m.end] for m in matches]
        mention = existing.pop(initiative_id, None)
        if mention is None:
            Mention.objects.create(section=section, initiative_id=initiative_id, count=len(matches), offsets=offsets)
        elif mention.count != len(matches) or mention.offsets != offsets:
            mention.count, mention.offsets = len(matches), offsets
            mention.save(update_fields=["count", "offsets"])
    if existing:
        Mention.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
    return sum(len(matches) for matches in found.values())


@transaction.atomic
def section_link(*, section: Section) -> int:
    """Recompute the mentions of one section; returns how many mentions it has."""
    return _write_mentions(section, _patterns())


@transaction.atomic
def sections_relink(*, sections=None) -> int:
    """Recompute mentions for the given sections (all when None); returns the mention total.
    Any change to an initiative's names can move a boundary between two overlapping names, so
    an initiative change relinks every section rather than guessing which ones it touched."""
    patterns = _patterns()
    sections = Section.objects.all() if sections is None else sections
    total = 0
    for section in sections.prefetch_related("mentions").iterator(chunk_size=500):
        total += _write_mentions(section, patterns)
    return total


@transaction.atomic
def articles_relink(*, articles) -> int:
    """Recompute the mentions of every section of these articles; returns the mention total."""
    return sections_relink(sections=Section.objects.filter(article__in=list(articles)))


# ---------------------------------------------------------------------------------------------
# Optimistic locking


def article_lock(*, article_id: int, expected_version: int | None = None) -> Article:
    """The article, locked for the rest of the transaction (PostgreSQL: SELECT … FOR UPDATE;
    SQLite takes its write lock when the transaction starts). Raises EditConflict when the
    article's version is no longer expected_version."""
    article = Article.objects.select_for_update().get(pk=article_id)
    if expected_version is not None and article.version != expected_version:
        raise EditConflict(article, expected_version)
    return article


def article_touch(*, article: Article) -> Article:
    """Raise the article's version (its history records the change)."""
    article.version += 1
    article.save(update_fields=["version", "updated_at"])
    return article


# ---------------------------------------------------------------------------------------------
# Publishing


def article_set_status(*, article: Article, status: str, user=None, expected_version: int | None = None) -> Article:
    """Publish or unpublish one article. A published article must have a title and a section;
    drafts are never shown on the public site or found by search (the index drops them)."""
    if status not in Article.Status.values:
        raise EditorialError(f"未知状态：{status}")
    reason = "发布" if status == Article.Status.PUBLISHED else "撤下"
    with transaction.atomic(), revisions.revision(user=user, reason=reason):
        locked = article_lock(article_id=article.pk, expected_version=expected_version)
        if locked.status == status:
            return locked
        if status == Article.Status.PUBLISHED:
            if not locked.title.strip():
                raise EditorialError(f"《{locked}》没有标题，不能发布。")
            if not locked.sections.exists():
                raise EditorialError(f"《{locked}》还没有正文段落，不能发布。")
        locked.status = status
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        return locked


def articles_set_status(*, articles, status: str, user=None) -> tuple[int, list[str]]:
    """Publish or unpublish several articles, all or none; returns (changed, problems). When any
    article cannot take the status nothing is changed."""
    with transaction.atomic(), revisions.revision(user=user, reason="批量" + ("发布" if status == Article.Status.PUBLISHED else "撤下")):
        changed, problems = 0, []
        for article in articles:
            if article.status == status:
                continue
            try:
                article_set_status(article=article, status=status, user=user)
                changed += 1
            except EditorialError as exc:
                problems.append(str(exc))
        if problems:
            transaction.set_rollback(True)
            return 0, problems
        return changed, []


# ---------------------------------------------------------------------------------------------
# Sections


def _shift_down(article_id: int, after_order: int, by: int = 1):
    """Move every section below after_order down by `by`, bottom first so that no two share an
    order at any moment; each move is saved, so the history knows the new order."""
    for section in Section.objects.filter(article_id=article_id, order__gt=after_order).order_by("-order"):
        section.order += by
        section.save(update_fields=["order"])


def section_split(*, section: Section, at: int, heading: str = "", user=None, expected_version: int | None = None) -> Section:
    """Split a section before its paragraph number `at` (1-based; the first paragraph stays):
    the paragraphs from `at` on become a new section right after it, with `heading`.
    Returns the new section."""
    with transaction.atomic(), revisions.revision(user=user, reason="拆分段落"):
        article = article_lock(article_id=section.article_id, expected_version=expected_version)
        section = Section.objects.get(pk=section.pk)
        paragraphs = section.paragraphs
        if not 2 <= at <= len(paragraphs):
            raise EditorialError(f"拆分位置须在第 2 段到第 {len(paragraphs)} 段之间（这一节共 {len(paragraphs)} 段）。")
        if len(heading) > 300:
            raise EditorialError("小标题不能超过 300 字。")
        section.body = "\n".join(paragraphs[: at - 1])
        section.save(update_fields=["body"])
        _shift_down(article.pk, section.order)
        new = Section.objects.create(
            article=article, order=section.order + 1, heading=heading.strip(), body="\n".join(paragraphs[at - 1 :])
        )
        article_touch(article=article)
        return new


def sections_merge(*, sections, user=None) -> Section:
    """Merge sections of one article into the first of them (in reading order). The headings of
    the others become paragraphs of their own, so no text is lost. Returns the merged section."""
    sections = sorted(sections, key=lambda s: s.order)
    if len(sections) < 2:
        raise EditorialError("请至少选择两节再合并。")
    if len({s.article_id for s in sections}) != 1:
        raise EditorialError("只能合并同一篇报道中的段落。")
    with transaction.atomic(), revisions.revision(user=user, reason="合并段落"):
        article = article_lock(article_id=sections[0].article_id)
        fresh = {s.pk: s for s in Section.objects.filter(pk__in=[s.pk for s in sections])}
        if len(fresh) != len(sections):
            raise EditorialError("所选段落中有的已被删除，请刷新后重试。")
        first, *others = [fresh[s.pk] for s in sections]
        lines = [first.body] if first.body else []
        for other in others:
            if other.heading:
                lines.append(other.heading)
            if other.body:
                lines.append(other.body)
        for other in others:
            other.delete()
        first.body = "\n".join(lines)
        first.save(update_fields=["body"])
        article_touch(article=article)
        return first


def section_move(*, section: Section, to_article: Article, user=None, expected_version: int | None = None) -> Section:
    """Move a section to the end of another article. It keeps its anchor unless the other
    article uses it already."""
    if section.article_id == to_article.pk:
        raise EditorialError("段落已在这篇报道中。")
    with transaction.atomic(), revisions.revision(user=user, reason="移动段落"):
        first_id, second_id = sorted([section.article_id, to_article.pk])
        locked = {first_id: article_lock(article_id=first_id), second_id: article_lock(article_id=second_id)}
        source = locked[section.article_id]
        if expected_version is not None and source.version != expected_version:
            raise EditConflict(source, expected_version)
        target = locked[to_article.pk]
        section = Section.objects.get(pk=section.pk)
        last = Section.objects.filter(article=target).aggregate(m=Max("order"))["m"] or 0
        if Section.objects.filter(article=target, anchor=section.anchor).exists():
            section.anchor = next_anchor(target.pk)
        section.article = target
        section.order = last + 1
        section.save()
        article_touch(article=source)
        article_touch(article=target)
        return section


# ---------------------------------------------------------------------------------------------
# Restoring from history


def article_restore(*, article_id: int, batch: str | None = None, user=None) -> list[str]:
    """Bring an article (with its sections, bylines, department roles and captions) back to how
    it was after the revision `batch`; with batch None, a deleted article comes back as it was
    before its deletion. Sections added since are deleted (and stay in the history). Returns
    warnings about references that could not be restored."""
    from archive.history import versions as history

    timeline = history.Timeline(Article, article_id)
    version = timeline.last_existing() if batch is None else _version(timeline, batch)
    if version is None or not version.exists:
        raise EditorialError("这个版本中报道不存在（已删除），请选择删除之前的版本。")
    when = timezone.localtime(version.date).strftime("%Y-%m-%d %H:%M")
    warnings: list[str] = []
    with transaction.atomic(), revisions.revision(user=user, reason=f"恢复到第 {version.number} 版（{when}）"):
        _apply_article_state(article_id, version.state, warnings)
    return warnings


def _version(timeline, batch):
    try:
        return timeline.get(batch)
    except KeyError:
        raise EditorialError("没有这个版本。")


def _apply_article_state(article_id: int, state: dict, warnings: list[str]):
    values = dict(state["object"])
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    creating = article is None
    if creating:
        article = Article(pk=article_id)
        last = Article.history.filter(id=article_id).aggregate(m=Max("version"))["m"] or 0
        values["version"] = last + 1
    else:
        values["version"] = article.version + 1
    values.pop("id", None)
    created_at = values.pop("created_at", None)
    values.pop("updated_at", None)
    for attname, value in values.items():
        setattr(article, attname, value)
    for attname, model in (("source_id", Source), ("series_id", Series), ("raw_document_id", RawDocument)):
        pk = getattr(article, attname)
        if pk is not None and not _ensure(model, pk, warnings):
            setattr(article, attname, None)
    if Article.objects.exclude(pk=article_id).filter(slug=article.slug).exists():
        raise EditorialError(f"网址名“{article.slug}”已被另一篇报道使用，无法恢复；请先修改那一篇的网址名。")
    article.save(force_insert=creating)
    if creating and created_at is not None:
        _keep_stamp(Article, article_id, {"created_at": created_at})

    # Sections: drop those added since, park the rest out of the way of the unique
    # (article, order) and (article, anchor) constraints, then write each as it was.
    wanted = state["sections"]
    for section in Section.objects.filter(article_id=article_id).exclude(pk__in=list(wanted)):
        section.delete()
    for section in Section.objects.filter(article_id=article_id):
        Section.objects.filter(pk=section.pk).update(order=1_000_000 + section.pk, anchor=f"tmp{section.pk}")
    for pk, row in sorted(wanted.items(), key=lambda item: item[1]["order"]):
        section = Section.objects.filter(pk=pk).first()
        moved_from = section.article_id if section is not None and section.article_id != article_id else None
        new = section is None
        section = section or Section(pk=pk)
        for attname, value in row.items():
            if attname != "id":
                setattr(section, attname, value)
        section.save(force_insert=new)
        if moved_from is not None:
            article_touch(article=Article.objects.get(pk=moved_from))

    _restore_rows(Caption, article_id, state["captions"], {}, warnings)
    _restore_rows(Authorship, article_id, state["authorships"], {"person_id": Person}, warnings)
    _restore_rows(ArticleDepartment, article_id, state["department_roles"], {"department_id": Department}, warnings)


def _keep_stamp(model, pk: int, values: dict):
    """Put back an auto_now_add time that re-creating the object replaced with "now", in the
    object and in the history row that re-creating it wrote."""
    model.objects.filter(pk=pk).update(**values)
    rev = revisions.current()
    if rev is not None:
        model.history.filter(id=pk, batch=rev.batch).update(**values)


def _restore_rows(model, article_id: int, wanted: dict, references: dict, warnings: list[str]):
    model.objects.filter(article_id=article_id).exclude(pk__in=list(wanted)).delete()
    for pk, row in sorted(wanted.items()):
        if any(not _ensure(ref_model, row[attname], warnings) for attname, ref_model in references.items()):
            continue
        obj = model.objects.filter(pk=pk).first()
        new = obj is None
        obj = obj or model(pk=pk)
        for attname, value in row.items():
            if attname != "id":
                setattr(obj, attname, value)
        obj.save(force_insert=new)


def _ensure(model, pk, warnings: list[str]) -> bool:
    """The referenced object exists, restored from its history if it was deleted."""
    if model.objects.filter(pk=pk).exists():
        return True
    try:
        _restore_record(model, pk, None, warnings)
        warnings.append(f"引用的{model._meta.verbose_name}（#{pk}）已被删除，已一并从历史中恢复。")
        return True
    except EditorialError as exc:
        warnings.append(f"引用的{model._meta.verbose_name}（#{pk}）已不存在，未能恢复：{exc}")
        return False


def record_restore(*, model, object_id: int, batch: str | None = None, user=None) -> list[str]:
    """Bring a catalog entry (department, initiative, person, source, series) back to how it was
    after the revision `batch`; with batch None, a deleted entry comes back as it was before its
    deletion. Returns warnings."""
    version = _record_version(model, object_id, batch)
    when = timezone.localtime(version.date).strftime("%Y-%m-%d %H:%M")
    warnings: list[str] = []
    with transaction.atomic(), revisions.revision(user=user, reason=f"恢复到第 {version.number} 版（{when}）"):
        _restore_record(model, object_id, version, warnings)
    return warnings


def _record_version(model, object_id: int, batch: str | None):
    from archive.history import versions as history

    timeline = history.Timeline(model, object_id)
    version = timeline.last_existing() if batch is None else _version(timeline, batch)
    if version is None or not version.exists:
        raise EditorialError("历史中没有它存在时的版本。")
    return version


def _restore_record(model, object_id: int, version, warnings: list[str]):
    from django.core.exceptions import ValidationError

    from archive.history import versions as history

    version = version or _record_version(model, object_id, None)
    values = dict(version.state["object"])
    m2m = {name: values.pop(name) for name in history.m2m_of(model)}
    obj = model.objects.filter(pk=object_id).first()
    new = obj is None
    obj = obj or model(pk=object_id)
    stamp = {f.attname: values.pop(f.attname) for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)}
    for attname, value in values.items():
        if attname != "id":
            setattr(obj, attname, value)
    for f in model._meta.concrete_fields:
        if f.is_relation and getattr(obj, f.attname) is not None:
            if not _ensure(f.related_model, getattr(obj, f.attname), warnings):
                setattr(obj, f.attname, None)
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise EditorialError("无法恢复：" + "；".join(m for ms in exc.message_dict.values() for m in ms))
    try:
        with transaction.atomic():
            obj.save(force_insert=new)
    except IntegrityError as exc:
        raise EditorialError(f"无法恢复：{exc}")
    if new and stamp:
        _keep_stamp(model, object_id, stamp)
    for name, ids in m2m.items():
        existing = list(Department.objects.filter(pk__in=ids))
        getattr(obj, name).set(existing)
    return version


# ---------------------------------------------------------------------------------------------
# Importing a raw file


def raw_file_import(*, path, dry_run: bool = False, user=None):
    """Import one raw text file as draft articles (archive/importer.py), as one revision and all
    or nothing: whatever goes wrong, nothing is written. Returns the importer's ImportResult."""
    from archive.ingest import importer

    with transaction.atomic(), revisions.revision(user=user, reason=f"导入原始文件 {getattr(path, 'name', path)}"):
        result = importer.import_file(path, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        return result
