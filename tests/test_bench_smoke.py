"""The benchmark runs end to end at 1,000 sections and reports every figure: the command, as a
person runs it, in a subprocess. Timings are not asserted (this machine's load is not the
benchmark's business here); bench/RESULTS.md is left alone, the results go to a temporary folder.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.queries import CLASSES

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
            reason="DATABASE_URL does not point at PostgreSQL (the PostgreSQL pass of make test sets it)",
        ),
    ),
]
LATENCY_KEYS = {"p50_ms", "p95_ms", "p99_ms", "cold_ms", "recall"}


@pytest.fixture(scope="module")
def results_md_before():
    path = ROOT / "bench" / "RESULTS.md"
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize("backend", BACKENDS)
def test_small_run_reports_every_figure(backend, tmp_path, results_md_before):
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk): the load test needs it")
    missing = [m for m in ("gunicorn", "whoosh") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install -e '.[bench]'")
    out, md = tmp_path / "bench.json", tmp_path / "RESULTS.md"
    command = [
        sys.executable, "-m", "bench", "--sections", "1000", "--backend", backend,
        "--json", str(out), "--results", str(md), "--data-dir", str(tmp_path / "data"),
        "--db-name", "archive_bench_smoke", "--queries-per-class", "3", "--repeat", "2", "--load-seconds", "5",
        "--mix-urls", "1200",
    ]
    # the node's search index in a folder of the test's own, which the bench's process, its build
    # and its servers' workers share (one machine: one node's disk)
    env = dict(os.environ, SEARCH_INDEX_DIR=str(tmp_path / "node-index"))
    if backend == "postgres":
        # the bench's topology: two app nodes reading from a streaming replica
        command += ["--nodes", "2", "--replicas", "1"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["sections"] == 1000 and result["backend"] == backend and result["cores"] >= 1
    assert result["search_engine"] == "tantivy"
    assert result["node_index"]["sections"] >= 1000 and result["node_index"]["mb"] > 0
    assert result["index_size"]["tables"]["the node's tantivy index"] == result["node_index"]["mb"]
    assert 0 < result["index"]["documents_s"] < result["index"]["seconds"]
    assert {"mb_per_s", "seconds", "peak_rss_mb"} <= set(result["index"])
    assert all(result["index"][k] for k in ("mb_per_s", "seconds", "peak_rss_mb"))
    for channel in ("search", "api"):
        assert set(result[channel]) == set(CLASSES)
        for cls, stats in result[channel].items():
            assert LATENCY_KEYS <= set(stats), (channel, cls)
            assert stats["p95_ms"] > 0 and stats["recall"] is not None, (channel, cls)
    assert all(stats["errors"] == 0 for stats in result["api"].values()), result["notes"]
    assert set(result["pages"]) == {"article", "department", "initiative"}
    for stats in result["pages"].values():
        assert stats["p50_ms"] > 0 and stats["p95_ms"] > 0 and stats["errors"] == 0
    load, cycle = result["load"], result["load_cycle"]  # the realistic mix, and the old 86-URL cycle beside it
    for run in (load, cycle):
        assert run["rps"] > 0 and run["errors"] is not None and run["p99_ms"] > 0 and run["by_kind"]
        assert run["editor"]["saves"] > 0 and run["rss_mb_after_warmup"]
        assert 0 < run["repeats"]["distinct_requested"] <= run["repeats"]["requested"]
        assert run["edit_seen_after_s"] is not None, "the last save was not found by search on the last node"
    # Thousands of distinct URLs, of every kind; the cycle has one URL per query and page drawn.
    assert load["urls"] >= 1000 and cycle["urls"] < 100
    assert set(load["mix_detail"]["pool_sizes"]) >= {"search", "search_page", "suggest", "article", "department", "initiative", "year"}
    assert {"search", "search page", "article"} <= set(load["by_kind"])
    assert load["repeats"]["distinct_requested"] > cycle["repeats"]["distinct_requested"]
    if backend == "postgres":
        assert load["nodes"] == 2 and len(load["per_node"]) == 2 and load["topology"]["replicas"] == 1
    whoosh = result["peers"]["whoosh_jieba"]
    assert {"mb_per_s", "seconds", "peak_rss_mb"} <= set(whoosh["index"])
    for peer in (whoosh, result["peers"]["icontains"]):
        assert set(peer["search"]) == set(CLASSES)
        assert all(LATENCY_KEYS <= set(stats) for stats in peer["search"].values())
    assert set(result["ratios"]) == {"whoosh_jieba", "icontains"}

    report = md.read_text(encoding="utf-8")
    assert f"## {backend} · 1,000 sections" in report and "Whoosh + jieba" in report
    assert "p95 ≤ 50 ms" in report and "requests/s" in report
    assert "Both mixes side by side" in report and "-URL cycle |" in report and "| realistic |" in report
    assert "the node's tantivy index" in report and "of which the documents" in report
    for line in ("frequent word", "substring inside a longer word", "deep page (page 50)"):
        assert line in proc.stdout  # the command prints the figures, not only the files

    path = ROOT / "bench" / "RESULTS.md"
    assert (path.read_bytes() if path.exists() else None) == results_md_before, "the smoke run rewrote bench/RESULTS.md"
