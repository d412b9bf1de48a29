"""Import reports as drafts for editors to finish (docs/corpus.md, "The importer").

Takes files in any format the archive reads (.txt, .docx, .doc, .wps, .rtf, .odt, .pdf, scans,
.html, .zip), folders (recursively) and zips. Each document is written in its own transaction and
identified by the sha256 of its bytes; a report already in the archive is reported, not imported
again. Drafts are never shown publicly.
"""

import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest import formats
from archive.ingest.writer import import_paths

STATUS_LABELS = {"imported": "已导入", "dry-run": "试运行", "duplicate": "重复", "failed": "失败"}


class Command(BaseCommand):
    help = "把报道文件（文本、Word、PDF、扫描件、网页、zip 压缩包或整个文件夹）导入为待审草稿。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="要导入的文件、文件夹或 zip 压缩包。")
        parser.add_argument("--dry-run", action="store_true", help="只显示会生成哪些草稿，不写入任何内容。")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果（每个文件一项），不显示进度。")
        parser.add_argument(
            "--ocr",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="扫描件和图片是否做文字识别（默认做；--no-ocr 时扫描件报错）。",
        )

    def handle(self, *args, paths, dry_run, ocr, verbosity, **options):
        as_json = options["json"]
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"找不到：{'、'.join(missing)}。请检查路径；什么都没有导入。")
        progress = None if as_json or not verbosity else self._progress
        results = import_paths(paths, dry_run=dry_run, ocr=ocr, progress=progress)
        if progress:
            self.stderr.write("")
        if as_json:
            self.stdout.write(dumps(results))
        elif verbosity:
            self._summary(results, dry_run=dry_run, verbosity=verbosity)
        failed = [r for r in results if r.status == "failed"]
        if failed:
            raise CommandError(
                f"{len(failed)} 个文件没有导入（它们的内容一概没有写入）：\n  "
                + "\n  ".join(r.error for r in failed)
                + "\n按提示处理后重新运行即可；已导入的文件会被认出并跳过。"
            )

    def _progress(self, number: int, total: int, name: str):
        width = 24
        done = width * number // max(total, 1)
        self.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {number}/{total} 正在读取 {name[:40]:<40}", ending="")
        self.stderr.flush()

    def _summary(self, results, *, dry_run: bool, verbosity: int):
        rows = [("文件", "格式", "结果", "草稿", "说明")]
        for r in results:
            drafts = sum(1 for d in r.duplicates if d is None or not d.exact) if r.duplicates else len(r.reports)
            if r.status == "failed":
                note = r.error
            elif r.already_imported:
                note = f"与已导入的《{r.raw_document.filename}》字节相同"
            else:
                repeats = [(rep, d) for rep, d in zip(r.reports, r.duplicates) if d is not None]
                exact = [d for _, d in repeats if d.exact]
                notes = [
                    f"《{rep.title}》可能与《{d.article.title}》重复（相似度 {d.similarity:.0%}）"
                    for rep, d in repeats
                    if not d.exact
                ]
                if exact:
                    example = f"《{exact[0].article.title}》" + ("等" if len(exact) > 1 else "")
                    notes.insert(0, f"{len(exact)} 篇已在档案中（{example}），未再导入")
                if r.ocr:
                    notes.append(f"经文字识别：{r.engine}")
                note = "；".join(notes)
            rows.append((r.filename, r.format or "—", STATUS_LABELS[r.status], str(drafts if r.status != "failed" else 0), note))
        widths = [max(_width(row[i]) for row in rows[:]) for i in range(4)]
        for row in rows:
            cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(4)]
            self.stdout.write("  ".join(cells + [row[4]]).rstrip())
        for r in results:
            if verbosity >= 2 or dry_run:
                for report in r.reports:
                    authors = "、".join(a.name for a in report.authors) or "—"
                    self.stdout.write(
                        f"  {r.filename} 第{report.first_line}–{report.last_line}行：{report.title}"
                        f"（{len(report.sections)} 节，{len(report.captions)} 条图片说明；作者：{authors}）"
                    )
            for item in r.uncertain if r.status in ("imported", "dry-run") else []:
                self.stdout.write(f"    ？{r.filename} 第{item['line']}行：{item['text'][:40]} —— {item['why']}")
        made = sum(int(row[3]) for row in rows[1:])
        counts = {label: sum(1 for r in results if STATUS_LABELS[r.status] == label) for label in STATUS_LABELS.values()}
        summary = "，".join(f"{label} {n} 个" for label, n in counts.items() if n)
        verb = "试运行：将生成" if dry_run else "共生成"
        self.stdout.write(self.style.SUCCESS(f"{len(results)} 个文件（{summary}）；{verb} {made} 篇待审草稿。"))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def dumps(results) -> str:
    return json.dumps({"files": [file_json(r) for r in results]}, ensure_ascii=False, indent=1)


def draft_json(
    *, title, date, precision, source, page, doc_number, authors, departments, sections, repeat_of, similarity,
    inferred=False,
) -> dict:
    """One draft of the --json output, from a parsed report or, for a file imported before, from
    the article it became."""
    return {
        "title": title,
        "date": date.isoformat() if date else None,
        "date_precision": str(precision),
        "date_inferred": bool(inferred),
        "source": source or None,
        "page": page or None,
        "doc_number": doc_number or None,
        "authors": authors,
        "departments": departments,
        "sections": sections,
        "duplicate_of": None if repeat_of is None else {"id": repeat_of.pk, "title": repeat_of.title},
        "similarity": similarity,
    }


def file_json(r) -> dict:
    drafts = []
    for k, report in enumerate(r.reports):
        repeat = r.duplicates[k] if k < len(r.duplicates) else None
        drafts.append(
            draft_json(
                title=report.title,
                date=report.date,
                precision=report.date_precision,
                inferred=report.date_inferred,
                source=report.source,
                page=report.page,
                doc_number=report.doc_number,
                authors=[a.name for a in report.authors],
                departments=list(report.departments),
                sections=len(report.sections),
                repeat_of=None if repeat is None else repeat.article,
                similarity=None if repeat is None else repeat.similarity,
            )
        )
    if r.already_imported and r.raw_document is not None:  # the same bytes: its articles are the repeats
        drafts = [
            draft_json(
                title=a.title,
                date=a.date,
                precision=a.date_precision,
                inferred=a.date_inferred,
                source=a.source.name if a.source_id else None,
                page=a.page,
                doc_number=a.doc_number,
                authors=[p.name for p in a.authors.all()],
                departments=[d.name for d in a.departments.all()],
                sections=a.sections.count(),
                repeat_of=a,
                similarity=1.0,
            )
            for a in r.raw_document.articles.order_by("pk")
        ]
    return {
        "path": r.filename,
        "format": r.format or formats.kind_of(r.filename) or "",
        "status": r.status,
        "error": r.error,
        "engine": r.engine or None,
        "drafts": drafts,
    }
