"""Report any drift between the search index and the database; exit status 1 when there is some."""

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = "Compare the search index with the database and list what differs (exit 1 on drift)."

    def handle(self, *args, verbosity, **options):
        problems = indexing.drift()
        if problems:
            for problem in problems:
                self.stderr.write(f"- {problem}")
            raise CommandError("检索索引与数据库不一致：请运行 `python manage.py rebuild_index` 重建。")
        if verbosity:
            self.stdout.write(self.style.SUCCESS("检索索引与数据库一致。"))
