"""Load the curated corpus and catalogs from fixtures/ (see docs/corpus.md).

Safe to run again: entries that exist are kept as editors left them, unless --update is given.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.ingest.corpus import CorpusError, load_all


class Command(BaseCommand):
    help = "载入单位目录、改革举措目录、同义词表，以及 fixtures/ 中整理好的全部报道。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            default=str(settings.FIXTURES_DIR),
            help="存放 departments.json、initiatives.json、synonyms.json、corpus/ 和 seeds/ 的文件夹（默认是项目自带的 fixtures/）。",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="用资料文件中的版本覆盖已有的条目（编辑对这些条目做过的修改会丢失）。",
        )

    def handle(self, *args, fixtures, update, verbosity, **options):
        folder = Path(fixtures)
        if not folder.is_dir():
            raise CommandError(f"找不到资料文件夹 {folder}：请用 --fixtures 指定路径。")
        progress = (lambda name: self.stdout.write(f"  {name}")) if verbosity >= 2 else None
        try:
            report = load_all(folder, update=update, progress=progress)
        except CorpusError as exc:
            raise CommandError(f"什么都没有载入：{exc}") from exc
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"资料载入完成：{report.summary()}"))
