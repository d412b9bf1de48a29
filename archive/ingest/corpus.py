"""Loading the curated corpus and catalogs from fixtures/ (format: docs/corpus.md).

Loading is idempotent and never overwrites an editor's work: an entry whose slug already exists
is left as it is, unless update=True asks for the fixture to win.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from archive import services
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
    parse_partial_date,
)
from archive.slugs import unique_slug

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CorpusError(Exception):
    """A fixture that cannot be loaded as it is; the message lists every problem found, in
    plain Chinese (load_corpus prints it as it is)."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str):
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    def summary(self) -> str:
        """新建 报道 25 篇，部门与单位 72 个…；保留 …: what a clerk reads after load_corpus."""
        parts = []
        for bucket, label in (("created", "新建"), ("updated", "更新"), ("kept", "保留")):
            values = getattr(self, bucket)
            if values:
                parts.append(label + " " + "，".join(_counted(k, v) for k, v in sorted(values.items())))
        return "；".join(parts) or "无变化"


# What each kind of entry is called in load_corpus's output, with its measure word.
KIND_LABELS = {
    "articles": ("报道", "篇"),
    "departments": ("部门与单位", "个"),
    "initiatives": ("改革举措", "项"),
    "synonyms": ("同义词组", "组"),
}


def _counted(kind: str, n: int) -> str:
    label, unit = KIND_LABELS.get(kind, (kind, "条"))
    return f"{label} {n} {unit}"


# ---------------------------------------------------------------------------------------------
# Messages: what an editor reads when a fixture cannot be loaded


def _quoted(value) -> str:
    """A value from a fixture as a message shows it: “…” for text, JSON for anything else."""
    if value is None or value == "":
        return "（空）"
    return f"“{value}”" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _not_a_choice(what: str, value, choices) -> str:
    """类别“x”不在可选范围内，可选：“news”（新闻报道）、…: the code to write, with its meaning."""
    listed = "、".join(f"“{code}”（{label}）" for code, label in choices.choices)
    return f"{what}{_quoted(value)}不在可选范围内，可选：{listed}"


def _invalid(where: str, exc: ValidationError, model) -> CorpusError:
    """A model's own validation (full_clean) in the words of its admin: 名称：这个字段不能为空。"""
    problems = []
    for name, messages in exc.message_dict.items():
        label = "" if name == "__all__" else str(model._meta.get_field(name).verbose_name) + "："
        problems += [label + message for message in messages]
    return CorpusError(f"{where}：" + "；".join(problems))


# ---------------------------------------------------------------------------------------------
# Checking curated files against their raw text


def fold_for_comparison(text: str) -> str:
    """Letters and digits only, NFKC-normalised: what must survive curation unchanged.

    Deliberately looser than archive.text.fold, the rule by which names and searches are
    compared: curation may change every punctuation mark (docs/corpus.md: `,` → `，`, `"…"` →
    `“…”`), not only quotation marks and spaces, so every character that is not a letter or a
    digit is dropped. Whatever archive.text.fold ignores (whitespace, quotation marks, 《》
    included) is ignored here too."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def original_text(seed_lines: list[str], ranges: list[list[int]]) -> str:
    return "".join("".join(seed_lines[a - 1 : b]) for a, b in ranges)


def check_curated(data: dict, seed_text: str) -> list[str]:
    """Every problem with one curated file, as readable sentences (empty when it is sound)."""
    problems = []
    lines = seed_text.splitlines(keepends=True)
    covered = set()
    slugs = set()

    def check_range(where, rng):
        if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(n, int) for n in rng)):
            problems.append(f"{where}：行范围应写成 [起始行, 结束行]，现在是 {_quoted(rng)}")
            return False
        a, b = rng
        if not 1 <= a <= b <= len(lines):
            problems.append(f"{where}：第 {a}—{b} 行超出了原始文本（共 {len(lines)} 行）")
            return False
        covered.update(range(a, b + 1))
        return True

    for item in data.get("unplaced", []):
        check_range("未归入报道的行", item.get("lines"))
    for number, article in enumerate(data.get("articles", []), 1):
        slug = article.get("slug", "")
        where = f"报道{_quoted(slug)}" if slug else f"第 {number} 篇报道"
        if not SLUG_RE.match(slug):
            problems.append(f"{where}：网址名只能用小写英文字母和数字，词与词之间用“-”连接")
        if slug in slugs:
            problems.append(f"{where}：网址名与前面的报道重复")
        slugs.add(slug)
        if article.get("kind") not in Article.Kind.values:
            problems.append(f"{where}：" + _not_a_choice("类别", article.get("kind"), Article.Kind))
        try:
            date, _ = parse_partial_date(article.get("date", ""))
        except ValueError:
            problems.append(f"{where}：日期{_quoted(article.get('date'))}写法不对，应写成 2024、2024-11 或 2024-11-05")
        else:
            inferred = article.get("date_inferred", False)
            if not isinstance(inferred, bool):
                problems.append(f"{where}：“日期系推定”只能填 true 或 false，即是或否")
            elif inferred and date is None:
                problems.append(f"{where}：标明了日期系推定，却没有填写日期")
        if not article.get("title", "").strip():
            problems.append(f"{where}：没有标题")
        if not article.get("sections"):
            problems.append(f"{where}：没有正文")
        if not article.get("editorial_note", "").strip():
            problems.append(f"{where}：没有编校说明")
        ranges = article.get("original") or []
        if not ranges or not all(check_range(where, rng) for rng in ranges):
            if not ranges:
                problems.append(f"{where}：没有标明原文在原始文本中的行")
            continue
        reading = article.get("reading_order") or ranges
        if sorted(map(tuple, reading)) != sorted(map(tuple, ranges)):
            problems.append(f"{where}：阅读顺序列出的行必须与原文的行范围一致")
            continue
        original = fold_for_comparison(original_text(lines, reading))
        for wrong, right in article.get("corrections", []):
            original = original.replace(fold_for_comparison(wrong), fold_for_comparison(right))
        pieces = [("标题", article.get("title", "")), ("副标题", article.get("subtitle", ""))]
        for n, section in enumerate(article.get("sections", []), 1):
            pieces.append((f"第 {n} 节的小标题", section.get("heading", "")))
            pieces += [(f"第 {n} 节第 {k} 段", p) for k, p in enumerate(section.get("paragraphs", []), 1)]
            if not section.get("heading", "").strip() and not any(p.strip() for p in section.get("paragraphs", [])):
                problems.append(f"{where}：第 {n} 节既没有小标题也没有段落")
        pieces += [(f"第 {k} 条图片说明", c) for k, c in enumerate(article.get("captions", []), 1)]
        for label, text in pieces:
            folded = fold_for_comparison(text)
            if folded and folded not in original:
                problems.append(f"{where}：{label}在原文中找不到：“{text[:40]}”")
    missing = [n for n, line in enumerate(lines, 1) if line.strip() and n not in covered]
    if missing:
        problems.append(f"原始文本第 {compress(missing)} 行既不属于任何报道，也没有列为未归入报道的行")
    return problems


def compress(numbers: list[int]) -> str:
    """[3, 4, 5, 9] → '3—5、9': line numbers as a message lists them."""
    runs, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            runs.append(f"{start}—{n}" if n != start else str(n))
            start = None
    return "、".join(runs)


# ---------------------------------------------------------------------------------------------
# Catalogs


class DepartmentResolver:
    """Finds a department by any of its names; a name shared by two departments is an error."""

    def __init__(self):
        self.by_name: dict[str, Department] = {}
        self.ambiguous: set[str] = set()
        for department in Department.objects.all():
            for name in department.names:
                if name in self.by_name and self.by_name[name].pk != department.pk:
                    self.ambiguous.add(name)
                self.by_name[name] = department

    def resolve(self, name: str) -> Department:
        name = name.strip()
        if name in self.ambiguous:
            raise CorpusError(f"单位名称{_quoted(name)}在单位目录中对应不止一个单位")
        try:
            return self.by_name[name]
        except KeyError:
            raise CorpusError(f"单位{_quoted(name)}不在单位目录 fixtures/departments.json 中：名称、简称和别名都对不上")


def load_departments(entries: list[dict], *, update: bool, report: LoadReport):
    parents = {}
    for entry in entries:
        fields = {
            "name": entry["name"],
            "short_name": entry.get("short_name", ""),
            "aliases": list(entry.get("aliases", [])),
            "kind": entry["kind"],
            "region": entry.get("region", "株洲市"),
            "summary": entry.get("summary", ""),
        }
        if entry["kind"] not in Department.Kind.values:
            raise CorpusError(f"单位{_quoted(entry['slug'])}：" + _not_a_choice("类别", entry["kind"], Department.Kind))
        _upsert(Department, entry["slug"], fields, update=update, report=report, label="departments")
        if entry.get("parent"):
            parents[entry["slug"]] = entry["parent"]
    for slug, parent_slug in parents.items():
        department = Department.objects.get(slug=slug)
        if department.parent_id is None or update:
            try:
                parent = Department.objects.get(slug=parent_slug)
            except Department.DoesNotExist:
                raise CorpusError(f"单位{_quoted(slug)}：上级单位{_quoted(parent_slug)}不在单位目录中")
            if department.parent_id != parent.pk:
                department.parent = parent
                _validate(department, f"单位{_quoted(slug)}")
                department.save(update_fields=["parent"])


def load_initiatives(entries: list[dict], *, update: bool, report: LoadReport):
    for entry in entries:
        if entry["category"] not in Initiative.Category.values:
            raise CorpusError(
                f"改革举措{_quoted(entry['slug'])}：" + _not_a_choice("分类", entry["category"], Initiative.Category)
            )
        fields = {
            "name": entry["name"],
            "aliases": list(entry.get("aliases", [])),
            "category": entry["category"],
            "summary": entry.get("summary", ""),
        }
        initiative, created = _upsert(Initiative, entry["slug"], fields, update=update, report=report, label="initiatives")
        if created or update:
            leads = list(Department.objects.filter(slug__in=entry.get("lead_departments", [])))
            unknown = set(entry.get("lead_departments", [])) - {d.slug for d in leads}
            if unknown:
                listed = "、".join(_quoted(slug) for slug in sorted(unknown))
                raise CorpusError(f"改革举措{_quoted(entry['slug'])}：牵头单位 {listed} 不在单位目录中")
            initiative.lead_departments.set(leads)


def load_synonyms(entries: list[dict], *, update: bool, report: LoadReport):
    """Synonym groups (fixtures/synonyms.json: slug, terms, note), kept as editors left them
    unless update asks for the fixture's version, like every catalog."""
    for entry in entries:
        if not isinstance(entry.get("terms"), list):
            raise CorpusError(f"同义词组{_quoted(entry.get('slug'))}：同义词要写成列表，如 [\"国企\", \"国有企业\"]")
        fields = {"terms": list(entry["terms"]), "note": entry.get("note", "")}
        _upsert(Synonym, entry["slug"], fields, update=update, report=report, label="synonyms")


def _validate(obj, where: str):
    """The model's own checks (full_clean), failing as a CorpusError an editor can read."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise _invalid(where, exc, type(obj)) from exc


def _upsert(model, slug, fields, *, update, report, label):
    obj = model.objects.filter(slug=slug).first()
    where = f"{model._meta.verbose_name}{_quoted(slug)}"
    if obj is None:
        obj = model(slug=slug, **fields)
        _validate(obj, where)
        obj.save()
        report.count("created", label)
        return obj, True
    if update and any(getattr(obj, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(obj, k, v)
        _validate(obj, where)
        obj.save()
        report.count("updated", label)
    else:
        report.count("kept", label)
    return obj, False


# ---------------------------------------------------------------------------------------------
# Curated reports


def raw_document_for(path: Path) -> RawDocument:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    raw = RawDocument.objects.filter(sha256=digest).first()
    if raw is None:
        raw = RawDocument.objects.create(
            filename=path.name, sha256=digest, encoding="utf-8", text=data.decode("utf-8"), report={}
        )
    return raw


def load_curated_file(path: Path, seeds_dir: Path, *, update: bool, report: LoadReport, resolver: DepartmentResolver):
    data = _read_json(path)
    seed_path = seeds_dir / data.get("seed", "")
    if not data.get("seed") or not seed_path.is_file():
        raise CorpusError(f"{path.name}：找不到它所整理的原始文本{_quoted(data.get('seed'))}（应在 {seeds_dir} 中）")
    seed_text = seed_path.read_text(encoding="utf-8")
    problems = check_curated(data, seed_text)
    if problems:
        raise CorpusError(f"{path.name} 有 {len(problems)} 处问题：\n  " + "\n  ".join(problems))
    raw = raw_document_for(seed_path)
    lines = seed_text.splitlines(keepends=True)
    for entry in data["articles"]:
        existing = Article.objects.filter(slug=entry["slug"]).first()
        if existing is not None and not update:
            report.count("kept", "articles")
            continue
        if existing is not None:
            existing.delete()
            report.count("updated", "articles")
        else:
            report.count("created", "articles")
        _create_article(entry, raw, original_text(lines, entry["original"]), resolver)


def _create_article(entry: dict, raw: RawDocument, original: str, resolver: DepartmentResolver) -> Article:
    date, precision = parse_partial_date(entry.get("date", ""))
    source = None
    if entry.get("source"):
        source = Source.objects.filter(name=entry["source"]["name"]).first()
        if source is None:
            source = Source.objects.create(
                name=entry["source"]["name"],
                kind=entry["source"].get("kind", Source.Kind.OTHER),
                slug=unique_slug(Source, entry["source"]["name"]),
            )
    series = None
    if entry.get("series"):
        series = Series.objects.filter(name=entry["series"]).first()
        if series is None:
            series = Series.objects.create(name=entry["series"], source=source, slug=unique_slug(Series, entry["series"]))
    article = Article(
        slug=entry["slug"],
        title=entry["title"],
        subtitle=entry.get("subtitle", ""),
        kind=entry["kind"],
        source=source,
        series=series,
        series_order=entry.get("series_order"),
        date=date,
        date_precision=precision,
        date_inferred=entry.get("date_inferred", False),
        doc_number=entry.get("doc_number", ""),
        original_text=original,
        editorial_note=entry["editorial_note"],
        raw_document=raw,
        status=Article.Status.PUBLISHED,
    )
    _validate(article, f"报道{_quoted(entry['slug'])}")
    article.save()
    for order, author in enumerate(entry.get("authors", [])):
        person = _person(author, resolver)
        Authorship.objects.create(
            article=article,
            person=person,
            order=order,
            role=author.get("role", Authorship.Role.AUTHOR),
            position=author.get("position", ""),
        )
    seen = set()
    for role in entry.get("departments", []):
        department = resolver.resolve(role["name"])
        if (department.pk, role["role"]) in seen:
            continue
        seen.add((department.pk, role["role"]))
        ArticleDepartment.objects.create(article=article, department=department, role=role["role"])
    for order, section in enumerate(entry["sections"], 1):
        Section.objects.create(
            article=article,
            order=order,
            heading=section.get("heading", ""),
            body="\n".join(p.strip() for p in section["paragraphs"] if p.strip()),
            anchor=f"s{order}",
        )
    for order, text in enumerate(entry.get("captions", []), 1):
        Caption.objects.create(article=article, order=order, text=text)
    return article


def _person(author: dict, resolver: DepartmentResolver) -> Person:
    department = resolver.resolve(author["department"]) if author.get("department") else None
    person = Person.objects.filter(name=author["name"]).first()
    if person is None:
        person = Person.objects.create(
            name=author["name"],
            position=author.get("position", ""),
            department=department,
            slug=unique_slug(Person, author["name"]),
        )
    elif author.get("position") and not person.position:
        person.position = author["position"]
        person.department = person.department or department
        person.save(update_fields=["position", "department"])
    return person


def load_all(fixtures_dir: Path, *, update: bool = False, progress=None) -> LoadReport:
    """Load catalogs, then every curated corpus file, in one transaction; relink at the end."""
    report = LoadReport()
    fixtures_dir = Path(fixtures_dir)
    with transaction.atomic(), services.bulk_changes():
        departments = fixtures_dir / "departments.json"
        if departments.exists():
            load_departments(_read_json(departments), update=update, report=report)
        initiatives = fixtures_dir / "initiatives.json"
        if initiatives.exists():
            load_initiatives(_read_json(initiatives), update=update, report=report)
        synonyms = fixtures_dir / "synonyms.json"
        if synonyms.exists():
            load_synonyms(_read_json(synonyms), update=update, report=report)
        resolver = DepartmentResolver()
        for path in sorted((fixtures_dir / "corpus").glob("*.json")):
            if progress:
                progress(path.name)
            load_curated_file(path, fixtures_dir / "seeds", update=update, report=report, resolver=resolver)
        if report.created or report.updated:
            services.sections_relink()
    return report


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path.name} 不是有效的 JSON 文件：第 {exc.lineno} 行第 {exc.colno} 列附近格式有误") from exc
