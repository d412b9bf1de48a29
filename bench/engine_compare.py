"""`python -m bench.engine_compare --sections N [--backend sqlite|postgres] [--data-dir DIR]
[--db-name NAME] [--rebuild-tantivy]`: the engine weighed against tantivy (bench/tantivy_engine.py)
on a benchmark database that `python -m bench --sections N` built (same --data-dir/--db-name), with
the bench's query classes and ground truth (bench.queries), side by side in one process:

- ours: search() (page of 10, facets, snippets, grouping) over every run, cached results included
  (search.memo: what the site serves), its first runs (each query uncached), and /api/search; its
  terms matched and candidates proposed by the node's tantivy index (search.tantivy_index), built
  afresh from the database's rows before anything is measured;
- tantivy: the same page of 10 (reports, grouped), report counts and disjunctive facet counts by
  aggregation, snippets from search.snippets on the stored text; nothing cached between runs;
- recall of both against the plain scan, report counts compared, index build MB/s and size on
  disk against the text, an editor's save until the edit is found, process memory.

Prints a Markdown table; --json writes every figure. It saves one section (the editor's save, with a
marker appended to its body) in the benchmark database and in the tantivy index: run it on a
benchmark database, never on the archive's.
"""

import argparse
import json
import os
import time
from pathlib import Path

from . import database
from .build import build_node_index
from .measure import percentile, rss_mb, run_rounds

ROOT = Path(__file__).resolve().parent.parent
CLASSES = (
    "frequent_word", "rare_word", "initiative_name", "person_name", "substring_2char", "substring_in_word",
    "multi_term_and", "phrase", "exclusion", "two_facets", "deep_page", "field_title", "field_author", "date_range",
    "synonym",
)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.engine_compare", description=__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, required=True)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--data-dir", type=Path, default=ROOT / "bench" / ".data")
    p.add_argument("--db-name", default="archive_bench")
    p.add_argument("--tantivy-dir", type=Path, help="default: DATA_DIR/tantivy-DBNAME-BACKEND")
    p.add_argument("--rebuild-tantivy", action="store_true", help="Build the tantivy index even if one is there.")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--queries-per-class", type=int, default=6)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--class-budget", type=float, default=30.0)
    p.add_argument("--no-recall", action="store_true", help="Skip recall (it fetches every match of every query).")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    args.tantivy_dir = args.tantivy_dir or args.data_dir / f"tantivy-{args.db_name}-{args.backend}"
    return args


def say(message=""):
    print(message, flush=True)


def search_tables_mb(backend: str) -> float | None:
    """MB on disk of our search tables and their indexes (the documents: SearchDocument,
    ArticleDocument; the change log), the node's index not included."""
    from django.db import connection

    with connection.cursor() as cursor:
        if backend == "sqlite":
            try:
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            except Exception:  # SQLite built without dbstat
                return None
            rows = cursor.fetchall()
            return round(sum(size for name, size in rows if name.startswith("search_")) / 1e6, 1)
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'search\\_%'"
        )
        return round(cursor.fetchone()[0] / 1e6, 1)


def our_edit(section_id: int, marker: str) -> dict:
    """An editor's save on our engine: the section saved (the signals index it and log the change),
    then searched for the marker until the live index has followed the change log."""
    from django.db import transaction

    from archive.models import Section
    from search.engine import search

    t0 = time.perf_counter()
    with transaction.atomic():
        section = Section.objects.get(pk=section_id)
        section.body = section.body + marker
        section.save()
    t1 = time.perf_counter()
    hits = search(marker.strip("（）"), page_size=10**7).hits
    t2 = time.perf_counter()
    return {"save_ms": round((t1 - t0) * 1000, 1), "find_ms": round((t2 - t1) * 1000, 1),
            "total_ms": round((t2 - t0) * 1000, 1), "found": any(section_id in h.section_ids for h in hits)}


def main(argv=None) -> int:
    args = parse_args(argv)
    if not database.exists(args.backend, args.data_dir, args.db_name):
        say(f"no benchmark database {args.db_name} on {args.backend} in {args.data_dir}: run "
            f"`python -m bench --sections {args.sections} --backend {args.backend} --no-peers --load-seconds 0` first.")
        return 2
    os.environ["DATABASE_URL"] = database.database_url(args.backend, args.data_dir, args.db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    from django.test import Client

    from archive.models import Section
    from search.engine import search

    from . import tantivy_engine
    from .queries import draw, read_corpus, truth

    loaded = Section.objects.filter(article__slug__startswith="bench-").count()
    if loaded != args.sections:
        say(f"the benchmark database holds {loaded:,} synthetic sections, not {args.sections:,}.")
        return 2
    out: dict = {"sections": args.sections, "backend": args.backend, "loadavg": {"start": os.getloadavg()[0]}}
    say(f"== engine vs tantivy: {args.sections:,} sections on {args.backend}, load {os.getloadavg()[0]:.2f}")

    # 1. the tantivy index ------------------------------------------------------------------------
    report_path = args.tantivy_dir.with_suffix(".build.json")
    if args.rebuild_tantivy or not report_path.exists():
        from .measure import PeakTreeMemory

        say("  building the tantivy index…")
        with PeakTreeMemory(interval=0.25) as tree:
            report = tantivy_engine.build(args.tantivy_dir)
        build = report.__dict__ | {"peak_rss_mb": tree.peak, "loadavg": os.getloadavg()[0]}
        report_path.write_text(json.dumps(build))
    else:
        build = json.loads(report_path.read_text())
    from .build import text_bytes

    build["mb_text"] = round(text_bytes() / 1e6, 2)  # heading and body, as bench.build measures ours
    build["mb_per_s"] = round(build["mb_text"] / build["seconds"], 2)
    build["prepare_share"] = round(build["prepare_seconds"] / build["seconds"], 2)
    out["tantivy_build"] = build
    say(f"  tantivy: {build['index_mb']} MB on disk for {build['mb_text']} MB of text, built in {build['seconds']} s "
        f"= {build['mb_per_s']} MB/s ({build['prepare_seconds']} s of it preparing in Python), peak RSS {build['peak_rss_mb']} MB")
    say("  building the node's tantivy index (ours) from the database's rows…")
    out["ours_node_index"] = node = build_node_index()
    node_mb = node["mb"]
    say(f"  node index: {node['sections']:,} sections, {node_mb} MB in {node['seconds']} s")
    out["ours_tables_mb"] = search_tables_mb(args.backend)
    out["ours_index_mb"] = round((out["ours_tables_mb"] or 0) + node_mb, 1) if out["ours_tables_mb"] is not None else None
    out["database_mb"] = database.size_mb(args.backend, args.data_dir, args.db_name)

    # 2. queries and truth --------------------------------------------------------------------------
    corpus = read_corpus()
    queries = draw(corpus, args.seed, args.queries_per_class)
    truths = {q: truth(q, corpus) for qs in queries.values() for q in qs}
    del corpus
    rss_start = rss_mb()
    search(" ".join(q.text for q in queries["frequent_word"][:3]))  # the live index and tokenizer
    rss_ours = rss_mb()
    engine = tantivy_engine.TantivyEngine(args.tantivy_dir)
    engine.search(queries["frequent_word"][0].text)
    by_sections = tantivy_engine.TantivyEngine(args.tantivy_dir, facet_mode="sections")
    hybrid = tantivy_engine.TantivyEngine(args.tantivy_dir, facet_mode="bitsets")
    client = Client(HTTP_HOST="127.0.0.1")

    rows = {}
    for cls in CLASSES:
        qs = queries.get(cls, [])
        if not qs:
            continue
        ours, ours_first = run_rounds([lambda q=q: search(q.text, q.param_dict, page=q.page) for q in qs], args.repeat, args.class_budget)

        def api(q):
            data = {"q": q.text, **q.param_dict}
            if q.page != 1:
                data["page"] = str(q.page)
            return lambda: json.loads(client.get("/api/search", data).content)

        api_all, _ = run_rounds([api(q) for q in qs], args.repeat, args.class_budget)
        tv, tv_first = run_rounds([lambda q=q: engine.search(q.text, q.param_dict, page=q.page) for q in qs], args.repeat, args.class_budget)
        bare, _ = run_rounds([lambda q=q: engine.bare(q.text, q.param_dict) for q in qs], args.repeat, args.class_budget)
        sec, _ = run_rounds([lambda q=q: by_sections.search(q.text, q.param_dict, page=q.page) for q in qs], args.repeat, args.class_budget)
        hyb, _ = run_rounds([lambda q=q: hybrid.search(q.text, q.param_dict, page=q.page) for q in qs], args.repeat, args.class_budget)
        row = {
            "hybrid_p50": percentile(hyb, 50), "hybrid_p95": percentile(hyb, 95),
            "bare_p50": percentile(bare, 50), "bare_p95": percentile(bare, 95),
            "sections_facets_p50": percentile(sec, 50), "sections_facets_p95": percentile(sec, 95),
            "ours_p50": percentile(ours, 50), "ours_p95": percentile(ours, 95),
            "ours_first_p50": percentile(ours_first, 50), "ours_first_p95": percentile(ours_first, 95),
            "api_p50": percentile(api_all, 50), "api_p95": percentile(api_all, 95),
            "tantivy_p50": percentile(tv, 50), "tantivy_p95": percentile(tv, 95),
            "tantivy_first_p95": percentile(tv_first, 95),
        }
        # report counts: ours exact, tantivy's by cardinality aggregation
        errors, hybrid_errors = [], []
        for q in qs:
            a = search(q.text, q.param_dict).total
            b = engine.search(q.text, q.param_dict, snippets=False).total
            c = hybrid.search(q.text, q.param_dict, snippets=False).total
            errors.append(abs(a - b) / max(a, 1))
            hybrid_errors.append(abs(a - c) / max(a, 1))
        row["count_error_max"] = round(max(errors), 4)
        row["hybrid_count_error_max"] = round(max(hybrid_errors), 4)
        if not args.no_recall:
            r_ours, r_tv = [], []
            for q in qs:
                if not truths[q]:
                    continue
                hits = search(q.text, q.param_dict, page_size=10**7).hits
                got = {sid for h in hits for sid in h.section_ids}
                r_ours.append(len(truths[q] & got) / len(truths[q]))
                r_tv.append(len(truths[q] & engine.matching_sections(q.text, q.param_dict)) / len(truths[q]))
            row["ours_recall"] = round(min(r_ours), 4) if r_ours else None
            row["tantivy_recall"] = round(min(r_tv), 4) if r_tv else None
        row["truth"] = round(sum(len(truths[q]) for q in qs) / len(qs))
        rows[cls] = row
        say(f"  {cls:18} ours p50 {row['ours_p50']:>8} p95 {row['ours_p95']:>8} (uncached p95 {row['ours_first_p95']:>8}) "
            f"API p95 {row['api_p95']:>8} | tantivy p50 {row['tantivy_p50']:>7} p95 {row['tantivy_p95']:>7} ms "
            f"| hybrid p95 {row['hybrid_p95']} | bare p95 {row['bare_p95']}, section facets p95 {row['sections_facets_p95']} "
            f"| recall {row.get('ours_recall')} / {row.get('tantivy_recall')} | count error {row['count_error_max']}")
    out["classes"] = rows
    out["rss_mb"] = {"before_search": rss_start, "after_ours_warm": rss_ours, "after_both": rss_mb()}
    out["loadavg"]["queries"] = os.getloadavg()[0]

    # 3. an editor's save -------------------------------------------------------------------------
    sid = Section.objects.filter(article__slug__startswith="bench-", body__gt="").order_by("pk").values_list("pk", flat=True)[17]
    marker = f"（校订{int(time.time()) % 100000}号）"
    out["edit_ours"] = our_edit(sid, marker)
    marker2 = f"（复核{int(time.time()) % 100000}号）"
    out["edit_tantivy"] = tantivy_engine.edit_latency(args.tantivy_dir, sid, marker2.strip("（）"), engine)
    say(f"  editor's save until found: ours {out['edit_ours']}, tantivy {out['edit_tantivy']}")
    say()
    say(table(out))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def table(out: dict) -> str:
    lines = [
        "| class | ours search() p50 / p95 | ours uncached p95 | ours API p95 | tantivy full p50 / p95 | tantivy + our bitsets p50 / p95 | tantivy, facets in sections p95 | tantivy bare top-10 + count p95 | recall ours / tantivy | report-count error tantivy / hybrid |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cls, r in out["classes"].items():
        recall = (f"{r['ours_recall']:.1%} / {r['tantivy_recall']:.1%}" if r.get("ours_recall") is not None
                  and r.get("tantivy_recall") is not None else "–")
        lines.append(f"| {cls} | {r['ours_p50']} / {r['ours_p95']} | {r['ours_first_p95']} | {r['api_p95']} | "
                     f"{r['tantivy_p50']} / {r['tantivy_p95']} | {r['hybrid_p50']} / {r['hybrid_p95']} | {r['sections_facets_p95']} | {r['bare_p95']} | {recall} | {r['count_error_max']:.2%} / {r['hybrid_count_error_max']:.2%} |")
    b = out["tantivy_build"]
    lines += [
        "",
        f"tantivy index: {b['index_mb']} MB for {b['mb_text']} MB of text ({b['index_mb'] / b['mb_text']:.1f}×), "
        f"built at {b['mb_per_s']} MB/s ({b['prepare_share']:.0%} of the time preparing grams and jieba words in Python), "
        f"peak RSS {b['peak_rss_mb']} MB; ours: {out['ours_index_mb']} MB (search tables "
        f"{out['ours_tables_mb']} MB, the node's tantivy index {out['ours_node_index']['mb']} MB), database {out['database_mb']} MB.",
        f"editor's save until found: ours {out['edit_ours']['total_ms']} ms, tantivy {out['edit_tantivy']['total_ms']} ms "
        f"(commit {out['edit_tantivy']['commit_ms']} ms).",
        f"process RSS: {out['rss_mb']}; load average {out['loadavg']}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
