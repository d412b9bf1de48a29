"""Restoring an article or a catalog record from its history (archive/history/versions.py reads it)."""

from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from archive.history import revisions
from archive.history import versions as history
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Person,
    RawDocument,
    Section,
    Series,
    Source,
)
from archive.services.articles import article_touch
from archive.services.errors import EditorialError
from archive.text import stored_text


def article_restore(*, article_id: int, batch: str | None = None, user=None) -> list[str]:
    """Bring an article (with its sections, bylines, department roles and captions) back to how
    it was after the revision `batch`; with batch None, a deleted article comes back as it was
    before its deletion. Sections added since are deleted (and stay in the history). Returns
    warnings about references that could not be restored."""
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
        setattr(article, attname, _as_stored(Article, attname, value))
    for attname, model in (("source_id", Source), ("series_id", Series), ("raw_document_id", RawDocument), ("duplicate_of_id", Article)):
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
                setattr(section, attname, _as_stored(Section, attname, value))
        section.save(force_insert=new)
        if moved_from is not None:
            article_touch(article=Article.objects.get(pk=moved_from))

    _restore_rows(Caption, article_id, state["captions"], {}, warnings)
    _restore_rows(Authorship, article_id, state["authorships"], {"person_id": Person}, warnings)
    _restore_rows(ArticleDepartment, article_id, state["department_roles"], {"department_id": Department}, warnings)


def _as_stored(model, attname: str, value):
    """A value from the history as the archive stores text today (archive.text.stored_text): a
    version saved before the rule may hold control characters, and restoring it must not bring
    them back. One-line fields (CharField) and list fields (aliases) lose line breaks too."""
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if isinstance(value, str) and isinstance(field, (models.CharField, models.TextField)):
        return stored_text(value, multiline=isinstance(field, models.TextField))
    if isinstance(value, list) and isinstance(field, models.JSONField):
        return [stored_text(v, multiline=False) if isinstance(v, str) else v for v in value]
    return value


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
                setattr(obj, attname, _as_stored(model, attname, value))
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
    timeline = history.Timeline(model, object_id)
    version = timeline.last_existing() if batch is None else _version(timeline, batch)
    if version is None or not version.exists:
        raise EditorialError("历史中没有它存在时的版本。")
    return version


def _restore_record(model, object_id: int, version, warnings: list[str]):
    from django.core.exceptions import ValidationError

    version = version or _record_version(model, object_id, None)
    values = dict(version.state["object"])
    m2m = {name: values.pop(name) for name in history.m2m_of(model)}
    obj = model.objects.filter(pk=object_id).first()
    new = obj is None
    obj = obj or model(pk=object_id)
    stamp = {f.attname: values.pop(f.attname) for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)}
    for attname, value in values.items():
        if attname != "id":
            setattr(obj, attname, _as_stored(model, attname, value))
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
