"""`python -m bench.history_page [--versions 740] [--backend sqlite|postgres]`: how long the admin's
history page of one article takes to render when the article has a long history.

A fresh database of its own (bench/database.py: `bench_history`), the curated corpus loaded, then
one article saved VERSIONS times as an editor's admin saves would leave it (each save one
revision: the article row, and every third save one section's text too), then the history page
(and its last page) fetched through Django's test client as a superuser, DEBUG off after start-up
(bench/wsgi.py says why). Prints the median and worst of the runs and the queries of one render.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench.database import create_fresh, database_url

DATA_DIR = Path(__file__).resolve().parent / ".data"


def longest_article(Article):
    """The article with the most sections: its history is the heaviest to read."""
    from django.db.models import Count

    return Article.objects.annotate(n=Count("sections")).order_by("-n", "pk").first()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=740, help="versions to give the article (default 740)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres", help="database (default postgres)")
    parser.add_argument("--runs", type=int, default=7, help="renders to time (default 7)")
    parser.add_argument("--no-load", action="store_true", help="reuse the database the last run left")
    args = parser.parse_args(argv)

    url = database_url(args.backend, DATA_DIR, "bench_history")
    if not args.no_load:
        create_fresh(args.backend, DATA_DIR, "bench_history")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive.history.revisions import revision
    from archive.models import Article

    if not args.no_load:
        call_command("migrate", verbosity=0)
        call_command("load_corpus", verbosity=0)
        user = User.objects.create_superuser("bench-history", password="bench-history-password")
        article = longest_article(Article)
        sections = list(article.sections.order_by("order"))
        started = time.perf_counter()
        for n in range(args.versions - article.history.count()):
            with revision(user=user, reason=f"第 {n + 1} 次校对"):
                article.subtitle = f"校对 {n + 1}"
                article.version += 1
                article.save()
                if n % 2 == 0:
                    section = sections[n % len(sections)]
                    section.body = section.body.rstrip("。") + ("。" if (n // 2) % 2 else "")
                    section.save()
        print(f"wrote {args.versions} versions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    user = User.objects.get(username="bench-history")
    article = longest_article(Article)
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(user)
    page = f"/admin/archive/article/{article.pk}/history/"
    for label, path in (("first page", page), ("last page", page + "?p=1000000")):
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{connection.vendor} · {article.history.count()} article rows · {label}: "
            f"median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms "
            f"over {args.runs} renders; {len(queries)} queries; {len(response.content) // 1024} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
