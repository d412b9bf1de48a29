"""`python -m bench.shared_cache [--pg-url URL] [--e2e-db NAME] [--e2e-sqlite PATH] [--terms 改革,发展]`: where search.shared
keeps the terms one serving process asked the index for, measured.

1. Store latency: read and write p50/p95 and serial throughput of a (change id, bytes) value of
   8 bytes (a document frequency), 30 kB and 300 kB (a frequent term's sections, 4-byte ids)
   through Django's RedisCache on the local Redis and Django's DatabaseCache on PostgreSQL. (A
   table of the archive's own, SharedTerm, was measured here too until it was dropped with the gram
   tables: its figures are in docs/search-performance.md, "Shared term cache".)
2. End to end (with --e2e-db, a database built by `python -m bench --sections 10000 --backend
   postgres --db-name NAME`, or --e2e-sqlite, the SQLite file of `--backend sqlite`): a first process searches a frequent term and stores what it asked
   the index; a second, new process (live index loaded, the term never met) then searches it, its
   time measured, with the stored value coming from each store, and with none. The index both ask
   is the node's tantivy index (search.tantivy_index), built once per database beforehand into a
   temporary SEARCH_INDEX_DIR that both share.

Prints tables and the load average; the decision they support is in search/shared.py and
docs/search-performance.md ("Shared term cache").
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [("8 B", 8, 300), ("30 kB", 30_000, 200), ("300 kB", 300_000, 100)]  # label, bytes, operations


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _value(size: int) -> bytes:
    if size <= 8:
        return (12345).to_bytes(8, "little")
    return array("i", range(1, size // 4 + 1, 1)).tobytes()


def _setup_django(pg_url: str, redis_url: str):
    os.environ["DATABASE_URL"] = pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DATABASE_REPLICA_URLS", None)
    from django.conf import settings

    prefix = f"bench-shared-{uuid.uuid4().hex[:8]}"
    settings.BENCH_REDIS_PREFIX = prefix
    settings.CACHES = {
        **getattr(settings, "CACHES", {}),
        "bench_redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                        "KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}},
        "bench_dbcache": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bench_shared_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000}},
    }
    import django

    django.setup()


def _create_pg_database(pg_url: str):
    import psycopg

    base, name = pg_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare_tables():
    from django.core.management import call_command
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_shared_cache")
    call_command("createcachetable", "bench_shared_cache", database="default", verbosity=0)


class CacheStore:
    def __init__(self, alias):
        self.alias = alias

    def read(self, key):
        from django.core.cache import caches

        return caches[self.alias].get(key)

    def write(self, key, change_id, data):
        from django.core.cache import caches

        caches[self.alias].set(key, (change_id, data), 3600)


def measure_stores():
    stores = [
        ("RedisCache (local Redis)", CacheStore("bench_redis")),
        ("DatabaseCache, PostgreSQL", CacheStore("bench_dbcache")),
    ]
    rows = []
    for name, store in stores:
        for label, size, n in SIZES:
            data = _value(size)
            keys = [uuid.uuid4().hex * 2 for _ in range(n)]
            for key in keys[:5]:  # connections opened, statements prepared
                store.write(key, 1, data)
                store.read(key)
            writes, reads = [], []
            for i, key in enumerate(keys):
                started = time.perf_counter()
                store.write(key, i, data)
                writes.append(time.perf_counter() - started)
            for i, key in enumerate(reversed(keys)):
                started = time.perf_counter()
                value = store.read(key)
                reads.append(time.perf_counter() - started)
                assert value is not None and bytes(value[1]) == data, (name, label)
            rows.append((name, label, reads, writes, size))
            print(f"  measured {name}, {label}", file=sys.stderr, flush=True)
    return rows


def _forget_redis_keys(redis_url, pattern):
    """The bench's keys leave Redis with it (a 300 kB value × 100 would otherwise stay an hour)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def print_store_table(rows):
    print()
    print("| store | value | read p50 ms | read p95 ms | reads/s | write p50 ms | write p95 ms | writes/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, label, reads, writes, _ in rows:
        print(
            f"| {name} | {label} | {statistics.median(reads) * 1000:.2f} | {_pct(reads, 0.95) * 1000:.2f} "
            f"| {len(reads) / sum(reads):,.0f} | {statistics.median(writes) * 1000:.2f} "
            f"| {_pct(writes, 0.95) * 1000:.2f} | {len(writes) / sum(writes):,.0f} |"
        )


# -- end to end ------------------------------------------------------------------------------------

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.conf import settings
store, role, term, prefix = sys.argv[1:5]
settings.CACHES = {**getattr(settings, "CACHES", {}),
    "bench_redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["BENCH_REDIS_URL"],
                    "KEY_PREFIX": prefix},
    "bench_dbcache": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bench_shared_cache",
                      "OPTIONS": {"MAX_ENTRIES": 100000}}}
settings.SEARCH_SHARED_CACHE = {"none": "", "redis": "bench_redis", "dbcache": "bench_dbcache"}[store]
import django
django.setup()
from search import shared
from search.engine import search
from search.live import live_index
if store == "none":
    shared.WORTH_MS = 10**9
elif role == "first":
    shared.WORTH_MS = 0  # store what it asked however fast the index answered (at 10,000 sections, near 20 ms)
spent = [0.0, 0, 0]  # seconds in search.shared's reads, reads, bytes read
_read = shared._read
def timed_read(*args):
    started = time.perf_counter()
    row = _read(*args)
    spent[0] += time.perf_counter() - started
    spent[1] += 1
    spent[2] += len(row[1]) if row else 0
    return row
shared._read = timed_read
started = time.perf_counter()
live_index()
search("不在语料中的词语甲乙", page_size=20)  # the tokenizer, the connection, the live index: not this term's cost
warm = time.perf_counter() - started
spent[:] = [0.0, 0, 0]  # the first connection to the store (and importing its client) is not this term's cost
started = time.perf_counter()
results = search(term, page_size=20)
took = time.perf_counter() - started
print(json.dumps({"warm": warm, "first": took, "total": results.total, "store": spent[0], "reads": spent[1],
                  "bytes": spent[2]}))
"""


def _child(store, role, term, prefix, env):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, store, role, term, prefix], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )
    if out.returncode:
        raise SystemExit(f"child {store} {role} failed:\n{out.stderr[-3000:]}")
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def _clear_stored(env):
    url = env["DATABASE_URL"]
    statements = [
        "CREATE TABLE IF NOT EXISTS bench_shared_cache (cache_key varchar(255) PRIMARY KEY, "
        "value text NOT NULL, expires {timestamp} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS bench_shared_cache_expires ON bench_shared_cache (expires)",
        "DELETE FROM bench_shared_cache",
    ]
    sqlite = url.startswith("sqlite")
    statements = [statement.format(timestamp="datetime" if sqlite else "timestamptz") for statement in statements]
    if sqlite:
        import sqlite3

        conn = sqlite3.connect(url.split("sqlite:///", 1)[1], timeout=20)
        with conn:
            for statement in statements:
                conn.execute(statement)
        conn.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


BUILD_NODE_INDEX = r"""
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from search import tantivy_index
state = tantivy_index.rebuild()
print(f"{state['sections']} sections")
"""


def measure_end_to_end(database_url, terms, redis_url, rounds, index_dir):
    """Both processes of each round find the terms with the node's tantivy index (search.tantivy_index),
    built once here from the database's rows into `index_dir`, as a node's workers share it."""
    env = {**os.environ, "DATABASE_URL": database_url, "BENCH_REDIS_URL": redis_url,
           "DEBUG": "0", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "127.0.0.1", "SEARCH_INDEX_DIR": str(index_dir)}
    env.pop("DATABASE_REPLICA_URLS", None)
    env.pop("REDIS_URL", None)
    env.pop("SEARCH_SHARED_CACHE", None)
    built = subprocess.run([sys.executable, "-c", BUILD_NODE_INDEX], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=3600)
    if built.returncode:
        raise SystemExit(f"the node's index of {database_url} not built:\n{built.stderr[-3000:]}")
    print(f"  node index of {database_url.split('@')[-1]}: {built.stdout.strip()}", file=sys.stderr, flush=True)
    results = []
    for term in terms:
        for store in ("none", "redis", "dbcache"):
            firsts, total, in_store = [], None, []
            for _ in range(rounds):
                _clear_stored(env)
                prefix = f"bench-e2e-{uuid.uuid4().hex[:8]}"
                if store != "none":
                    _child(store, "first", term, prefix, env)
                second = _child(store, "second", term, prefix, env)
                _forget_redis_keys(redis_url, f"{prefix}:*")
                firsts.append(second["first"])
                in_store.append((second["store"], second["reads"], second["bytes"]))
                total = second["total"]
            results.append((database_url.split(":", 1)[0], term, store, firsts, total, in_store))
            print(f"  end to end: {term} from {store}: {[round(f * 1000) for f in firsts]} ms", file=sys.stderr,
                  flush=True)
    return results


def print_e2e_table(results):
    names = {"none": "nothing stored (asks the index)",
             "redis": "RedisCache (local Redis)", "dbcache": "DatabaseCache"}
    print()
    print("| database | term (results) | stored value from | second process's first search, ms: median (each run) "
          "| of which reading the store, ms (reads, kB) |")
    print("|---|---|---|---|---|")
    for database, term, store, firsts, total, in_store in results:
        runs = ", ".join(f"{f * 1000:.0f}" for f in firsts)
        reading = statistics.median(t for t, _, _ in in_store) * 1000
        reads, size = in_store[0][1], max(b for _, _, b in in_store) / 1000
        print(f"| {database} | {term} ({total}) | {names[store]} | {statistics.median(firsts) * 1000:.0f} ({runs}) "
              f"| {reading:.1f} ({reads}, {size:.0f} kB) |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test_shared_bench",
                        help="PostgreSQL database for the store measurements (created if missing, its tables replaced).")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--e2e-db", help="A bench corpus database on the same server for the end-to-end figures.")
    parser.add_argument("--e2e-sqlite", type=Path, help="A bench corpus SQLite file for the end-to-end figures.")
    parser.add_argument("--terms", default="改革,发展", help="Frequent terms searched end to end (comma-separated).")
    parser.add_argument("--rounds", type=int, default=3, help="End-to-end runs per store and term (default 3).")
    parser.add_argument("--no-stores", action="store_true", help="Only the end-to-end figures.")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    print(f"load average before: {open('/proc/loadavg').read().strip()}")
    if not args.no_stores:
        _create_pg_database(args.pg_url)
        _setup_django(args.pg_url, args.redis_url)
        _prepare_tables()
        rows = measure_stores()
        from django.conf import settings

        _forget_redis_keys(args.redis_url, f"{settings.BENCH_REDIS_PREFIX}:*")
        from django.db import connections

        connections.close_all()
        print_store_table(rows)
    databases = []
    if args.e2e_db:
        databases.append(args.pg_url.rsplit("/", 1)[0] + "/" + args.e2e_db)
    if args.e2e_sqlite:
        databases.append(f"sqlite:///{args.e2e_sqlite.resolve()}")
    results = []
    for database_url in databases:
        with tempfile.TemporaryDirectory(prefix="bench-shared-index-") as index_dir:
            results += measure_end_to_end(database_url, [t for t in args.terms.split(",") if t], args.redis_url,
                                          args.rounds, index_dir)
    if results:
        print_e2e_table(results)
    print(f"\nload average after: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    main()
