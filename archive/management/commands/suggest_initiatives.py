"""List quoted phrases and programme-like names in published reports that the initiative catalog
does not know yet (see archive/ingest/candidates.py), for an editor to add to fixtures/initiatives.json.

Reads only; changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from archive.ingest.candidates import find_candidates
from archive.models import Initiative, Section, published_q

KINDS = {"quoted": "引号短语", "programme": "举措式名称"}


class Command(BaseCommand):
    help = "列出已发布段落中尚未收入举措目录的引号短语和举措式名称，供编辑补充。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-count",
            type=int,
            default=2,
            help="只列出至少出现这么多次的短语（默认 2）。",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=50,
            help="最多列出多少条，出现次数多的在前（默认 50；0 表示全部）。",
        )

    def handle(self, *args, min_count, limit, verbosity, **options):
        if min_count < 1:
            raise CommandError("--min-count 至少为 1。")
        if limit < 0:
            raise CommandError("--limit 不能小于 0（0 表示不限）。")
        sections = Section.objects.filter(published_q("article")).order_by("article_id", "order")
        texts = [text for heading, body in sections.values_list("heading", "body") for text in (heading, body) if text]
        known = [name for initiative in Initiative.objects.all() for name in initiative.names]
        if verbosity >= 2:
            self.stdout.write(f"正在用 {len(known)} 个举措名称比对 {sections.count()} 个已发布段落……")
        candidates = find_candidates(texts, known, min_count=min_count)
        shown = candidates[:limit] if limit else candidates
        for candidate in shown:
            self.stdout.write(f"{candidate.count:>4}  {candidate.phrase}  [{KINDS.get(candidate.kind, candidate.kind)}]")
            for example in candidate.examples:
                self.stdout.write(f"        {example}")
        if verbosity:
            more = f"（列出 {len(shown)} 条）" if len(shown) < len(candidates) else ""
            self.stdout.write(
                self.style.SUCCESS(f"共 {len(candidates)} 条候选，每条至少出现 {min_count} 次{more}。")
            )
