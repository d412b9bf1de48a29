"""The results as Markdown: one block per (backend, sections) in RESULTS.md, replaced by the next
run of the same pair and kept otherwise, so the SQLite and PostgreSQL runs sit side by side."""

import re
from pathlib import Path

from .queries import CLASS_LABELS, CLASSES, SUBSTRING_CLASSES

TARGET_API_P95_MS = 50
# Issue 17 (a million sections on two cores): API p95 ≤ 100 ms, one worker ≤ 400 MB after
# warm-up, and at every size the search index on disk ≤ 10× the text it indexes.
MILLION = 1_000_000
TARGET_API_P95_MS_MILLION = 100
TARGET_RSS_MB_MILLION = 400
TARGET_INDEX_TIMES_TEXT = 10
TARGET_WHOOSH_RATIO = 10
TARGET_INDEX_MB_S = 5
TARGET_RPS = 150
TARGET_LOAD_P99_MS = 250
TARGET_RSS_MB = 200

HEADER = """# Search benchmarks

Written by `python -m bench` (see `bench/__main__.py`); one block per database and corpus size,
replaced by the next run of the same pair. A block's figures all come from one run on one
machine: synthetic sections recombined from the real corpus (`bench/generate.py`), the index
built by `search.indexing.rebuild()`, latencies through `search.engine.search()` and through
`/api/search` in process, page renders through Django's test client, and the load through
gunicorn (2 workers) driven by wrk on loopback while an editor saves a section every 0.5 s.
DEBUG is off while measuring, as in production (`bench/wsgi.py` says why), unless the block says
otherwise.

Recall is the share of the sections that truly contain the query (a plain scan of the
normalised title, heading and body) that the engine returns. `cold` is each query's first run
in the process (per-process caches empty for it), p50/p95/p99 are over every run (cold ones
included). The API is measured after `search()` has run the same queries in the same process,
so its `cold` column is warm for whatever the engine keeps between calls.
"""


def _ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _ratio(value) -> str:
    return "–" if value is None else f"{value:.1f}×"


def targets(result: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, verdict, met) rows; a missed target says by how much."""
    rows = []
    million = result.get("sections", 0) >= MILLION
    api_target = TARGET_API_P95_MS_MILLION if million else TARGET_API_P95_MS
    rss_target = TARGET_RSS_MB_MILLION if million else TARGET_RSS_MB
    api = result.get("api", {})
    worst = max(((cls, s["p95_ms"]) for cls, s in api.items() if s.get("p95_ms") is not None), key=lambda x: x[1], default=None)
    if worst:
        cls, p95 = worst
        met = p95 <= api_target
        over = [c for c, s in api.items() if s.get("p95_ms") is not None and s["p95_ms"] > api_target]
        failed = sum(s.get("errors", 0) for s in api.values())
        if failed:
            met = False
        rows.append((
            f"API p95 ≤ {api_target} ms, every class",
            f"worst: {CLASS_LABELS[cls]} {_ms(p95)} ms",
            ("met" if met else f"missed by {p95 / api_target:.1f}× ({len(over)} of {len(api)} classes over)")
            + (f"; {failed} API requests failed" if failed else ""),
            met,
        ))
    if million:
        # The API above runs after search() has answered the same queries in the same process, so
        # most of its runs come from the per-process result cache: an uncached search is the
        # first run of each distinct query.
        first = {cls: s.get("first_runs_p95_ms") for cls, s in result.get("search", {}).items() if s.get("first_runs_p95_ms") is not None}
        if first:
            cls = max(first, key=first.get)
            over = [c for c, v in first.items() if v > api_target]
            met = not over
            rows.append((
                f"uncached search() p95 ≤ {api_target} ms, every class (first run of each query)",
                f"worst: {CLASS_LABELS[cls]} {_ms(first[cls])} ms",
                "met" if met else f"missed by {first[cls] / api_target:.1f}× ({len(over)} of {len(first)} classes over)",
                met,
            ))
    ratios = result.get("ratios", {}).get("whoosh_jieba", {})
    api_ratios = {cls: r["api"] for cls, r in ratios.items() if r.get("api") is not None}
    if api_ratios:
        cls = min(api_ratios, key=api_ratios.get)
        met = api_ratios[cls] >= TARGET_WHOOSH_RATIO
        # Where Whoosh misses nearly everything it is fast because it finds nothing: say also
        # how the classes compare where it finds (almost) all that we do.
        whoosh_stats = result.get("peers", {}).get("whoosh_jieba", {}).get("search", {})
        full = {c: r for c, r in api_ratios.items() if (whoosh_stats.get(c, {}).get("recall_mean") or 0) >= 0.99}
        fair = min(full, key=full.get) if full else None
        rows.append((
            f"≥{TARGET_WHOOSH_RATIO}× lower p95 than Whoosh + jieba (API vs Whoosh query)",
            f"lowest: {CLASS_LABELS[cls]} {_ratio(api_ratios[cls])}"
            + (f"; lowest where Whoosh finds ≥99%: {CLASS_LABELS[fair]} {_ratio(full[fair])}" if fair else ""),
            "met" if met else f"missed: {api_ratios[cls]:.2f}× is {TARGET_WHOOSH_RATIO / api_ratios[cls]:.1f}× short",
            met,
        ))
    whoosh = result.get("peers", {}).get("whoosh_jieba", {}).get("search", {})
    if whoosh:
        missed = [c for c in SUBSTRING_CLASSES if (whoosh.get(c, {}).get("recall") or 0) < 1]
        ours = {c: result["search"][c]["recall"] for c in missed}
        met = all(r == 1.0 for r in ours.values())
        rows.append((
            "100% recall on the substring classes Whoosh misses",
            ", ".join(f"{CLASS_LABELS[c]}: ours {_pct(ours[c])}, Whoosh {_pct(whoosh[c]['recall'])}" for c in missed) or "Whoosh misses none",
            "met" if met else "missed",
            met,
        ))
    index = result.get("index", {})
    if index.get("mb_per_s") is not None:
        met = index["mb_per_s"] >= TARGET_INDEX_MB_S
        rows.append((
            f"index build ≥ {TARGET_INDEX_MB_S} MB/s",
            f"{index['mb_per_s']:.2f} MB/s",
            "met" if met else f"missed by {TARGET_INDEX_MB_S / index['mb_per_s']:.1f}×",
            met,
        ))
    size = result.get("index_size") or {}
    text_mb = result.get("corpus", {}).get("mb") or index.get("mb")
    if size.get("total_mb") and text_mb:
        times = size["total_mb"] / text_mb
        met = times <= TARGET_INDEX_TIMES_TEXT
        rows.append((f"search index on disk ≤ {TARGET_INDEX_TIMES_TEXT}× the text",
                     f"{size['total_mb']:,.0f} MB for {text_mb:,.0f} MB of text = {times:.1f}×",
                     "met" if met else f"missed by {times / TARGET_INDEX_TIMES_TEXT:.1f}×", met))
    load = result.get("load", {})
    if load.get("rps") is not None:
        met = load["rps"] >= TARGET_RPS
        rows.append((f"≥ {TARGET_RPS} requests/s mixed", f"{load['rps']:.1f} req/s",
                     "met" if met else f"missed by {TARGET_RPS / max(load['rps'], 0.1):.1f}×", met))
        met = load["errors"] == 0
        rows.append(("zero errors under load", str(load["errors"]), "met" if met else f"missed: {load['errors']} errors", met))
        met = load["p99_ms"] <= TARGET_LOAD_P99_MS
        rows.append((f"p99 ≤ {TARGET_LOAD_P99_MS} ms under load", f"{_ms(load['p99_ms'])} ms",
                     "met" if met else f"missed by {load['p99_ms'] / TARGET_LOAD_P99_MS:.1f}×", met))
        editor = load["editor"]
        met = editor["failures"] == 0 and editor["saves"] > 0 and load.get("edits_indexed", False)
        rows.append(("editor saves succeed (and are found)",
                     f"{editor['saves']} saves, {editor['failures']} failed, last edit found: {load.get('edits_indexed')}",
                     "met" if met else "missed", met))
        rss = [r for r in load.get("rss_mb_after_warmup", []) if r is not None]
        if rss:
            met = max(rss) <= rss_target
            rows.append((f"one serving process ≤ {rss_target} MB after warm-up", f"{max(rss):.0f} MB (largest worker)",
                         "met" if met else f"missed by {max(rss) - rss_target:.0f} MB ({max(rss) / rss_target:.2f}×)", met))
    return rows


ENGINES = {  # what found the sections a term occurs in (the "search_engine" of a run's JSON)
    "database": "terms matched by the database's gram tables (since removed)",
    "tantivy": "terms matched and ranking candidates proposed by the node's tantivy index",
}


def block(result: dict) -> str:
    corpus = result.get("corpus", {})
    index = result.get("index", {})
    lines = [
        f"## {result['backend']} · {result['sections']:,} sections",
        "",
        f"Run {result['date']} on {result['cores']} cores ({result.get('machine', '')}), DEBUG "
        f"{'on' if result.get('debug') else 'off'}; commit "
        f"`{result.get('commit', '?')}`{' with local changes' if result.get('dirty') else ''}, search code "
        f"`{result.get('engine_fingerprint', '?')}`, {ENGINES.get(result.get('search_engine', 'database'))}. Corpus: {corpus.get('articles', '?'):,} articles, "
        f"{corpus.get('sections', '?'):,} sections, {corpus.get('mb', '?')} MB of text, {corpus.get('mentions', '?'):,} "
        f"initiative mentions; database {result.get('database_mb', '?')} MB after the run.",
        "",
        "### Targets",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
    ]
    for target, measured, verdict, met in targets(result):
        mark = "✅" if met else ("❌" if met is False else "")
        lines.append(f"| {target} | {measured} | {mark} {verdict} |")
    lines += ["", "### Index build", "", "| index | seconds | MB of text | MB/s | peak RSS (MB) |", "| --- | --- | --- | --- | --- |"]
    node = result.get("node_index")
    if node and index.get("documents_s") is not None:
        lines.append(f"| ours (`rebuild_index`: the database's documents, then the node's index) | {index.get('seconds')} | "
                     f"{index.get('mb')} | {index.get('mb_per_s')} | {index.get('peak_rss_mb')} |")
        rate = round(index["mb"] / index["documents_s"], 2) if index.get("mb") and index["documents_s"] else None
        lines.append(f"| of which the documents (jieba in a pool, one write) | {index['documents_s']} | {index.get('mb')} | {rate} | |")
    else:
        lines.append(f"| ours (`rebuild()`) | {index.get('seconds')} | {index.get('mb')} | {index.get('mb_per_s')} | {index.get('peak_rss_mb')} |")
    if node:
        rate = round(index["mb"] / node["seconds"], 2) if index.get("mb") and node.get("seconds") else None
        lines.append(f"| the node's tantivy index, from the database's rows ({node['mb']:,} MB on disk) | {node['seconds']} | {index.get('mb')} | {rate} | |")
    whoosh = result.get("peers", {}).get("whoosh_jieba", {})
    if whoosh.get("index"):
        w = whoosh["index"]
        ratio = (index["mb_per_s"] / w["mb_per_s"]) if index.get("mb_per_s") and w.get("mb_per_s") else None
        lines.append(f"| Whoosh + jieba | {w.get('seconds')} | {w.get('mb')} | {w.get('mb_per_s')} | {w.get('peak_rss_mb')} |")
        lines.append(f"| ours ÷ Whoosh (throughput) | | | {_ratio(ratio)} | |")

    size = result.get("index_size") or {}
    if size.get("tables"):
        text_mb = corpus.get("mb") or index.get("mb")
        parts = ", ".join(f"`{t}` {mb:,.1f}" for t, mb in sorted(size["tables"].items(), key=lambda x: -x[1]) if mb >= 0.1)
        lines += [
            "",
            f"On disk after the build: search index {size['total_mb']:,.1f} MB (the search_* tables with their "
            f"indexes and TOAST, and the node's index; {parts} MB) = {size['total_mb'] / text_mb:.1f}× the {text_mb:,.1f} MB of text; "
            f"whole database {result.get('database_mb_after_build', '?')} MB"
            + (f" ({result['database_mb_after_build'] / text_mb:.1f}× the text)." if result.get("database_mb_after_build") else "."),
        ]
    timings = result.get("timings") or {}
    if timings:
        lines.append(
            f"Generating the corpus {timings.get('migrate_and_generate_s')} s, loading it {timings.get('load_s')} s "
            "(bulk inserts, the real initiative linker)."
        )
    loadavg = result.get("loadavg_1min") or {}
    if loadavg:
        lines += ["", "1-minute load average by phase (the machine's, other work included): "
                  + ", ".join(f"{k} {v}" for k, v in loadavg.items()) + "."]

    lines += [
        "",
        "### Search latency (ms) and recall",
        "",
        f"`search()` is the engine function (page of 10, facets, snippets, grouping); API is `/api/search` "
        f"in process (the same plus JSON). {result.get('queries_per_class', '?')} queries per class, up to "
        f"{result.get('repeat', '?')} runs each. Process warm-up (first search: tokenizer, facet map): "
        f"{_ms(result.get('search_warmup_ms'))} ms.",
        "",
        "| class | search() p50 | p95 | p99 | cold | API p50 | p95 | p99 | cold | recall | matches |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cls in CLASSES:
        s, a = result["search"].get(cls, {}), result["api"].get(cls, {})
        lines.append(
            f"| {CLASS_LABELS[cls]} | {_ms(s.get('p50_ms'))} | {_ms(s.get('p95_ms'))} | {_ms(s.get('p99_ms'))} | {_ms(s.get('cold_ms'))} "
            f"| {_ms(a.get('p50_ms'))} | {_ms(a.get('p95_ms'))} | {_ms(a.get('p99_ms'))} | {_ms(a.get('cold_ms'))} "
            f"| {_pct(s.get('recall'))} | {s.get('truth_sections', '–')} |"
        )
    peers = result.get("peers", {})
    if peers:
        lines += [
            "",
            "### Peers (same corpus, same queries; p95 in ms)",
            "",
            "Ratios are the peer's p95 over our API's (higher is better for us). Recall: lowest and mean over "
            "the class's queries. Whoosh is timed without facets, snippets or grouping, with one searcher kept open.",
            "",
            "| class | ours search() | ours API | Whoosh + jieba | recall min / mean | Whoosh ÷ API | icontains (admin) | recall min / mean | icontains ÷ API |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        ratios = result.get("ratios", {})
        for cls in CLASSES:
            w = peers.get("whoosh_jieba", {}).get("search", {}).get(cls, {})
            i = peers.get("icontains", {}).get("search", {}).get(cls, {})
            rw = ratios.get("whoosh_jieba", {}).get(cls, {})
            ri = ratios.get("icontains", {}).get(cls, {})
            lines.append(
                f"| {CLASS_LABELS[cls]} | {_ms(result['search'].get(cls, {}).get('p95_ms'))} | {_ms(result['api'].get(cls, {}).get('p95_ms'))} "
                f"| {_ms(w.get('p95_ms'))} | {_pct(w.get('recall'))} / {_pct(w.get('recall_mean'))} | {_ratio(rw.get('api'))} "
                f"| {_ms(i.get('p95_ms'))} | {_pct(i.get('recall'))} / {_pct(i.get('recall_mean'))} | {_ratio(ri.get('api'))} |"
            )
    pages = result.get("pages", {})
    if pages:
        lines += ["", "### Page renders (ms, test client in process)", "", "| page | p50 | p95 | cold | errors |", "| --- | --- | --- | --- | --- |"]
        for name, p in pages.items():
            lines.append(f"| {name} | {_ms(p.get('p50_ms'))} | {_ms(p.get('p95_ms'))} | {_ms(p.get('cold_ms'))} | {p.get('errors', 0)} |")
    load = result.get("load", {})
    if load.get("rps") is not None:
        editor = load["editor"]
        lines += [
            "",
            "### Under load",
            "",
            f"gunicorn (`{load.get('app', 'config.wsgi')}`), {load.get('nodes', 1)} node(s) × {load['workers']} sync workers; wrk, 2 threads, {load['connections']} connections, {load['seconds']:g} s, "
            f"requesting {load.get('urls', '?')} URLs ({load.get('mix', '')}); warm-up {load.get('warmup_s')} s.",
            "",
            "| req/s | requests | errors | p50 | p90 | p99 | max | editor saves | failed | save p50 | save max | worker RSS after warm-up | after load |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| {load['rps']} | {load['requests']} | {load['errors']} {_detail(load)} | {_ms(load['p50_ms'])} | {_ms(load['p90_ms'])} "
            f"| {_ms(load['p99_ms'])} | {_ms(load['max_ms'])} | {editor['saves']} | {editor['failures']} | {_ms(editor['p50_ms'])} "
            f"| {_ms(editor['max_ms'])} | {', '.join(f'{r:.0f}' for r in load.get('rss_mb_after_warmup', []) if r)} MB "
            f"| {', '.join(f'{r:.0f}' for r in load.get('rss_mb_after_load', []) if r)} MB |",
        ]
    if load.get("by_kind"):
        lines += ["", "Server time per request kind under load (gunicorn access log):", "",
                  "| kind | requests | p50 | p95 | share of server time |", "| --- | --- | --- | --- | --- |"]
        for kind, k in load["by_kind"].items():
            lines.append(f"| {kind} | {k['requests']} | {_ms(k['p50_ms'])} | {_ms(k['p95_ms'])} | {k['share_of_time'] * 100:.0f}% |")
    from .load import report_lines as load_mixes  # both load mixes side by side (bench/load.py)

    lines += load_mixes(result)
    notes = result.get("notes", [])
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _detail(load: dict) -> str:
    parts = [f"{k} {v}" for k, v in load.get("error_detail", {}).items() if v]
    log = load.get("server_log", {})
    parts += [f"server {k.replace('_', ' ')} {v}" for k, v in log.items() if v]
    return f"({', '.join(parts)})" if parts else ""


_BLOCK = re.compile(r"<!-- bench:(?P<key>[\w-]+) -->\n(?P<body>.*?)<!-- /bench:(?P=key) -->\n", re.S)


def update(path: Path, result: dict) -> None:
    """Replace this run's block in the Markdown file (or add it), keeping the others."""
    key = f"{result['backend']}-{result['sections']}"
    blocks = {}
    if path.exists():
        blocks = {m["key"]: m["body"] for m in _BLOCK.finditer(path.read_text(encoding="utf-8"))}
    blocks[key] = block(result)

    def order(k):
        backend, sections = k.rsplit("-", 1)
        return (-int(sections), backend != "sqlite")

    text = HEADER + "".join(f"\n<!-- bench:{k} -->\n{blocks[k]}<!-- /bench:{k} -->\n" for k in sorted(blocks, key=order))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
