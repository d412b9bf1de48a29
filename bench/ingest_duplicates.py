"""Near-duplicate lookup at archive scale: `python -m bench.ingest_duplicates [N]` (default 20,000).

bench_lookup() makes N synthetic reports of about 1,500 characters, each a pseudo-random run of
sentences from the raw seed texts (fixtures/seeds), so that they share vocabulary and whole
sentences the way reports of one series do; builds archive.ingest.duplicates.NearDuplicateIndex
over their signatures; and measures
  (a) signature() per report,
  (b) one lookup (index.query()) against all N, median and p95 over 200 lookups: 100 lightly
      edited copies of indexed reports (byline added, two sentences replaced — these must be
      found when their exact Jaccard is ≥ 0.8, as most are) and 100 new reports (these must not),
  (c) the memory the index holds (tracemalloc: signatures plus LSH tables),
and the time to add or remove one report in the full index.
Figures are printed and returned as a dict. Nothing is written to disk.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from archive.ingest.duplicates import (
    NearDuplicateIndex,
    is_near_duplicate,
    normalise,
    signature,
)

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def seed_sentences() -> list[str]:
    """Sentences of the raw seed texts (line breaks inside them removed), at least 10 characters."""
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")))
    parts = re.split(r"(?<=[。！？!?])|\n\s*\n|\n#+", text)
    sentences = {re.sub(r"\s*\n\s*", "", p).strip() for p in parts}
    return sorted(s for s in sentences if len(normalise(s)) >= 10)


def synthetic_article(rng: random.Random, pool: list[str], chars: int = 1500) -> str:
    out: list[str] = []
    size = 0
    start = rng.randrange(len(pool))
    while size < chars:
        # Runs of consecutive sentences, as a report reuses passages rather than single lines.
        run = rng.randint(1, 4)
        for sentence in pool[start : start + run]:
            out.append(sentence)
            size += len(sentence)
        start = rng.randrange(len(pool))
    return "".join(out)


def edited_copy(rng: random.Random, text: str, pool: list[str]) -> str:
    sentences = re.split(r"(?<=[。！？!?])", text)
    for _ in range(2):
        sentences[rng.randrange(len(sentences))] = rng.choice(pool)
    return "本报记者 王晓明 通讯员 刘芳\n" + "".join(sentences)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_lookup(n_articles: int = 20000, lookups: int = 200, seed: int = 20241204) -> dict:
    rng = random.Random(seed)
    pool = seed_sentences()
    articles = [synthetic_article(rng, pool) for _ in range(n_articles)]

    # (a) signatures
    per_article: list[float] = []
    signatures: list[bytes] = []
    for text in articles:
        t0 = time.perf_counter()
        signatures.append(signature(text))
        per_article.append(time.perf_counter() - t0)

    # index build
    t0 = time.perf_counter()
    index = NearDuplicateIndex(enumerate(signatures))
    build_s = time.perf_counter() - t0

    # (b) lookups: half edited copies of indexed reports, half new reports
    queries: list[tuple[int | None, str]] = []
    for i in range(lookups):
        if i % 2 == 0:
            target = rng.randrange(n_articles)
            queries.append((target, edited_copy(rng, articles[target], pool)))
        else:
            queries.append((None, synthetic_article(rng, pool)))
    query_sigs = [signature(text) for _, text in queries]
    lookup_s: list[float] = []
    candidates: list[int] = []
    truly_near = found = found_with_slack = false_hits = 0
    for (target, text), sig in zip(queries, query_sigs):
        t0 = time.perf_counter()
        result = index.query(sig)
        lookup_s.append(time.perf_counter() - t0)
        candidates.append(len(index.candidates(sig)))
        keys = [key for key, _ in result]
        false_hits += sum(key != target for key in keys)
        if target is not None and is_near_duplicate(text, articles[target]):
            # The estimate has a standard error of ~0.02: at 0.8 it misses some true pairs just
            # above 0.8; querying at 0.75 and confirming on the texts finds them.
            truly_near += 1
            found += target in keys
            slack = [key for key, _ in index.query(sig, threshold=0.75)]
            found_with_slack += any(key == target and is_near_duplicate(text, articles[key]) for key in slack)

    # one report added to / removed from the full index (the band arrays shift)
    add_s: list[float] = []
    remove_s: list[float] = []
    for i, sig in enumerate(query_sigs[:50]):
        t0 = time.perf_counter()
        index.add(("new", i), sig)
        add_s.append(time.perf_counter() - t0)
    for i in range(50):
        t0 = time.perf_counter()
        index.remove(("new", i))
        remove_s.append(time.perf_counter() - t0)

    # (c) memory: a fresh index over fresh copies of the signatures, traced
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    copies = [bytes(bytearray(s)) for s in signatures]
    after_sigs = tracemalloc.get_traced_memory()[0]
    traced = NearDuplicateIndex(enumerate(copies))
    del copies
    index_bytes = tracemalloc.get_traced_memory()[0] - base
    sig_bytes = after_sigs - base
    tracemalloc.stop()
    assert len(traced) == n_articles

    figures = {
        "articles": n_articles,
        "mean_chars": round(statistics.fmean(len(a) for a in articles)),
        "sentence_pool": len(pool),
        "signature_ms_mean": statistics.fmean(per_article) * 1000,
        "signature_ms_median": statistics.median(per_article) * 1000,
        "signature_ms_p95": _percentile(per_article, 0.95) * 1000,
        "signatures_total_s": sum(per_article),
        "index_build_s": build_s,
        "lookups": lookups,
        "lookup_ms_median": statistics.median(lookup_s) * 1000,
        "lookup_ms_p95": _percentile(lookup_s, 0.95) * 1000,
        "lookup_ms_max": max(lookup_s) * 1000,
        "add_one_ms_median": statistics.median(add_s) * 1000,
        "remove_one_ms_median": statistics.median(remove_s) * 1000,
        "candidates_mean": statistics.fmean(candidates),
        "candidates_max": max(candidates),
        "edited_copies": sum(t is not None for t, _ in queries),
        "edited_copies_truly_near": truly_near,
        "found_at_0.8": f"{found}/{truly_near}",
        "found_at_0.75_then_confirmed": f"{found_with_slack}/{truly_near}",
        "false_matches": false_hits,
        "index_memory_mb": index_bytes / 2**20,
        "signatures_memory_mb": sig_bytes / 2**20,
        "lsh_tables_memory_mb": (index_bytes - sig_bytes) / 2**20,
        "index_bytes_per_article": index_bytes / n_articles,
    }
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:.3f}" if isinstance(value, float) else f"{name:<{width}}  {value}")
    return figures


if __name__ == "__main__":
    bench_lookup(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
