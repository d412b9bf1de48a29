"""Search the archive from the command line; --json prints exactly what /api/search returns."""


from django.core.management.base import BaseCommand
from django.http import QueryDict

from search.engine import search
from search.serializers import dumps, results_json


class Command(BaseCommand):
    help = "检索档案并显示结果（与检索页面和 API 的结果相同）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "query",
            help="要检索的内容，写法与检索框相同（\"整个短语\"、-排除的词、A OR B、title:、author:、dept:、docno:、caption:）。",
        )
        parser.add_argument("--department", action="append", default=[], help="单位的网址代号（可以写多次）。")
        parser.add_argument("--initiative", action="append", default=[], help="改革举措的网址代号（可以写多次）。")
        parser.add_argument("--year", action="append", default=[], help="年份，例如 2024（可以写多次）。")
        parser.add_argument("--date-from", default="", help="报道日期从哪天起：写成 YYYY、YYYY-MM 或 YYYY-MM-DD。")
        parser.add_argument("--date-to", default="", help="报道日期到哪天止：写成 YYYY、YYYY-MM 或 YYYY-MM-DD。")
        parser.add_argument("--limit", type=int, default=10, help="显示多少篇报道。")
        parser.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest"], help="结果的排序：relevance 按相关程度，newest 最新的在前，oldest 最早的在前。")
        parser.add_argument("--json", action="store_true", help="输出与 API 相同的 JSON，而不是文字。")

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
