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
    help = "把整个档案（报道内容、目录和修改历史）以 JSON 格式写入文件 PATH；写“-”则输出到屏幕。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要写入的文件（导出全部成功后才整体替换旧文件），或写“-”输出到屏幕。")

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
            counts = backup.counts_in_words({key: len(rows) for key, rows in document["tables"].items()})
            self.stdout.write(self.style.SUCCESS(f"已导出到 {target}（{len(text.encode()) / 1024:.0f} KB）：{counts}"))
