"""Import raw text files as draft reports for editors to finish (see docs/corpus.md, "The importer").

Each file is imported in its own transaction and identified by the sha256 of its bytes, so running
the command again on the same files changes nothing. Drafts are never shown publicly.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.drafts import ImporterError
from archive.ingest.writer import import_file


class Command(BaseCommand):
    help = "Import raw text files (UTF-8 or GB18030) as draft reports, one transaction per file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Raw text files to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be created (titles, sections, authors, uncertain lines) and write nothing.",
        )

    def handle(self, *args, files, dry_run, verbosity, **options):
        paths = [Path(name) for name in files]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}. Check the paths; nothing was imported.")
        failed, created, skipped = [], 0, 0
        for number, path in enumerate(paths, 1):
            prefix = f"[{number}/{len(paths)}] {path.name}"
            try:
                result = import_file(path, dry_run=dry_run)
            except ImporterError as exc:
                failed.append(str(exc))
                self.stderr.write(f"{prefix}: not imported: {exc}")
                continue
            if result.already_imported:
                skipped += 1
                if verbosity:
                    same = result.raw_document.filename
                    self.stdout.write(f"{prefix}: already imported (same bytes as {same}), nothing changed")
                continue
            created += len(result.reports)
            if verbosity:
                verb = "would create" if dry_run else "created"
                self.stdout.write(f"{prefix}: {len(result.reports)} reports ({result.encoding}), {verb} as drafts")
            if verbosity >= 2 or (dry_run and verbosity):
                for report in result.reports:
                    authors = "、".join(a.name for a in report.authors) or "—"
                    self.stdout.write(
                        f"    lines {report.first_line}-{report.last_line}: {report.title} "
                        f"({len(report.sections)} sections, {len(report.captions)} captions; authors: {authors})"
                    )
            if verbosity:
                for item in result.uncertain:
                    self.stdout.write(f"    ? line {item['line']}: {item['text'][:40]} — {item['why']}")
        if verbosity:
            summary = f"{'Dry run: would create' if dry_run else 'Created'} {created} draft reports"
            summary += f"; {skipped} files already imported" if skipped else ""
            self.stdout.write(self.style.SUCCESS(summary + "."))
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(paths)} files were not imported (nothing of them was written):\n  "
                + "\n  ".join(failed)
                + "\nConvert them to UTF-8 or GB18030 plain text and run the command again; files already imported are skipped."
            )
