"""Back up the whole database to one file while the archive keeps serving (docs/deployment.md).

SQLite: `VACUUM INTO` PATH (a database file; restore by stopping the server and putting it in
place). PostgreSQL: `pg_dump -Fc` to PATH (restore with `pg_restore` into a new database).
"""

from django.core.management.base import BaseCommand, CommandError

from archive.backups.database import BackupError, backup_database

VENDORS = {"sqlite": " SQLite ", "postgresql": " PostgreSQL "}


class Command(BaseCommand):
    help = "把整个数据库的一致副本写到 PATH（SQLite 用 VACUUM INTO；PostgreSQL 用 pg_dump -Fc）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要写的备份文件；所在文件夹须已存在。")
        parser.add_argument("--overwrite", action="store_true", help="PATH 已存在时覆盖它（新备份完整写好后才替换）。")

    def handle(self, *args, path, overwrite, verbosity, **options):
        try:
            done = backup_database(path, overwrite=overwrite)
        except BackupError as exc:
            raise CommandError(f"{exc}没有写入 {path}。") from exc
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"已把{VENDORS.get(done.vendor, done.vendor)}数据库备份到 {done.path}（{done.size / 1024:.0f} KB；{done.detail}）。"
            ))
