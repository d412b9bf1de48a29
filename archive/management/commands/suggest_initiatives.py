"""List quoted phrases and programme-like names in published reports that the initiative catalog
does not know yet (see archive/ingest/candidates.py), for an editor to add to fixtures/initiatives.json.

Reads only; changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.candidates import find_candidates
from archive.models import Initiative, Section, published_q


class Command(BaseCommand):
    help = "Suggest initiative names: quoted phrases and programme-like names in published sections that no initiative has."

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-count",
            type=int,
            default=2,
            help="Only phrases found at least this many times (default 2).",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=50,
            help="Show at most this many candidates, most frequent first (default 50; 0 for all).",
        )

    def handle(self, *args, min_count, limit, verbosity, **options):
        if min_count < 1:
            raise CommandError("--min-count must be 1 or more.")
        if limit < 0:
            raise CommandError("--limit must be 0 (no limit) or more.")
        sections = Section.objects.filter(published_q("article")).order_by("article_id", "order")
        texts = [text for heading, body in sections.values_list("heading", "body") for text in (heading, body) if text]
        known = [name for initiative in Initiative.objects.all() for name in initiative.names]
        if verbosity >= 2:
            self.stdout.write(f"正在用 {len(known)} 个举措名称比对 {sections.count()} 个已发布段落……")
        candidates = find_candidates(texts, known, min_count=min_count)
        shown = candidates[:limit] if limit else candidates
        for candidate in shown:
            self.stdout.write(f"{candidate.count:>4}  {candidate.phrase}  [{candidate.kind}]")
            for example in candidate.examples:
                self.stdout.write(f"        {example}")
        if verbosity:
            more = f" (showing {len(shown)})" if len(shown) < len(candidates) else ""
            self.stdout.write(
                self.style.SUCCESS(f"{len(candidates)} candidates seen at least {min_count} times{more}.")
            )
