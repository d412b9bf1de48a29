"""Write the whole archive — content, catalogs and history — to one JSON file (docs/editing.md).

The search index is not exported: import_archive rebuilds it. The file is deterministic, so two
exports of the same archive are byte-identical and can be compared with diff.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backups import json_archive as backup


class Command(BaseCommand):
    help = "Write the whole archive (content, catalogs, history) to PATH as JSON; '-' writes to standard output."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write (replaced whole only once the export succeeded), or '-' for standard output.")

    def handle(self, *args, path, verbosity, **options):
        text = backup.export_text()
        if path == "-":
            self.stdout.write(text, ending="")
            return
        target = Path(path)
        if not target.parent.is_dir():
            raise CommandError(f"文件夹 {target.parent} 不存在：请先建好，或换一个路径。")
        # Written beside the target and renamed over it: a failed export leaves the old file intact.
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if verbosity:
            document = backup.loads(text)
            counts = "，".join(f"{key} {len(rows)}" for key, rows in document["tables"].items() if rows)
            self.stdout.write(self.style.SUCCESS(f"已导出到 {target}（{len(text.encode()) / 1024:.0f} KB）：{counts}"))
