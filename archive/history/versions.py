"""Reading the history: an object's versions, its state at any version, and what changed.

An article's history is the history of the article row *and* of the sections, captions, bylines
and department roles that belonged to it; a catalog entry's history is its own rows (and, for an
initiative, its lead departments). Rows are grouped into revisions by their batch
(archive/history/revisions.py), oldest first; the state after a revision is, for every object, its newest
row up to that revision, minus the deleted ones and the children that belonged to another article
then. Writing a state back is archive/services/ (article_restore, record_restore).
"""

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property

from django.db.models import Subquery
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Initiative,
    Person,
    RawDocument,
    Section,
    Series,
    Source,
    Synonym,
)

# The children that an article's history includes: (key, model, label).
ARTICLE_CHILDREN = [
    ("sections", Section, "段落/小节"),
    ("authorships", Authorship, "署名"),
    ("department_roles", ArticleDepartment, "相关单位"),
    ("captions", Caption, "图片说明"),
]
# Fields that change with every save and say nothing to a reader of the history.
QUIET_FIELDS = {"updated_at", "version"}
ROOT_MODELS = [Article, Initiative, Department, Person, Source, Series, Synonym, RawDocument]


def children_of(model) -> list:
    return ARTICLE_CHILDREN if model is Article else []


def m2m_of(model) -> list[str]:
    return ["lead_departments"] if model is Initiative else []


@cache
def tracked_fields(model) -> list:
    """The fields a model's history records (derived data such as an article's fingerprint is
    left out of it: archive/models/reports.py)."""
    history = getattr(model, "history", None)
    if history is None:
        return list(model._meta.concrete_fields)
    recorded = {f.attname for f in history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in recorded]


@dataclass
class Row:
    key: str  # "object" or a child key
    id: int
    history_id: int
    date: datetime
    type: str  # "+", "~" or "-"
    batch: str
    user: str
    reason: str
    values: dict


def _rows(model, key: str, queryset) -> list[Row]:
    attnames = [f.attname for f in tracked_fields(model)]
    meta = ["history_id", "history_date", "history_type", "batch", "history_username", "history_change_reason"]
    rows = []
    m2m = m2m_of(model) if key == "object" else []
    records = list(queryset.values(*meta, *attnames))
    links: dict[int, list[int]] = {}
    if m2m:
        history_m2m = _m2m_history_model(model)
        for history_id, department_id in history_m2m.objects.filter(
            history_id__in=[r["history_id"] for r in records]
        ).values_list("history_id", "department_id"):
            links.setdefault(history_id, []).append(department_id)
    for r in records:
        values = {a: r[a] for a in attnames}
        if m2m:
            values["lead_departments"] = sorted(links.get(r["history_id"], []))
        rows.append(
            Row(
                key=key,
                id=r["id"],
                history_id=r["history_id"],
                date=r["history_date"],
                type=r["history_type"],
                batch=r["batch"] or f"row-{key}-{r['history_id']}",
                user=r["history_username"] or "",
                reason=r["history_change_reason"] or "",
                values=values,
            )
        )
    return rows


def _m2m_history_model(model):
    from django.apps import apps

    return apps.get_model("archive", f"Historical{model.__name__}_lead_departments")


@dataclass
class Version:
    batch: str
    date: datetime
    user: str
    reason: str
    number: int  # 1 for the oldest
    state: dict
    model: type = field(repr=False, default=None)
    previous: dict = field(repr=False, default=None)  # the state before this version
    names: "Names" = field(repr=False, default=None)

    @property
    def exists(self) -> bool:
        return self.state["object"] is not None

    @cached_property
    def changes(self) -> list[str]:
        """What this version changed, as short Chinese phrases: worked out when asked for, so a
        page of the history describes only the versions it shows."""
        return describe_changes(self.model, self.previous, self.state, names=self.names)


class Timeline:
    """Every version of one root object (an article with its children, or a catalog entry)."""

    def __init__(self, model, pk: int):
        self.model, self.pk = model, pk
        rows = _rows(model, "object", model.history.filter(id=pk))
        for key, child, _label in children_of(model):
            ids = child.history.filter(article_id=pk).values("id")
            rows += _rows(child, key, child.history.filter(id__in=Subquery(ids)))
        rows.sort(key=lambda r: (r.date, r.batch, r.key != "object", r.history_id))
        names = Names(rows)
        self.versions: list[Version] = []
        latest: dict[tuple[str, int], Row] = {}
        previous = empty_state(model)
        group: list[Row] = []
        for i, row in enumerate(rows):
            group.append(row)
            if i + 1 < len(rows) and rows[i + 1].batch == row.batch:
                continue
            for r in group:
                latest[(r.key, r.id)] = r
            state = self._state(latest)
            if state != previous or not self.versions:
                first = group[0]
                users = [r.user for r in group if r.user]
                reasons = [r.reason for r in group if r.reason]
                self.versions.append(
                    Version(
                        batch=first.batch,
                        date=first.date,
                        user=users[0] if users else "",
                        reason=reasons[0] if reasons else "",
                        number=len(self.versions) + 1,
                        state=state,
                        model=model,
                        previous=previous,
                        names=names,
                    )
                )
            previous = state
            group = []

    def _state(self, latest: dict) -> dict:
        state = empty_state(self.model)
        for (key, obj_id), row in latest.items():
            if row.type == "-":
                continue
            if key == "object":
                state["object"] = dict(row.values)
            elif row.values.get("article_id") == self.pk:
                state[key][obj_id] = dict(row.values)
        return state

    def newest_first(self) -> list[Version]:
        return list(reversed(self.versions))

    def get(self, batch: str) -> Version:
        for version in self.versions:
            if version.batch == batch:
                return version
        raise KeyError(batch)

    def last_existing(self) -> Version | None:
        """The newest version in which the object existed (what a deleted object restores to)."""
        for version in reversed(self.versions):
            if version.exists:
                return version
        return None


class Names:
    """The people and departments an article's bylines and department roles name anywhere in its
    history, read in one query each the first time a change is described: the cost of a history
    page does not grow with the number of versions."""

    def __init__(self, rows: list[Row]):
        self._ids = {
            Person: {r.values.get("person_id") for r in rows if r.key == "authorships"},
            Department: {r.values.get("department_id") for r in rows if r.key == "department_roles"},
        }
        self._names: dict = {}

    def get(self, model, pk):
        if model not in self._names:
            ids = self._ids.get(model, set()) - {None}
            self._names[model] = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)} if ids else {}
        if pk not in self._names[model]:
            obj = model.objects.filter(pk=pk).first()  # only for an id not seen in the history
            self._names[model][pk] = str(obj) if obj is not None else None
        return self._names[model][pk]


def empty_state(model) -> dict:
    state = {"object": None}
    for key, _child, _label in children_of(model):
        state[key] = {}
    return state


def live_state(model, pk: int) -> dict:
    """The object as it is now, in the shape of a history state."""
    state = empty_state(model)
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        return state
    state["object"] = {f.attname: getattr(obj, f.attname) for f in tracked_fields(model)}
    for name in m2m_of(model):
        state["object"][name] = sorted(getattr(obj, name).values_list("pk", flat=True))
    for key, child, _label in children_of(model):
        for item in child.objects.filter(article_id=pk):
            state[key][item.pk] = {f.attname: getattr(item, f.attname) for f in tracked_fields(child)}
    return state


def deleted_objects(model) -> list[Row]:
    """The newest deletion row of every object of the model that does not exist now."""
    live = set(model.objects.values_list("pk", flat=True))
    rows = _rows(model, "object", model.history.filter(history_type="-").exclude(id__in=live).order_by("-history_date"))
    seen, out = set(), []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


# ---------------------------------------------------------------------------------------------
# Describing and showing changes


def field_label(model, attname: str) -> str:
    if attname == "lead_departments":
        return "牵头单位"
    for f in tracked_fields(model):
        if f.attname == attname:
            return str(f.verbose_name)
    return attname


def _name(model, pk, names: Names | None):
    if names is not None:
        return names.get(model, pk)
    return model.objects.filter(pk=pk).first()


def child_label(key: str, values: dict, names: Names | None = None) -> str:
    if key == "sections":
        heading = values.get("heading") or "导语"
        return f"第{values.get('order')}节「{heading[:20]}」"
    if key == "captions":
        return f"图片说明「{values.get('text', '')[:20]}」"
    if key == "authorships":
        person = _name(Person, values.get("person_id"), names)
        return f"署名「{person or values.get('person_id')}」"
    if key == "department_roles":
        department = _name(Department, values.get("department_id"), names)
        return f"相关单位「{department or values.get('department_id')}」"
    return key


def describe_changes(model, old: dict, new: dict, names: Names | None = None) -> list[str]:
    """What changed between two states, as short Chinese phrases."""
    if old["object"] is None and new["object"] is not None:
        changes = ["创建"]
    elif old["object"] is not None and new["object"] is None:
        return ["删除"]
    elif new["object"] is None:
        return []
    else:
        changes = []
        changed = [a for a in new["object"] if a not in QUIET_FIELDS and old["object"].get(a) != new["object"].get(a)]
        if model is Article and "status" in changed:
            changed.remove("status")
            changes.append("发布" if new["object"]["status"] == Article.Status.PUBLISHED else "撤下（改为草稿）")
        if changed:
            changes.append("修改" + "、".join(field_label(model, a) for a in changed))
    for key, child, label in children_of(model):
        before, after = old[key], new[key]
        added = [after[i] for i in sorted(after) if i not in before]
        removed = [before[i] for i in sorted(before) if i not in after]
        edited = []
        for i in sorted(set(before) & set(after)):
            fields = [a for a in after[i] if before[i].get(a) != after[i].get(a)]
            if fields:
                edited.append((after[i], fields))
        if changes == ["创建"]:
            if added:
                changes.append(f"{label} {len(added)} 项")
            continue
        for values in added:
            changes.append(f"新增{child_label(key, values, names)}")
        for values in removed:
            changes.append(f"删除{child_label(key, values, names)}")
        for values, fields in edited:
            if fields == ["order"]:
                changes.append(f"{child_label(key, values, names)}调整顺序")
            else:
                changes.append(f"{child_label(key, values, names)}：" + "、".join(field_label(child, a) for a in fields))
    return changes


def display_value(model, attname: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if attname == "lead_departments":
        names = dict(Department.objects.filter(pk__in=value).values_list("pk", "name"))
        return "、".join(names.get(v, f"#{v}") for v in value)
    for f in tracked_fields(model):
        if f.attname != attname:
            continue
        if f.is_relation:
            obj = f.related_model.objects.filter(pk=value).first()
            return str(obj) if obj is not None else f"#{value}（已不存在）"
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, list):
            return "、".join(map(str, value))
    return str(value)


def text_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts as safe HTML, with what the other lacks marked <del> (old) and <ins> (new).
    Compared line by line first, then character by character inside changed lines, which suits
    Chinese text (no spaces between words)."""
    old_out, new_out = [], []
    old_lines, new_lines = old.split("\n"), new.split("\n")
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            old_out += [escape(line) for line in old_lines[a1:a2]]
            new_out += [escape(line) for line in new_lines[b1:b2]]
        elif tag == "replace" and a2 - a1 == b2 - b1:
            for a, b in zip(old_lines[a1:a2], new_lines[b1:b2]):
                x, y = _char_diff(a, b)
                old_out.append(x)
                new_out.append(y)
        else:
            old_out += [f"<del>{escape(line)}</del>" for line in old_lines[a1:a2] if line]
            new_out += [f"<ins>{escape(line)}</ins>" for line in new_lines[b1:b2] if line]
    return mark_safe("<br>".join(old_out)), mark_safe("<br>".join(new_out))


def _char_diff(a: str, b: str) -> tuple[str, str]:
    x, y = [], []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            x.append(escape(a[a1:a2]))
            y.append(escape(b[b1:b2]))
        else:
            if a2 > a1:
                x.append(f"<del>{escape(a[a1:a2])}</del>")
            if b2 > b1:
                y.append(f"<ins>{escape(b[b1:b2])}</ins>")
    return "".join(x), "".join(y)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    changed: bool


@dataclass
class ChildChange:
    label: str
    status: str  # "added", "removed", "changed", "same"
    fields: list[FieldChange]


def compare(model, old: dict, new: dict) -> dict:
    """Field-by-field comparison of two states, ready for a template."""
    def fields_of(m, a: dict | None, b: dict | None, skip=()) -> list[FieldChange]:
        a, b = a or {}, b or {}
        out = []
        for attname in dict.fromkeys([*a, *b]):
            if attname in QUIET_FIELDS or attname in skip or attname == "id":
                continue
            x, y = a.get(attname), b.get(attname)
            if isinstance(x, str) and isinstance(y, str) and x != y and ("\n" in x + y or len(x + y) > 80):
                xs, ys = text_diff(x, y)
            else:
                xs, ys = escape(display_value(m, attname, x)), escape(display_value(m, attname, y))
                if x != y:
                    xs = mark_safe(f"<del>{xs}</del>") if xs else xs
                    ys = mark_safe(f"<ins>{ys}</ins>") if ys else ys
            out.append(FieldChange(field_label(m, attname), xs, ys, x != y))
        return out

    fields = fields_of(model, old["object"], new["object"], skip={"original_text"})
    result = {
        "object": fields,
        "object_changed": [f for f in fields if f.changed],
        "object_same": [f for f in fields if not f.changed],
        "children": [],
    }
    for key, child, label in children_of(model):
        before, after = old[key], new[key]
        entries = []
        ids = sorted(set(before) | set(after), key=lambda i: ((after.get(i) or before.get(i)).get("order", 0), i))
        for i in ids:
            a, b = before.get(i), after.get(i)
            status = "added" if a is None else "removed" if b is None else "changed" if a != b else "same"
            entries.append(
                ChildChange(child_label(key, b or a), status, fields_of(child, a, b, skip={"article_id", "anchor"}))
            )
        changed = [e for e in entries if e.status != "same"]
        result["children"].append((label, changed, len(entries) - len(changed)))
    return result
