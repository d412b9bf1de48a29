"""Restore a backup written by export_archive into an empty database (docs/editing.md).

All or nothing: a file that does not fit leaves the database as it was. Mentions are recomputed
and the search index is rebuilt after the rows are in.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.backups import json_archive as backup


class Command(BaseCommand):
    help = "Restore a backup written by export_archive into an empty database (run migrate first)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file written by export_archive.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Restore inside a transaction and roll it back: checks the file against this database, writes nothing.",
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
            summary = "，".join(f"{key} {n}" for key, n in counts.items() if n)
            label = "检查通过（未写入）" if dry_run else "已恢复，检索索引已重建"
            self.stdout.write(self.style.SUCCESS(f"{label}：{summary}"))
