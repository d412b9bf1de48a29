"""`python -m bench.ndcg [--per-query] [--json PATH] [--ranks-first]`: nDCG@10 of the judged queries
(tests/search/judged.py) on the current tree, overall and by kind.

Like the other bench modules it chooses its database before Django starts: a temporary SQLite file,
migrated, loaded with the curated corpus and indexed as the test suite's session set-up does
(tests/conftest.py: `load_all` + `rebuild`), then removed. Queries go through /api/search with the
Django test client, with the parameters the search page sends, so nothing is served or left behind.

--per-query     each query's nDCG@10 and top three
--ranks-first   the ids of the queries whose judged "2" report ranks first (RANKS_FIRST_TODAY)
--json PATH     the figures as JSON
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ndcg", description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-query", action="store_true", help="Print each query's nDCG@10 and top three.")
    parser.add_argument("--ranks-first", action="store_true", help="Print the ids of the queries whose judged 2 report ranks first.")
    parser.add_argument("--json", type=Path, help="Write the figures as JSON to this file.")
    parser.add_argument("-k", type=int, default=10, help="Cut-off rank (default: 10).")
    return parser.parse_args(argv)


def setup_django(folder: Path) -> None:
    """Point Django at a fresh SQLite file in `folder` (before settings are read), migrate, load
    the corpus and build the index."""
    os.environ["DATABASE_URL"] = f"sqlite:///{(folder / 'ndcg.sqlite3').resolve()}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from archive.ingest.corpus import load_all
    from search.indexing import rebuild

    setup_test_environment()  # the test client's host, as under the test suite
    call_command("migrate", interactive=False, verbosity=0)
    load_all(settings.FIXTURES_DIR)
    rebuild()


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="archive-ndcg-"))
    try:
        started = time.monotonic()
        setup_django(folder)
        ready = time.monotonic()
        from django.db import connection
        from django.test import Client

        from tests.search import judged

        rankings = judged.run_all(Client(), args.k)
        scores = judged.scores_of(rankings, args.k)
        finished = time.monotonic()

        for line in judged.summary_lines(scores, f"({connection.vendor}, {len(judged.JUDGED)} judged queries)"):
            print(line)
        print(f"  (corpus and index {ready - started:.1f} s, queries {finished - ready:.1f} s)")
        by_id = {j.id: j for j in judged.JUDGED}
        if args.per_query:
            for qid, slugs in rankings.items():
                j = by_id[qid]
                extra = " " + " ".join(f"{k}={v}" for k, v in j.params.items()) if j.params else ""
                top = ", ".join(f"{s}({j.grades.get(s, 0)})" for s in slugs[:3]) or "-"
                print(f"{scores[qid]:.3f}  {j.kind:<11} {qid:<24} {j.q}{extra}  →  {top}")
        first = [qid for qid, slugs in rankings.items() if judged.first_is_a_two(by_id[qid], slugs)]
        if args.ranks_first:
            print(f"ranks a judged 2 first: {len(first)} of {len(rankings)}")
            print("RANKS_FIRST_TODAY = " + json.dumps(first, ensure_ascii=False))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "k": args.k,
                        "backend": connection.vendor,
                        "queries": len(scores),
                        "ndcg": judged.mean(scores.values()),
                        "by_kind": judged.by_kind(scores),
                        "per_query": scores,
                        "rankings": rankings,
                        "ranks_first": first,
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
                encoding="utf-8",
            )
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
