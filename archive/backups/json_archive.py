"""The whole archive as one JSON document, and back (format: docs/editing.md, "Backup format").

export_document() writes content, catalogs and the complete history; import_document() restores
them into an empty database with their original ids, then recomputes what is derived: the
mentions (the linker) and the search index (rebuilt, never exported). The export is
deterministic — tables in a fixed order, rows by id, keys sorted, no timestamp of its own — so
export → import into an empty database → export gives the same bytes.

User accounts are not part of a backup (passwords do not belong in a file that is copied around);
history rows keep the user name as text (history_username) and are linked to an account of that
name again when one exists.
"""

import datetime
import json
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.utils.dateparse import parse_date, parse_datetime

from archive import services
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
    Synonym,
)

FORMAT = "reform-archive-backup"
FORMAT_VERSION = 1

CONTENT = [
    ("department", Department),
    ("person", Person),
    ("source", Source),
    ("series", Series),
    ("rawdocument", RawDocument),
    ("initiative", Initiative),
    ("initiative_lead_departments", Initiative.lead_departments.through),
    ("synonym", Synonym),
    ("article", Article),
    ("authorship", Authorship),
    ("articledepartment", ArticleDepartment),
    ("section", Section),
    ("caption", Caption),
]


def history_tables() -> list[tuple[str, type[models.Model]]]:
    from django.apps import apps

    tables = [(f"history.{key}", model.history.model) for key, model in CONTENT if hasattr(model, "history")]
    tables.append(("history.initiative_lead_departments", apps.get_model("archive", "HistoricalInitiative_lead_departments")))
    return tables


def all_tables() -> list[tuple[str, type[models.Model]]]:
    return CONTENT + history_tables()


def _names() -> dict[str, str]:
    """What a clerk calls each table: article → 报道/文献."""
    names = {key: str(model._meta.verbose_name_plural) for key, model in CONTENT + [("mention", Mention)]}
    names["initiative_lead_departments"] = "举措的牵头单位"
    return names


def counts_in_words(counts: dict[str, int]) -> str:
    """{"article": 25, "history.article": 40} as a clerk reads it: 报道 25，……；修改记录：报道 40."""
    names = _names()
    current = [f"{names[key]} {n}" for key, n in counts.items() if n and not key.startswith("history.")]
    history = [f"{names[key.removeprefix('history.')]} {n}" for key, n in counts.items() if n and key.startswith("history.")]
    return "，".join(current) + (f"；修改记录：{'，'.join(history)}" if history else "")


class BackupError(Exception):
    """A backup file that cannot be restored, or a database it cannot be restored into."""


# ---------------------------------------------------------------------------------------------
# Export


def _columns(model) -> list[models.Field]:
    # Binary fields hold derived data (an article's similarity signature), made again on demand.
    return [
        f
        for f in model._meta.concrete_fields
        if f.attname != "history_user_id" and not isinstance(f, models.BinaryField)
    ]


def _dump_value(field, value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(field, models.FileField):  # the stored file's name; the file stays in MEDIA_ROOT
        return value.name or ""
    return value


def export_document() -> dict:
    tables = {}
    for key, model in all_tables():
        columns = _columns(model)
        rows = []
        for obj in model._base_manager.order_by(model._meta.pk.attname).iterator(chunk_size=1000):
            rows.append({f.attname: _dump_value(f, f.value_from_object(obj)) for f in columns})
        tables[key] = rows
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "tables": tables}


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def export_text() -> str:
    """The backup file's text. Read in one transaction, so that it is one consistent moment."""
    with transaction.atomic():
        return dumps(export_document())


# ---------------------------------------------------------------------------------------------
# Import


def _load_value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"不是有效的日期时间：{value!r}")
        return parsed
    if isinstance(field, models.DateField):
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError(f"不是有效的日期：{value!r}")
        return parsed
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def check_document(document) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"这不是档案备份文件（缺少 \"format\": \"{FORMAT}\"）。")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(f"备份格式版本是 {version!r}，这个版本的程序只能读取第 {FORMAT_VERSION} 版。")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError("备份文件缺少 \"tables\"。")
    known = {key for key, _ in all_tables()}
    unknown = sorted(set(tables) - known)
    if unknown:
        raise BackupError(f"备份文件中有不认识的表：{', '.join(unknown)}。")


def non_empty_tables() -> list[str]:
    tables = [(key, model) for key, model in all_tables()] + [("mention", Mention)]
    return [key for key, model in tables if model._base_manager.exists()]


@contextmanager
def _keeping_timestamps():
    """auto_now / auto_now_add would stamp restored rows with the time of the restore."""
    changed = []
    for _key, model in all_tables():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in changed:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def import_document(document: dict, *, rebuild_index: bool = True) -> dict[str, int]:
    """Restore a backup into an empty database, all or nothing. Returns rows per table."""
    check_document(document)
    occupied = non_empty_tables()
    if occupied:
        raise BackupError(
            "数据库不是空的（已有"
            + "、".join(dict.fromkeys(_names()[key.removeprefix("history.")] for key in occupied))
            + "）。import_archive 只恢复到空数据库："
            "新建一个数据库并 migrate 后再导入。"
        )
    users = dict(get_user_model()._default_manager.values_list(get_user_model().USERNAME_FIELD, "pk"))
    counts = {}
    with transaction.atomic(), services.bulk_changes(reason="从备份恢复"), _keeping_timestamps():
        for key, model in all_tables():
            rows = document["tables"].get(key, [])
            columns = {f.attname: f for f in _columns(model)}
            objects = []
            for n, row in enumerate(rows, 1):
                unknown = set(row) - set(columns)
                if unknown:
                    raise BackupError(f"{key} 第 {n} 行有不认识的字段：{', '.join(sorted(unknown))}。")
                try:
                    values = {name: _load_value(columns[name], value) for name, value in row.items()}
                except (ValueError, TypeError) as exc:
                    raise BackupError(f"{key} 第 {n} 行：{exc}") from exc
                if "history_username" in columns:
                    values["history_user_id"] = users.get(values.get("history_username") or "")
                objects.append(model(**values))
            model._base_manager.bulk_create(objects, batch_size=500)
            counts[key] = len(objects)
        _reset_sequences()
        _check_references()
        services.sections_relink()
    if rebuild_index:
        from search.api import rebuild

        rebuild()
    return counts


def _check_references():
    """Every id a row points at exists. Checked now rather than at commit (the constraints are
    deferred), so that a broken file is reported here, and no deferred check is left pending
    for the index rebuild (PostgreSQL will not alter a table that has some)."""
    tables = [model._meta.db_table for _key, model in CONTENT]
    try:
        connection.check_constraints(table_names=tables)
    except IntegrityError as exc:
        raise BackupError(f"备份中的引用不完整（有行指向不存在的记录）：{exc}") from exc


def _reset_sequences():
    """PostgreSQL hands out ids from sequences; after inserting ids by hand, move them past."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model for _key, model in all_tables()])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def loads(text: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BackupError(f"备份文件不是合法的 JSON：{exc}") from exc
