"""Sustained load: the app under gunicorn (2 workers per node, one or more nodes), driven by wrk on
loopback for a bounded time, while an editor saves a section every 0.5 s through the first node's
admin (signed in, the section's change form submitted: the signals relink and reindex it). Reports throughput, wrk's latency percentiles
and errors, the editor's saves and failures, whether the last save is found by search on another
node, and the workers' resident memory after warm-up and after the load.

Two request mixes (`measure_mixes` runs both, one after the other, each on freshly started nodes):

- realistic (bench/mix.py): thousands of distinct URLs requested with a Zipf distribution; wrk's
  Lua script reads the precomputed request sequence from a file, each thread taking every n-th
  entry, so the run says exactly which URLs it requested: how many distinct ones, and the share
  of requests whose URL had been requested before (the best any cache could do).
- cycle: the old mix, 86 URLs cycled over and over, every one warmed up first: most requests are
  answered from what a process already holds in memory.

With several nodes, one wrk process drives each node with its share of the connections, all at
once; req/s are summed, and the latency figures given for the whole are the worst node's (wrk
reports percentiles, which cannot be merged), each node's own beside them.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

from .measure import children, percentile, rss_mb
from .topology import free_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
WRK_THREADS = 2
EDIT_INTERVAL_S = 0.5
EDIT_MARK = re.compile(r"（第\d+次校订）$")
EDIT_SEEN_TIMEOUT_S = 10

_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  local counts = {}
  for _, t in ipairs(threads) do counts[#counts + 1] = tostring(t:get("counter") or 0) end
  io.write(string.format(
    'BENCH_WRK {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.1f, "thread_counts": [%%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(counts, ", ")))
end
"""

LUA = r"""
-- Cycles through the benchmark's URL list; each wrk thread starts at its own offset.
local paths = %(paths)s
threads = {}
counter = 0
setup = function(thread)
  thread:set("offset", %(offset)s * #threads)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local i = ((counter + (offset or 0)) %% #paths) + 1
  return wrk.format("GET", paths[i])
end
""" + _DONE

SEQUENCE_LUA = r"""
-- Plays a precomputed request sequence (bench/mix.py), one URL a line: thread t of this wrk takes
-- entries base + t, base + t + T, base + t + 2T… (T threads), wrapping at the end of the file.
urls = {}
for line in io.lines(%(file)s) do urls[#urls + 1] = line end
threads = {}
counter = 0
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
request = function()
  local i = (%(base)d + tid + counter * %(stride)d) %% #urls + 1
  counter = counter + 1
  return wrk.format("GET", urls[i])
end
""" + _DONE


def lua_script(paths: list[str]) -> str:
    quoted = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    return LUA % {"paths": quoted, "offset": max(1, len(paths) // 2)}


def sequence_script(sequence_file: Path, base: int, threads: int) -> str:
    return SEQUENCE_LUA % {"file": json.dumps(str(sequence_file)), "base": base, "stride": threads}


def requested_indices(base: int, thread_counts: list[int], length: int) -> list[int]:
    """Which entries of the sequence a wrk process played (the inverse of SEQUENCE_LUA)."""
    stride = len(thread_counts)
    return [(base + t + k * stride) % length for t, n in enumerate(thread_counts) for k in range(n)]


KINDS = (
    ("/api/search", "search"), ("/api/suggest", "suggest"), ("/search/", "search page"), ("/articles/", "article"),
    ("/departments/", "department"), ("/initiatives/", "initiative"), ("/people/", "person"), ("/years/", "year"),
)


def kind_of(path: str) -> str:
    for prefix, kind in KINDS:
        if path.startswith(prefix):
            return kind
    return "other"


def per_kind(access_logs: list[tuple[Path, int]]) -> dict:
    """Server-side time per URL kind from gunicorn's access logs (path, status, microseconds),
    for the requests after each log's warm-up lines: where the time under load goes."""
    times: dict[str, list[float]] = {}
    for access_log, skip_lines in access_logs:
        for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines()[skip_lines:]:
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                times.setdefault(kind_of(parts[0]), []).append(int(parts[2]) / 1000)
    total = max(sum(sum(v) for v in times.values()), 1e-9)
    return {
        kind: {"requests": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "share_of_time": round(sum(ms) / total, 3)}
        for kind, ms in sorted(times.items())
    }


def _get(url: str, timeout: float = 120) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _get_json(url: str, timeout: float = 30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


class Editor(threading.Thread):
    """Saves one section every EDIT_INTERVAL_S and counts what fails; `save` says how (HttpEditor:
    through a node's admin, as a person does). Markers are numbered from `first`, so that each
    run's are its own."""

    def __init__(self, section_ids: list[int], first: int = 1):
        super().__init__(daemon=True)
        self.section_ids = section_ids
        self.first = first
        self.stop = threading.Event()
        self.saves, self.failures, self.errors, self.latencies_ms = 0, 0, [], []
        self.last = None  # (section id, marker text) of the last successful save

    def prepare(self) -> None:
        """What must hold before the first save (signing in); a failure here ends the editor."""

    def save(self, sid: int, marker: str) -> None:
        raise NotImplementedError

    def run(self):
        from django.db import connection

        n = self.first - 1
        next_at = time.monotonic()
        try:
            self.prepare()
            while not self.stop.is_set():
                n += 1
                sid = self.section_ids[n % len(self.section_ids)]
                marker = f"（第{n}次校订）"
                started = time.perf_counter()
                try:
                    self.save(sid, marker)
                    self.saves += 1
                    self.last = (sid, marker)
                except Exception as exc:  # a failed save is a result, not a crash of the benchmark
                    self.failures += 1
                    if len(self.errors) < 5:
                        self.errors.append(repr(exc)[:300])
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                next_at += EDIT_INTERVAL_S
                self.stop.wait(max(0.0, next_at - time.monotonic()))
        except Exception as exc:
            self.failures += 1
            self.errors.append(repr(exc)[:300])
        finally:
            connection.close()


class Node:
    """One gunicorn instance (an app node) on its own port."""

    def __init__(self, index: int, port: int, env: dict, log_path: Path, app: str, workers: int):
        self.index, self.port, self.base = index, port, f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.access_log = log_path.with_suffix(".access.log")
        self.access_log.write_text("")
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "120", "--graceful-timeout", "10", "--log-level", "warning",
             "--access-logfile", str(self.access_log), "--access-logformat", "%(U)s %(s)s %(D)s"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        # A static file answers as soon as a worker is up; the home page can take long (its
        # initiative counts scan every mention) and is not in the load mix.
        deadline = time.monotonic() + timeout
        while _get(self.base + "/static/css/site.css", timeout=10) != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not serve {self.base}/static/css/site.css (see {self.log_path})")
            time.sleep(0.5)

    def access_lines(self) -> int:
        return len(self.access_log.read_text(encoding="utf-8", errors="replace").splitlines())

    def rss(self) -> list:
        return [rss_mb(pid) for pid in children(self.process.pid)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def server_log(self) -> dict:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return {"tracebacks": text.count("Traceback (most recent call last)"), "worker_timeouts": text.count("WORKER TIMEOUT")}


def _warm(node: Node, urls: list[str], workers: int, budget_s: float) -> tuple[float, int]:
    started = time.monotonic()
    statuses = []
    with ThreadPoolExecutor(workers) as pool:
        for i in range(0, len(urls), workers * 4):
            statuses += list(pool.map(lambda p: _get(node.base + p), urls[i : i + workers * 4]))
            if time.monotonic() - started > budget_s:
                break
    return round(time.monotonic() - started, 1), sum(1 for s in statuses if s != 200)


def edit_seen(node_base: str, article_id: int, marker: str, timeout: float = EDIT_SEEN_TIMEOUT_S):
    """Seconds until a search for the edit's marker on this node lists the edited report, or None."""
    url = f"{node_base}/api/search?{urllib.parse.urlencode({'q': marker.strip('（）')})}"
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        data = _get_json(url)
        if data and any(r.get("article", {}).get("id") == article_id for r in data.get("results", [])):
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def run(*, database_url: str, paths: list[str] | None = None, sequence: list[str] | None = None,
        warmup_paths: list[str] | None = None, seconds: float, connections: int, edit_ids: list[int],
        log_path: Path, app: str = "bench.wsgi", warmup_budget_s: float = 300, say=print,
        node_envs: list[dict] | None = None, ports: list[int] | None = None, edit_first: int = 1,
        workers: int = WORKERS, counters=None) -> dict:
    """One load run. `paths` cycles a short URL list (every URL warmed up first); `sequence` plays
    a long request sequence (warmed up with `warmup_paths`). One node per entry of `node_envs`.
    `counters()`, when given, is read as wrk starts and as it ends (bench.topology's transactions)."""
    node_envs = node_envs or [{}]
    ports = ports or [free_port() for _ in node_envs]
    base_env = dict(os.environ, DATABASE_URL=database_url, DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    for key in ("DATABASE_REPLICA_URLS", "REDIS_URL", "CACHE_KEY_PREFIX"):
        base_env.pop(key, None)  # only what the topology gives each node
    nodes: list[Node] = []
    result: dict = {"workers": workers, "nodes": len(node_envs), "connections": connections, "seconds": seconds, "app": app}
    try:
        for i, (env, port) in enumerate(zip(node_envs, ports)):
            path = log_path.with_name(f"{log_path.stem}-node{i + 1}{log_path.suffix}") if len(node_envs) > 1 else log_path
            nodes.append(Node(i, port, base_env | env, path, app, workers))
        for node in nodes:
            node.wait_ready()
        warm_urls = list(dict.fromkeys(warmup_paths if warmup_paths is not None else (paths or [])))
        say(f"  warm-up: {len(warm_urls)} URLs through {workers} workers on each of {len(nodes)} node(s)")
        warmed = [_warm(node, warm_urls, workers, warmup_budget_s) for node in nodes]
        result["warmup_s"] = round(sum(w[0] for w in warmed), 1)
        result["warmup_errors"] = sum(w[1] for w in warmed)
        result["rss_mb_after_warmup"] = [r for node in nodes for r in node.rss()]
        warmup_lines = [node.access_lines() for node in nodes]

        per_node_connections = [connections // len(nodes) + (1 if i < connections % len(nodes) else 0) for i in range(len(nodes))]
        threads = [max(1, min(WRK_THREADS, c)) for c in per_node_connections]
        scripts = []
        if sequence is not None:
            seq_file = log_path.with_suffix(".sequence.txt")
            seq_file.write_text("\n".join(sequence) + "\n", encoding="utf-8")
            bases = [i * len(sequence) // len(nodes) for i in range(len(nodes))]
            for i, node in enumerate(nodes):
                scripts.append(sequence_script(seq_file, bases[i], threads[i]))
        else:
            scripts = [lua_script(paths)] * len(nodes)
        script_files = []
        for i, text in enumerate(scripts):
            f = log_path.with_name(f"{log_path.stem}-node{i + 1}.lua")
            f.write_text(text, encoding="utf-8")
            script_files.append(f)

        # The editor saves through the first node's admin; the last node is where its save is looked for.
        editor = HttpEditor(edit_ids, nodes[0].base, first=edit_first)
        editor.sign_in()  # before the load: signing in is not one of the saves
        say(f"  wrk: {seconds:g} s, {connections} connections over {len(nodes)} node(s); editor saving every {EDIT_INTERVAL_S} s")
        before = counters() if counters else None
        result["loadavg_1min"] = {"start": round(os.getloadavg()[0], 2)}
        editor.start()
        procs = [
            subprocess.Popen(
                ["wrk", "-t", str(threads[i]), "-c", str(per_node_connections[i]), "-d", f"{seconds:g}s", "--timeout", "10s",
                 "-s", str(script_files[i]), node.base + "/"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for i, node in enumerate(nodes)
        ]
        outputs = [p.communicate(timeout=seconds + 120) for p in procs]
        editor.stop.set()
        editor.join(timeout=60)
        result["loadavg_1min"]["end"] = round(os.getloadavg()[0], 2)
        after = counters() if counters else None
        if before and after:  # where the load window's transactions went (the nodes' and the editor's)
            result["transactions"] = {k: after[k] - before[k] for k in after if k in before}
        result["rss_mb_after_load"] = [r for node in nodes for r in node.rss()]

        per_node = []
        requested: list[str] = []
        cycled: list[str] = []
        for i, (out, err) in enumerate(outputs):
            line = next((l for l in out.splitlines() if l.startswith("BENCH_WRK ")), None)
            if line is None:
                raise RuntimeError(f"wrk printed no summary:\n{out}\n{err}")
            stats = json.loads(line.split(" ", 1)[1])
            errors = {k: stats[k] for k in ("connect", "read", "write", "status", "timeout")}
            duration = stats["duration_us"] / 1e6
            per_node.append({
                "node": i + 1, "connections": per_node_connections[i], "requests": stats["requests"],
                "rps": round(stats["requests"] / duration, 1) if duration else None,
                "errors": sum(errors.values()), "error_detail": errors,
                **{f"{k}_ms": round(stats[f"{k}_us"] / 1000, 1) for k in ("p50", "p90", "p99", "max")},
            })
            if sequence is not None:
                requested += [sequence[j] for j in requested_indices(bases[i], stats["thread_counts"], len(sequence))]
            else:  # LUA: thread t asks for paths[(c + t * offset) % n], c = 1, 2…
                offset = max(1, len(paths) // 2)
                cycled += [paths[(c + t * offset) % len(paths)] for t, n in enumerate(stats["thread_counts"]) for c in range(1, n + 1)]
        worst = {k: max(n[k] for n in per_node) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")}
        error_detail = {k: sum(n["error_detail"][k] for n in per_node) for k in per_node[0]["error_detail"]}
        result.update(
            {
                "requests": sum(n["requests"] for n in per_node),
                "rps": round(sum(n["rps"] or 0 for n in per_node), 1),
                "errors": sum(error_detail.values()),
                "error_detail": error_detail,
                **worst,
                "per_node": per_node if len(nodes) > 1 else [],
                "editor": {
                    "saves": editor.saves,
                    "failures": editor.failures,
                    "errors": editor.errors,
                    "p50_ms": percentile(editor.latencies_ms, 50),
                    "max_ms": round(max(editor.latencies_ms), 1) if editor.latencies_ms else None,
                },
                "_last_edit": editor.last,
            }
        )
        if sequence is not None:
            from .mix import repeat_stats

            result["repeats"] = repeat_stats(requested)
        else:
            from .mix import repeat_stats

            result["repeats"] = repeat_stats(cycled)
        # The last save, looked for by search on the last node (another node than the one that
        # saved it, when there are several), which reads through its router and shared cache.
        if editor.last:
            from archive.models import Section

            sid, marker = editor.last
            article_id = Section.objects.filter(pk=sid).values_list("article_id", flat=True).first()
            result["edit_seen_on_node"] = len(nodes)
            result["edit_seen_after_s"] = edit_seen(nodes[-1].base, article_id, marker)
        time.sleep(1)  # let the workers flush their access log lines
        result["by_kind"] = per_kind([(node.access_log, skip) for node, skip in zip(nodes, warmup_lines)])
    finally:
        for node in nodes:
            node.stop()
    logs = [node.server_log() for node in nodes]
    result["server_log"] = {k: sum(log[k] for log in logs) for k in ("tracebacks", "worker_timeouts")}
    return result


# ---------------------------------------------------------------------------------------------
# Both mixes, on the topology the command line asks for (called by bench/run.py)


def measure_mixes(args, *, url: str, corpus, queries, pages: dict, cycle_paths: list[str], cycle_mix: str,
                  edit_ids: list[int], search, say=print) -> dict:
    """The realistic mix and the old cycle (args.mix: realistic, cycle or both) on args.nodes
    gunicorn nodes and args.replicas replicas. Returns {"realistic": {...}, "cycle": {...}, "topology": {...}}."""
    from . import mix as mixes
    from .topology import Topology

    wanted = ["realistic", "cycle"] if args.mix == "both" else [args.mix]
    out: dict = {}
    topology = Topology(args.backend, url, nodes=args.nodes, replicas=args.replicas, redis_url=args.redis_url,
                        base_port=args.port)
    with topology:
        topology.start(say)
        out["topology"] = topology.describe()
        app = "config.wsgi" if args.debug else "bench.wsgi"
        for n, which in enumerate(wanted):
            topology.catch_up()
            common = dict(database_url=url, seconds=args.load_seconds, connections=args.connections, edit_ids=edit_ids,
                          log_path=args.data_dir / f"gunicorn-{args.backend}-{which}.log", say=say, app=app,
                          node_envs=topology.node_envs(), ports=topology.ports(), edit_first=(n + 1) * 100_000,
                          counters=topology.transactions)
            if which == "realistic":
                t = time.perf_counter()
                mix = mixes.build(corpus, args.seed, {"search": args.mix_urls // 3, "search_page": args.mix_urls // 3})
                sequence = mix.sequence()
                say(f"  realistic mix: {mix.describe()} (built in {time.perf_counter() - t:.1f} s)")
                measured = run(sequence=sequence, warmup_paths=mix.warmup(), **common)
                measured.update({"urls": mix.distinct, "mix": mix.describe(), "mix_detail": mix.as_json()})
            else:
                measured = run(paths=cycle_paths, **common)
                measured.update({"urls": len(set(cycle_paths)), "mix": cycle_mix})
            last = measured.pop("_last_edit")
            measured["edits_indexed"] = False
            if last:
                sid, marker = last
                hits = search(marker.strip("（）"), page_size=10**7).hits
                measured["edits_indexed"] = any(sid in hit.section_ids for hit in hits)
            if len(topology.replica_objects) or args.nodes > 1:
                # Found in process (the primary) and on another node, through its router and cache.
                measured["edits_indexed"] = measured["edits_indexed"] and measured.get("edit_seen_after_s") is not None
            measured["topology"] = out["topology"]
            out[which] = measured
            r = measured["repeats"]
            say(f"  load ({which}): {measured['rps']} req/s, {measured['errors']} errors, p50 {measured['p50_ms']} ms, "
                f"p99 {measured['p99_ms']} ms; {r['distinct_requested']} distinct URLs of {r['requested']} requests "
                f"({r['repeated_share'] * 100:.0f}% repeats); editor {measured['editor']['saves']} saves, "
                f"{measured['editor']['failures']} failed, seen on node {measured.get('edit_seen_on_node')} after "
                f"{measured.get('edit_seen_after_s')} s; transactions {measured.get('transactions')}")
    return out


def report_lines(result: dict) -> list[str]:
    """The side-by-side table of the two mixes for bench/report.py (empty without them)."""
    mixes = [(name, result.get(key)) for name, key in (("realistic", "load"), ("cycle", "load_cycle"))]
    mixes = [(name, m) for name, m in mixes if m and m.get("rps") is not None and m.get("repeats")]
    if not mixes:
        return []
    topo = mixes[0][1].get("topology", {})
    lines = [
        "",
        f"Both mixes side by side ({topo.get('nodes', 1)} app node(s) × {mixes[0][1]['workers']} workers, "
        f"{topo.get('replicas', 0)} replica(s), cache {topo.get('cache', 'per process')}; with several nodes the latencies "
        "are the worst node's, req/s the sum):",
        "",
        "| mix | req/s | requests | distinct URLs requested | repeated URLs | errors | p50 | p99 | max | editor saves | failed | last save found on node | after | load avg (start, end) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    mixes = [(f"{m.get('urls')}-URL cycle" if name == "cycle" else name, m) for name, m in mixes]
    for name, m in mixes:
        r, e = m["repeats"], m["editor"]
        seen = m.get("edit_seen_after_s")
        lines.append(
            f"| {name} | {m['rps']} | {m['requests']} | {r['distinct_requested']:,} of {m.get('urls', '?'):,} | {r['repeated_share'] * 100:.0f}% "
            f"| {m['errors']} | {m['p50_ms']} | {m['p99_ms']} | {m['max_ms']} | {e['saves']} | {e['failures']} "
            f"| {m.get('edit_seen_on_node', '–')} | {'not found' if seen is None and 'edit_seen_after_s' in m else (f'{seen} s' if seen is not None else '–')} "
            f"| {', '.join(str(v) for v in m.get('loadavg_1min', {}).values())} |"
        )
    for name, m in mixes:
        for n in m.get("per_node", []):
            lines.append(f"| {name}, node {n['node']} ({n['connections']} connections) | {n['rps']} | {n['requests']} | | | {n['errors']} "
                         f"| {n['p50_ms']} | {n['p99_ms']} | {n['max_ms']} | | | | | |")
    spread = [f"{name}: " + ", ".join(f"{k} {v:,}" for k, v in m["transactions"].items()) for name, m in mixes if m.get("transactions")]
    if spread:
        lines += ["", "Committed transactions in the benchmark database while wrk ran (pg_stat_database; the primary's "
                  "include the editor's saves): " + "; ".join(spread) + "."]
    return lines


# ---------------------------------------------------------------------------------------------
# The editor through a node: signs in to the admin and saves sections with its change form


class _FormParser(HTMLParser):
    """The fields of the page's main form (name → value) as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[name] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


class HttpEditor(Editor):
    """An Editor saving through a node as a person does: signed in to the admin
    (a superuser made for the run), opening each section's change page and submitting its form.
    A save counts when the admin answers with its redirect; a form shown again is a failure."""

    def __init__(self, section_ids: list[int], base: str, first: int = 1):
        super().__init__(section_ids, first)
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        self.jar = jar
        self.signed_in = False

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def _open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            response = self.opener.open(request, timeout=60)
            return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def sign_in(self) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        password = f"bench-{os.getpid()}-{time.time_ns()}"
        user, _ = User.objects.get_or_create(username="bench-load-editor", defaults={"is_staff": True, "is_superuser": True})
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self._open("/admin/login/")
        status, _ = self._open("/admin/login/?next=/admin/", {"csrfmiddlewaretoken": self._csrf(), "username": user.username,
                                                              "password": password, "next": "/admin/"})
        self.signed_in = status == 302
        if status != 302:
            raise RuntimeError(f"the benchmark editor could not sign in to {self.base}/admin/ (status {status})")

    def prepare(self) -> None:
        if not self.signed_in:
            self.sign_in()

    def save(self, sid: int, marker: str) -> None:
        path = f"/admin/archive/section/{sid}/change/"
        status, page = self._open(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        form = _FormParser()
        form.feed(page)
        fields = form.fields
        fields["body"] = EDIT_MARK.sub("", fields.get("body", "").replace("\r\n", "\n").strip("\n")) + marker
        fields["csrfmiddlewaretoken"] = self._csrf()
        fields["_save"] = "保存"
        status, page = self._open(path, fields)
        if status != 302:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
            raise RuntimeError(f"POST {path}: {status} {re.sub('<[^>]+>', ' ', ' '.join(errors))[:200]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
