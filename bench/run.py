"""One benchmark run: database, corpus, index, queries, latencies, peers, load, report.

Django is set up here only after DATABASE_URL points at the run's own database (bench.database).
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

from . import database
from .build import build_node_index
from .measure import cores, percentile, run_rounds, summary

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RECALL_PAGE_SIZE = 10**7


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load a synthetic corpus, build the search index and measure search, pages and load, "
        "with Whoosh + jieba and Django's icontains as peers.",
    )
    parser.add_argument("--sections", type=int, required=True, help="Synthetic sections to generate (1000, 10000, 100000…).")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite", help="Database to run on (default: sqlite).")
    parser.add_argument("--json", type=Path, help="Where to write the results as JSON (default: bench/.data/results-BACKEND-N.json).")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md", help="Markdown file whose block for this backend and size is rewritten (default: bench/RESULTS.md).")
    parser.add_argument("--no-load", action="store_true", help="Reuse the database (and Whoosh index) of the last run of this backend: skip generating, loading and indexing.")
    parser.add_argument("--no-peers", action="store_true", help="Skip Whoosh + jieba and icontains.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the corpus and of the query draw (default: 7).")
    parser.add_argument("--queries-per-class", type=int, default=6, help="Distinct queries drawn per class (default: 6).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs of each query, the first one cold (default: 5).")
    parser.add_argument("--class-budget", type=float, default=60.0, help="Seconds after which a class stops starting new rounds, once it has two (default: 60).")
    parser.add_argument("--load-seconds", type=float, help="Length of the wrk run; 0 skips the load test (default: 5 up to 2,000 sections, else 20).")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default: 8).")
    # The load test's mixes and topology (bench/load.py, bench/mix.py, bench/topology.py).
    parser.add_argument("--mix", choices=["both", "realistic", "cycle"], default="both", help="Load mix: the realistic Zipf mix of thousands of URLs, the old cycle (one URL per query drawn and page, about a hundred), or both one after the other (default: both).")
    parser.add_argument("--mix-urls", type=int, default=5000, help="Distinct search URLs in the realistic mix, API and page together (default: 5000; pages, suggestions and catalogs come on top).")
    parser.add_argument("--nodes", type=int, default=1, help="gunicorn app nodes for the load test, each on its own port, wrk driving all at once (default: 1; more than 1 shares a Redis cache).")
    parser.add_argument("--replicas", type=int, default=0, help="Streaming replicas the nodes read from (PostgreSQL only; default: 0).")
    parser.add_argument("--redis-url", help="REDIS_URL for the nodes (default with --nodes > 1: redis://127.0.0.1:6379/11; none with one node).")
    parser.add_argument("--port", type=int, help="First port of the load test's servers: nodes on PORT, PORT+1…, replicas on PORT+10… (default: free ports).")
    parser.add_argument("--debug", action="store_true", help="Measure with DEBUG on, as the local settings have it (Django then logs every query, at a cost in time and memory); default: off after start-up, as in production.")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / ".data", help="Folder for the SQLite file, the Whoosh index and logs (default: bench/.data).")
    parser.add_argument("--db-name", default="archive_bench", help="Name of the benchmark database (PostgreSQL) or file (SQLite) (default: archive_bench).")
    args = parser.parse_args(argv)
    if args.load_seconds is None:
        args.load_seconds = 5.0 if args.sections <= 2000 else 20.0
    if args.json is None:
        args.json = args.data_dir / f"results-{args.backend}-{args.sections}.json"
    return args


def say(message: str) -> None:
    print(message, flush=True)


class Phases:
    """Wall-clock seconds of each phase of the run, for seeing where the run's time goes, and the
    machine's 1-minute load average at the end of each: the figures mean little when other work
    shared the cores."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.loadavg: dict[str, float] = {"start": round(os.getloadavg()[0], 2)}
        self._last = time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name] = round(now - self._last, 1)
        self.loadavg[name] = round(os.getloadavg()[0], 2)
        self._last = now


def git_info() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    digest = hashlib.sha256()
    for path in sorted((ROOT / "search").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return {
        # BENCH_COMMIT names the commit of a tree exported with git archive (no .git to ask).
        "commit": os.environ.get("BENCH_COMMIT") or git("rev-parse", "--short", "HEAD") or "?",
        "dirty": bool(git("status", "--porcelain", "--", "search", "archive")),
        "engine_fingerprint": digest.hexdigest()[:12],
    }


def subprocess_build(which: str, env: dict, extra=(), debug=False) -> dict:
    """Run bench.build in a fresh process; its last BENCH_BUILD line is the result."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.build", which, *extra, *(["--debug"] if debug else [])], cwd=ROOT, env=env, capture_output=True, text=True
    )
    line = next((l for l in reversed(proc.stdout.splitlines()) if l.startswith("BENCH_BUILD ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"building the {which} index failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(line.split(" ", 1)[1])


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    clock = Phases()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    url = database.database_url(args.backend, args.data_dir, args.db_name)
    if args.no_load and not database.exists(args.backend, args.data_dir, args.db_name):
        say(f"--no-load: there is no benchmark database {args.db_name} on {args.backend}; run once without --no-load.")
        return 2
    if not args.no_load:
        database.create_fresh(args.backend, args.data_dir, args.db_name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not args.debug:
        settings.DEBUG = False  # see bench/wsgi.py
    # Import every view now, so that the whole run measures the code as it was at its start
    # even if the working tree changes under a long run (bench/run.py's fingerprint check).
    from django.urls import get_resolver

    get_resolver().url_patterns

    result: dict = {
        "sections": args.sections,
        "backend": args.backend,
        "cores": cores(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        **git_info(),
        "seed": args.seed,
        "queries_per_class": args.queries_per_class,
        "repeat": args.repeat,
        "debug": args.debug,
        "search_engine": "tantivy",  # the node's index matches and proposes candidates (search.tantivy_index)
        "notes": [],
    }
    say(f"== bench: {args.sections:,} sections on {args.backend} ({url.split('@')[-1]}), {result['cores']} cores")
    env = dict(os.environ)
    whoosh_dir = args.data_dir / f"whoosh-{args.db_name}-{args.backend}"

    # 1. corpus and index ------------------------------------------------------------------
    if not args.no_load:
        from archive.models import Department

        from .generate import generate, load

        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_corpus", verbosity=0)
        articles = generate(args.sections, seed=args.seed, department_slugs=sorted(Department.objects.values_list("slug", flat=True)))
        generated = time.perf_counter()
        counts = load(articles)
        del articles
        result["timings"] = {"migrate_and_generate_s": round(generated - t, 1), "load_s": round(time.perf_counter() - generated, 1)}
        say(f"  generated and loaded {counts['articles']:,} articles, {counts['sections']:,} sections in {time.perf_counter() - t:.1f} s")
        clock.mark("generate_and_load")
        say("  building the index (search.indexing.rebuild) in a fresh process…")
        result["index"] = subprocess_build("ours", env, debug=args.debug)
        result["node_index"] = result["index"].pop("node_index", None)
        clock.mark("index_build")
        say(f"  index: {result['index']['mb']} MB in {result['index']['seconds']} s = {result['index']['mb_per_s']} MB/s, peak RSS {result['index']['peak_rss_mb']} MB")
        # A checkpoint: at a million sections the corpus and index take the best part of an hour,
        # and a later run with --no-load takes these figures from here if this one stops.
        result["index_size"] = database.index_size_mb(args.backend, args.data_dir, args.db_name, result["node_index"])
        result["database_mb_after_build"] = database.size_mb(args.backend, args.data_dir, args.db_name)
        result["loadavg_build"] = dict(clock.loadavg)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        from archive.models import Section

        loaded = Section.objects.filter(article__slug__startswith="bench-").count()
        if loaded != args.sections:
            say(f"--no-load: the benchmark database holds {loaded:,} synthetic sections, not {args.sections:,}; run without --no-load.")
            return 2
        previous = _previous(args)
        result["index"] = previous.get("index", {"mb_per_s": None, "seconds": None, "peak_rss_mb": None})
        for key in ("timings", "index_size", "database_mb_after_build", "loadavg_build"):
            if key in previous:
                result[key] = previous[key]
        result["notes"].append("--no-load: index figures are the previous run's.")
        if forget_shared_terms():
            result["notes"].append(
                "--no-load: the shared terms a previous run had stored (search.shared, the Redis cache) were removed "
                "first, so that first runs ask the index rather than read them."
            )
    if args.no_load:
        # The node's index (search.tantivy_index), built from the database's rows before anything
        # is measured (a full build does it with the documents): without it every report would be
        # decided on its text meanwhile.
        say("  building the node's tantivy index from the database's rows…")
        result["node_index"] = build_node_index()
        clock.mark("node_index_build")
        say(f"  node index: {result['node_index']['sections']:,} sections, {result['node_index']['mb']} MB in {result['node_index']['seconds']} s")

    from .queries import CLASSES, draw, read_corpus, truth

    corpus = read_corpus()
    mentions = _mention_count()
    mb = sum(len(t.encode()) for _, _, h, b in corpus.sections for t in (h, b)) / 1e6
    result["corpus"] = {"articles": len(corpus.titles), "sections": len(corpus.sections), "mb": round(mb, 1), "mentions": mentions}
    t = time.perf_counter()
    queries = draw(corpus, args.seed, args.queries_per_class)
    truths = {q: truth(q, corpus) for qs in queries.values() for q in qs}
    say(f"  drew {sum(map(len, queries.values()))} queries in {len(queries)} classes, ground truth in {time.perf_counter() - t:.1f} s")
    clock.mark("draw_queries")
    result["queries"] = {cls: [q.as_json() | {"truth_sections": len(truths[q])} for q in qs] for cls, qs in queries.items()}

    # 2. search() and the API --------------------------------------------------------------
    from django.test import Client

    from search.engine import search

    # Warm the process (tokenizer, facet map) with a query that is not measured: a measured one
    # would then have a warm "cold" run wherever the engine caches results.
    t = time.perf_counter()
    search(" ".join(reversed([q.text for q in queries["frequent_word"][:3]])))
    result["search_warmup_ms"] = round((time.perf_counter() - t) * 1000, 1)

    def engine_call(q):
        return lambda: search(q.text, q.param_dict, page=q.page)

    result["search"] = _measure_classes("search()", queries, engine_call, args)
    clock.mark("search")
    for cls, qs in queries.items():
        recalls, found = [], []
        for q in qs:
            if not truths[q]:
                continue
            got = _engine_sections(q)
            recalls.append(len(truths[q] & got) / len(truths[q]))
            found.append(len(got))
        result["search"][cls]["recall"] = round(min(recalls), 4) if recalls else None
        result["search"][cls]["recall_mean"] = round(sum(recalls) / len(recalls), 4) if recalls else None
        result["search"][cls]["truth_sections"] = round(sum(len(truths[q]) for q in qs) / len(qs))
        result["search"][cls]["found_sections"] = round(sum(found) / len(found)) if found else 0
    clock.mark("search_recall")
    result["notes"].append("recall is the lowest over a class's queries (recall_mean in the JSON is the mean).")

    # An exception in a view is a 500 counted as an error, not the end of the run.
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    api_errors = []

    def api_call(q):
        data = {"q": q.text, **q.param_dict}
        if q.page != 1:
            data["page"] = str(q.page)

        def call():
            response = client.get("/api/search", data)
            if response.status_code != 200:
                api_errors.append((q.cls, q.text, response.status_code))
            else:
                json.loads(response.content)

        return call

    result["api"] = _measure_classes("API", queries, api_call, args)
    for cls in CLASSES:
        result["api"][cls]["recall"] = result["search"][cls]["recall"]  # the same function answers
        result["api"][cls]["errors"] = sum(1 for c, _, _ in api_errors if c == cls)
    result["notes"].append("API recall is search()'s: the API calls it, and its JSON carries no section ids.")
    result["api_errors"] = len(api_errors)
    clock.mark("api")
    if api_errors:
        result["notes"].append(f"API errors: {api_errors[:5]}")

    # 3. pages -----------------------------------------------------------------------------
    pages = _page_urls(args.seed)
    result["pages"] = {}
    for name, urls in pages.items():
        errors = []

        def page_call(u):
            def call():
                response = client.get(u)
                if response.status_code != 200:
                    errors.append((u, response.status_code))

            return call

        samples, first = run_rounds([page_call(u) for u in urls], args.repeat, args.class_budget)
        result["pages"][name] = summary(samples, first[0] if first else None) | {"errors": len(errors), "urls": len(urls)}
        say(f"  page {name}: p50 {result['pages'][name]['p50_ms']} ms, p95 {result['pages'][name]['p95_ms']} ms")

    clock.mark("pages")

    # 4. peers -----------------------------------------------------------------------------
    result["peers"] = {}
    result["ratios"] = {}
    if not args.no_peers:
        from .peers import IcontainsPeer, WhooshPeer

        if args.no_load and whoosh_dir.exists():
            result["peers"]["whoosh_jieba"] = {"index": _previous(args).get("peers", {}).get("whoosh_jieba", {}).get("index", {})}
        else:
            say("  building the Whoosh + jieba index in a fresh process…")
            result["peers"]["whoosh_jieba"] = {"index": subprocess_build("whoosh", env, ["--dir", str(whoosh_dir)], debug=args.debug)}
            w = result["peers"]["whoosh_jieba"]["index"]
            clock.mark("whoosh_build")
            say(f"  Whoosh index: {w['mb']} MB in {w['seconds']} s = {w['mb_per_s']} MB/s, peak RSS {w['peak_rss_mb']} MB")
        whoosh = WhooshPeer(str(whoosh_dir))
        t = time.perf_counter()
        whoosh.page(queries["frequent_word"][0])  # loads jieba's dictionary for query parsing
        result["peers"]["whoosh_jieba"]["warmup_ms"] = round((time.perf_counter() - t) * 1000, 1)
        result["peers"]["whoosh_jieba"]["search"] = _measure_classes(
            "Whoosh", queries, lambda q: (lambda: whoosh.page(q)), args
        )
        _recall(result["peers"]["whoosh_jieba"]["search"], queries, truths, whoosh.all_sections)
        whoosh.close()
        clock.mark("whoosh_queries")
        icontains = IcontainsPeer()
        result["peers"]["icontains"] = {
            "search": _measure_classes("icontains", queries, lambda q: (lambda: icontains.page(q)), args)
        }
        _recall(result["peers"]["icontains"]["search"], queries, truths, icontains.all_sections)
        clock.mark("icontains")
        for peer in ("whoosh_jieba", "icontains"):
            result["ratios"][peer] = {
                cls: {
                    "search": _div(result["peers"][peer]["search"][cls]["p95_ms"], result["search"][cls]["p95_ms"]),
                    "api": _div(result["peers"][peer]["search"][cls]["p95_ms"], result["api"][cls]["p95_ms"]),
                }
                for cls in CLASSES
            }

    # 5. load ------------------------------------------------------------------------------
    result["load"] = {"rps": None, "errors": None, "p99_ms": None}
    if args.load_seconds > 0:
        from . import load as load_test

        if git_info()["engine_fingerprint"] != result["engine_fingerprint"]:
            result["notes"].append("the search code changed during the run: gunicorn served newer code than the in-process figures measured.")
        paths, mix = _load_paths(queries, pages, args.seed)
        say("  load test: gunicorn + wrk + editor")
        # A checkpoint of the in-process figures: a long run that fails under load keeps them.
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        try:
            measured = load_test.measure_mixes(
                args, url=url, corpus=corpus, queries=queries, pages=pages, cycle_paths=paths, cycle_mix=mix,
                edit_ids=_edit_ids(args.seed), search=search, say=say,
            )
        except Exception as exc:  # the in-process figures stand; the block says the load failed
            say(f"  load test failed: {exc!r}")
            result["notes"].append(f"the load test failed and has no figures: {str(exc).splitlines()[0][:300] if str(exc) else repr(exc)}")
            measured = {}
        result["load"] = measured.get("realistic") or measured.get("cycle") or result["load"]
        if "realistic" in measured and "cycle" in measured:
            result["load_cycle"] = measured["cycle"]
        clock.mark("load_test")

    result["database_mb"] = database.size_mb(args.backend, args.data_dir, args.db_name)
    result["total_seconds"] = round(time.monotonic() - started, 1)
    result["phases_s"] = clock.seconds
    result["loadavg_1min"] = clock.loadavg
    # The in-process phases keep about one core busy; the builds and the load test more, by design.
    own_one_core = [v for k, v in clock.loadavg.items() if k not in {"generate_and_load", "index_build", "whoosh_build", "load_test"}]
    if max(own_one_core) > result["cores"]:
        result["notes"].append(
            f"other work shared the machine: the 1-minute load average reached {max(own_one_core)} on {result['cores']} cores "
            f"in phases that keep one core busy (by phase: {', '.join(f'{k} {v}' for k, v in clock.loadavg.items())}); "
            "latencies and throughput are inflated by it."
        )

    # 6. report ----------------------------------------------------------------------------
    from . import report

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    report.update(args.results, result)
    say("")
    say(report.block(result))
    say(f"JSON: {args.json}\nMarkdown: {args.results}\n(total {result['total_seconds']} s)")
    return 0


def _measure_classes(label, queries, make_call, args) -> dict:
    out = {}
    for cls, qs in queries.items():
        samples, first = run_rounds([make_call(q) for q in qs], args.repeat, args.class_budget)
        out[cls] = summary(samples, first[0] if first else None)
        # With a per-process result cache, warm runs measure the cache: the first runs of the
        # class's distinct queries are what an uncached search costs.
        out[cls]["first_runs_p50_ms"] = percentile(first, 50)
        out[cls]["first_runs_p95_ms"] = percentile(first, 95)
        say(f"  {label:10} {cls:18} p50 {out[cls]['p50_ms']!s:>9} p95 {out[cls]['p95_ms']!s:>9} cold {out[cls]['cold_ms']!s:>9} ms ({len(samples)} runs)")
    return out


def _engine_sections(q) -> set[int]:
    """Every section search() returns for the query, as on one page of RECALL_PAGE_SIZE hits, but
    without rendering the hits: search.engine._search with _hits swapped for one that keeps only
    each article's matched sections (what Hit.section_ids holds), and past the per-process result
    cache. At a million sections a frequent word matches some 200,000 reports, whose rows and
    snippets would otherwise be fetched and built (tens of seconds per query, by our estimate) and
    then kept in the cache. The sets equal search()'s (checked on the 10k corpus, 30 queries)."""
    from types import SimpleNamespace

    from search import engine

    def section_ids_only(article_ids, groups, *rest):
        return [SimpleNamespace(section_ids=groups[aid]) for aid in article_ids]

    saved = engine._hits
    engine._hits = section_ids_only
    try:
        results = engine._search(q.text, q.param_dict, sort="relevance", page=1, page_size=RECALL_PAGE_SIZE, facet_filters=None)
    finally:
        engine._hits = saved
    return {sid for hit in results.hits for sid in hit.section_ids}


def _recall(stats, queries, truths, all_sections):
    for cls, qs in queries.items():
        recalls = [len(truths[q] & all_sections(q)) / len(truths[q]) for q in qs if truths[q]]
        stats[cls]["recall"] = round(min(recalls), 4) if recalls else None
        stats[cls]["recall_mean"] = round(sum(recalls) / len(recalls), 4) if recalls else None


def _div(a, b):
    return round(a / b, 2) if a is not None and b else None


def forget_shared_terms() -> bool:
    """Remove the terms an earlier run stored in the shared term cache (search.shared:
    settings.SEARCH_SHARED_CACHE, the "search" cache on Redis) when this process has one. Its keys
    are versioned by the database and the first row of its change log, which a run with --no-load
    keeps, so its first runs would otherwise read their term sets and ranking candidates from there
    instead of asking the index it means to measure. On Redis only the shared-term keys under the
    cache's prefix go (the Redis database is never flushed: other programs may share it); another
    cache backend is cleared. Returns whether there was a shared cache (without one, nothing is
    shared and nothing outlives a process)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from search import shared

    name = shared.store_name()
    if not name:
        return False
    cache = caches[name]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        pattern = cache.make_key(shared.KEY_PREFIX + "*")  # search.shared's keys, as this cache prefixes them
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
    else:
        cache.clear()
    return True


def _previous(args) -> dict:
    try:
        return json.loads(args.json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _mention_count() -> int:
    from archive.models import Mention

    return Mention.objects.count()


def _page_urls(seed: int) -> dict[str, list[str]]:
    """A few of each page kind: articles of every length, the departments and initiatives with
    the most reports (their pages are the longest)."""
    from django.db.models import Count

    from archive.models import Article, Department, Initiative

    rng = random.Random(seed + 3)
    by_length: dict[int, list[str]] = {}
    for slug, n in Article.objects.published().annotate(n=Count("sections")).values_list("slug", "n"):
        by_length.setdefault(n, []).append(slug)
    articles = [rng.choice(sorted(by_length[n])) for n in sorted(by_length)][:8]
    departments = list(
        Department.objects.annotate(n=Count("articles")).order_by("-n", "slug").values_list("slug", flat=True)[:6]
    )
    initiatives = list(
        Initiative.objects.annotate(n=Count("mentions")).order_by("-n", "slug").values_list("slug", flat=True)[:6]
    )
    return {
        "article": [f"/articles/{s}/" for s in articles],
        "department": [f"/departments/{s}/" for s in departments],
        "initiative": [f"/initiatives/{s}/" for s in initiatives],
    }


def _load_paths(queries, pages, seed) -> tuple[list[str], str]:
    """The wrk URL list: half search API, a quarter article pages, an eighth each department and
    initiative pages, shuffled."""
    from urllib.parse import urlencode

    searches = []
    for qs in queries.values():
        for q in qs:
            data = [("q", q.text)] + list(q.params) + ([("page", str(q.page))] if q.page != 1 else [])
            searches.append("/api/search?" + urlencode(data))
    share = {"search": 0.5, "article": 0.25, "department": 0.125, "initiative": 0.125}
    pools = {"search": searches, **pages}
    total = 200
    paths = []
    for kind, fraction in share.items():
        pool = pools[kind]
        paths += [pool[i % len(pool)] for i in range(int(total * fraction))]
    random.Random(seed + 5).shuffle(paths)
    mix = ", ".join(f"{int(f * 100)}% {k}" for k, f in share.items())
    return paths, mix


def _edit_ids(seed: int) -> list[int]:
    from archive.models import Section

    ids = list(Section.objects.filter(article__slug__startswith="bench-", body__gt="").order_by("pk").values_list("pk", flat=True)[:5000])
    return random.Random(seed + 11).sample(ids, min(200, len(ids)))
