"""Restore a backup written by export_archive into an empty database (docs/editing.md).

All or nothing: a file that does not fit leaves the database as it was. Mentions are recomputed
and the search index is rebuilt after the rows are in.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.backups import json_archive as backup


class Command(BaseCommand):
    help = "把 export_archive 导出的备份恢复到空数据库中（请先运行 migrate）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="export_archive 导出的备份文件。")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="试恢复一遍然后撤销：只检查备份文件能否恢复到这个数据库，不写入任何内容。",
        )

    def handle(self, *args, path, dry_run, verbosity, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"找不到文件 {source}：请给出 export_archive 写出的备份文件的路径。")
        try:
            document = backup.loads(source.read_text(encoding="utf-8"))
            if dry_run:
                with transaction.atomic():
                    counts = backup.import_document(document, rebuild_index=False)
                    transaction.set_rollback(True)
            else:
                counts = backup.import_document(document)
        except backup.BackupError as exc:
            raise CommandError(f"什么都没有恢复：{exc}") from exc
        if verbosity:
            summary = backup.counts_in_words(counts)
            label = "检查通过（未写入）" if dry_run else "已恢复，检索索引已重建"
            self.stdout.write(self.style.SUCCESS(f"{label}：{summary}"))
