"""Back up the whole database to one file while the archive keeps serving (docs/deployment.md).

SQLite: `VACUUM INTO` PATH (a database file; restore by stopping the server and putting it in
place). PostgreSQL: `pg_dump -Fc` to PATH (restore with `pg_restore` into a new database).
"""

from django.core.management.base import BaseCommand, CommandError

from archive.backups.database import BackupError, backup_database


class Command(BaseCommand):
    help = "Write a consistent copy of the whole database to PATH (SQLite: VACUUM INTO; PostgreSQL: pg_dump -Fc)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to write; its folder must exist.")
        parser.add_argument("--overwrite", action="store_true", help="Replace PATH when it exists (only once the new backup is complete).")

    def handle(self, *args, path, overwrite, verbosity, **options):
        try:
            done = backup_database(path, overwrite=overwrite)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was written to {path}.") from exc
        if verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"Backed up the {done.vendor} database to {done.path} ({done.size / 1024:.0f} KB; {done.detail})."
            ))
