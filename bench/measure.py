"""Timing and memory helpers: percentiles, a budgeted round-robin runner, resident memory."""

import math
import os
import threading
import time
from pathlib import Path


def percentile(samples: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None without samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    value = ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
    return round(value, 2)


def summary(samples_ms: list[float], cold_ms: float | None = None) -> dict:
    return {
        "p50_ms": percentile(samples_ms, 50),
        "p95_ms": percentile(samples_ms, 95),
        "p99_ms": percentile(samples_ms, 99),
        "cold_ms": round(cold_ms, 2) if cold_ms is not None else None,
        "runs": len(samples_ms),
    }


def run_rounds(calls: list, repeat: int, budget_s: float) -> tuple[list[float], list[float]]:
    """Call each function `repeat` times, round-robin (every query once, then every query
    again…), so a query is never timed right after itself. The first round is each call's cold
    run. Stops starting new rounds when the budget is spent, but always finishes round one and
    runs a second when there is one, so slow classes still get warm figures.
    Returns (all samples in ms, first-round samples in ms)."""
    samples, first = [], []
    started = time.perf_counter()
    for round_no in range(repeat):
        if round_no >= 2 and time.perf_counter() - started > budget_s:
            break
        for call in calls:
            t = time.perf_counter()
            call()
            ms = (time.perf_counter() - t) * 1000
            samples.append(ms)
            if round_no == 0:
                first.append(ms)
    return samples, first


def rss_mb(pid: int | str = "self") -> float | None:
    """Resident set size of a process from /proc (Linux), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """Direct child processes of pid (gunicorn's workers of its master)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the ppid follows the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return sorted(out)


class PeakRSS:
    """Samples this process's resident memory every `interval` seconds while in the block."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb() or 0.0)
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = rss_mb() or 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb() or 0.0)


def descendants(pid: int) -> list[int]:
    out, frontier = [], [pid]
    while frontier:
        found = [c for p in frontier for c in children(p)]
        out += found
        frontier = found
    return out


def pss_mb(pid: int | str = "self") -> float:
    """Proportional set size: resident memory with pages shared between processes (a forked
    pool's copy-on-write pages) divided among them, so a process tree's values add up."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss_mb(pid) or 0.0


class PeakTreeMemory(PeakRSS):
    """Samples the memory of this process and all its descendants (PSS, summed)."""

    def _sample(self):
        me = os.getpid()
        while not self._stop.is_set():
            total = pss_mb(me) + sum(pss_mb(c) for c in descendants(me))
            self.peak = max(self.peak, round(total, 1))
            self._stop.wait(self.interval)


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in kB on Linux)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
