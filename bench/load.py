"""Sustained load: the app under gunicorn (2 workers), driven by wrk on loopback for a bounded
time through a mixed list of URLs (search API, article, department and initiative pages), while
an editor thread saves a section every 0.5 s through the ORM's normal save path (signals relink
and reindex it). Reports throughput, wrk's latency percentiles and errors, the editor's saves
and failures, and the workers' resident memory after warm-up and after the load.
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .measure import children, percentile, rss_mb

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
EDIT_INTERVAL_S = 0.5
EDIT_MARK = re.compile(r"（第\d+次校订）$")

LUA = r"""
-- Cycles through the benchmark's URL list; each wrk thread starts at its own offset.
local paths = %(paths)s
local counter = 0
setup = function(thread)
  thread:set("offset", %(offset)s * thread_count)
  thread_count = (thread_count or 0) + 1
end
thread_count = 0
request = function()
  counter = counter + 1
  local i = ((counter + (offset or 0)) %% #paths) + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_script(paths: list[str]) -> str:
    quoted = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    return LUA % {"paths": quoted, "offset": max(1, len(paths) // 2)}


def kind_of(path: str) -> str:
    for prefix, kind in (("/api/search", "search"), ("/articles/", "article"), ("/departments/", "department"), ("/initiatives/", "initiative")):
        if path.startswith(prefix):
            return kind
    return "other"


def per_kind(access_log: Path, skip_lines: int) -> dict:
    """Server-side time per URL kind from gunicorn's access log (path, status, microseconds),
    for the requests after the warm-up: where the time under load goes."""
    times: dict[str, list[float]] = {}
    lines = access_log.read_text(encoding="utf-8", errors="replace").splitlines()[skip_lines:]
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            times.setdefault(kind_of(parts[0]), []).append(int(parts[2]) / 1000)
    return {
        kind: {"requests": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "share_of_time": round(sum(ms) / max(sum(sum(v) for v in times.values()), 1e-9), 3)}
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


class Editor(threading.Thread):
    """Saves one section every EDIT_INTERVAL_S, as an editor in the admin would (one transaction,
    Section.save, so that the signals relink and reindex it), and counts what fails."""

    def __init__(self, section_ids: list[int]):
        super().__init__(daemon=True)
        self.section_ids = section_ids
        self.stop = threading.Event()
        self.saves, self.failures, self.errors, self.latencies_ms = 0, 0, [], []
        self.last = None  # (section id, marker text) of the last successful save

    def run(self):
        from django.db import connection, transaction

        from archive.models import Section

        n = 0
        next_at = time.monotonic()
        try:
            while not self.stop.is_set():
                n += 1
                sid = self.section_ids[n % len(self.section_ids)]
                marker = f"（第{n}次校订）"
                started = time.perf_counter()
                try:
                    with transaction.atomic():
                        section = Section.objects.select_for_update().get(pk=sid)
                        section.body = EDIT_MARK.sub("", section.body) + marker
                        section.save()
                    self.saves += 1
                    self.last = (sid, marker)
                except Exception as exc:  # a failed save is a result, not a crash of the benchmark
                    self.failures += 1
                    if len(self.errors) < 5:
                        self.errors.append(repr(exc)[:300])
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                next_at += EDIT_INTERVAL_S
                self.stop.wait(max(0.0, next_at - time.monotonic()))
        finally:
            connection.close()


def run(*, database_url: str, paths: list[str], seconds: float, connections: int, edit_ids: list[int],
        log_path: Path, app: str = "bench.wsgi", warmup_budget_s: float = 300, say=print) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    log = open(log_path, "w")
    access_log = log_path.with_suffix(".access.log")
    access_log.write_text("")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--timeout", "120", "--graceful-timeout", "10", "--log-level", "warning",
         "--access-logfile", str(access_log), "--access-logformat", "%(U)s %(s)s %(D)s"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    result: dict = {"workers": WORKERS, "connections": connections, "seconds": seconds, "app": app}
    try:
        deadline = time.monotonic() + 120
        # A static file answers as soon as a worker is up; the home page can take long (its
        # initiative counts scan every mention) and is not in the load mix.
        while _get(base + "/static/css/site.css", timeout=10) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not serve {base}/static/css/site.css (see {log_path})")
            time.sleep(0.5)
        # Warm-up: every URL once, two at a time so that both workers load their caches.
        say(f"  warm-up: {len(set(paths))} URLs through {WORKERS} workers")
        started = time.monotonic()
        unique = list(dict.fromkeys(paths))
        statuses = []
        with ThreadPoolExecutor(WORKERS) as pool:
            for i in range(0, len(unique), WORKERS * 4):
                statuses += list(pool.map(lambda p: _get(base + p), unique[i : i + WORKERS * 4]))
                if time.monotonic() - started > warmup_budget_s:
                    break
        result["warmup_s"] = round(time.monotonic() - started, 1)
        result["warmup_errors"] = sum(1 for s in statuses if s != 200)
        workers = children(server.pid)
        result["rss_mb_after_warmup"] = [rss_mb(pid) for pid in workers]

        warmup_lines = len(access_log.read_text(encoding="utf-8", errors="replace").splitlines())
        editor = Editor(edit_ids)
        script = log_path.with_suffix(".lua")
        script.write_text(lua_script(paths), encoding="utf-8")
        say(f"  wrk: {seconds:g} s, {connections} connections, {len(paths)} URLs; editor saving every {EDIT_INTERVAL_S} s")
        editor.start()
        wrk = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s", "-s", str(script), base + "/"],
            capture_output=True, text=True, timeout=seconds + 120,
        )
        editor.stop.set()
        editor.join(timeout=60)
        result["rss_mb_after_load"] = [rss_mb(pid) for pid in children(server.pid)]
        line = next((l for l in wrk.stdout.splitlines() if l.startswith("BENCH_WRK ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no summary:\n{wrk.stdout}\n{wrk.stderr}")
        stats = json.loads(line.split(" ", 1)[1])
        errors = {k: stats[k] for k in ("connect", "read", "write", "status", "timeout")}
        duration = stats["duration_us"] / 1e6
        result.update(
            {
                "requests": stats["requests"],
                "rps": round(stats["requests"] / duration, 1) if duration else None,
                "errors": sum(errors.values()),
                "error_detail": errors,
                "p50_ms": round(stats["p50_us"] / 1000, 1),
                "p90_ms": round(stats["p90_us"] / 1000, 1),
                "p99_ms": round(stats["p99_us"] / 1000, 1),
                "max_ms": round(stats["max_us"] / 1000, 1),
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
        time.sleep(1)  # let the workers flush their access log lines
        result["by_kind"] = per_kind(access_log, warmup_lines)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    result["server_log"] = {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
    }
    return result
