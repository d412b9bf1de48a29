"""Search the archive from the command line; --json prints exactly what /api/search returns."""


from django.core.management.base import BaseCommand
from django.http import QueryDict

from search.engine import search
from search.serializers import dumps, results_json


class Command(BaseCommand):
    help = "Search the archive and print the results (the same results as the search page and API)."

    def add_arguments(self, parser):
        parser.add_argument(
            "query",
            help="What to search for, in the search box's syntax (\"phrase\", -exclude, A OR B, title:, author:, dept:, docno:, caption:).",
        )
        parser.add_argument("--department", action="append", default=[], help="Department slug (repeatable).")
        parser.add_argument("--initiative", action="append", default=[], help="Initiative slug (repeatable).")
        parser.add_argument("--year", action="append", default=[], help="Year, e.g. 2024 (repeatable).")
        parser.add_argument("--date-from", default="", help="Reports dated from: YYYY, YYYY-MM or YYYY-MM-DD.")
        parser.add_argument("--date-to", default="", help="Reports dated up to: YYYY, YYYY-MM or YYYY-MM-DD.")
        parser.add_argument("--limit", type=int, default=10, help="How many results (articles) to print.")
        parser.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest"], help="Order of results.")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON instead of text.")

    def handle(self, *args, query, department, initiative, year, date_from, date_to, limit, sort, json: bool, **options):
        params = QueryDict(mutable=True)
        for name, values in (("department", department), ("initiative", initiative), ("year", year)):
            params.setlist(name, values)
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value:
                params[name] = value
        results = search(query, params, sort=sort, page=1, page_size=max(1, limit))
        if json:
            self.stdout.write(dumps(results_json(results), indent=1))
            return
        for notice in results.notices:
            self.stdout.write(f"! {notice}")
        for expansion in results.expansions:  # 同时检索了：… (search.synonyms)
            self.stdout.write(f"! {expansion.message}")
        self.stdout.write(f"{results.total} 篇报道")
        for n, hit in enumerate(results.hits, 1):
            more = f"（另有 {hit.more_sections} 段）" if hit.more_sections else ""
            self.stdout.write(f"{n}. {hit.article.title} · {hit.article.display_date} · {hit.score:.3f}{more}")
            self.stdout.write(f"   {hit.section.heading or '导语'}: {_plain(hit.snippet)}")


def _plain(html: str) -> str:
    import html as html_module

    from django.utils.html import strip_tags

    return html_module.unescape(strip_tags(str(html).replace("<mark>", "【").replace("</mark>", "】")))
