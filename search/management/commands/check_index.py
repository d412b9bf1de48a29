"""Report any drift between the search index and the database; exit status 1 when there is some."""

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = "比对检索索引和数据库，列出不一致的地方（有不一致时以状态码 1 退出）。"

    def handle(self, *args, verbosity, **options):
        problems = indexing.drift()
        if problems:
            for problem in problems:
                self.stderr.write(f"- {problem}")
            raise CommandError("检索索引与数据库不一致：请运行 `python manage.py rebuild_index` 重建。")
        if verbosity:
            self.stdout.write(self.style.SUCCESS("检索索引与数据库一致。"))
