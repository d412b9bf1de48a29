"""The serving topology of the load test: how many app nodes (gunicorn instances on their own
ports) and, on PostgreSQL, how many streaming replicas (bench/replica.py) they read from.

    --nodes 1 --replicas 0   one gunicorn, the process-local cache (the embedded default)
    --nodes 2 --replicas 1   two gunicorn instances sharing a Redis cache (REDIS_URL), each with
                             DATABASE_REPLICA_URLS naming the replica, so public reads go there
                             (the database router) and writes to the primary

Each load run gets a fresh cache key prefix, so that one mix's cached pages do not answer the
next mix's requests; Redis is never flushed (other programs may share it).
"""

import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


@dataclass
class Topology:
    backend: str
    database_url: str
    nodes: int = 1
    replicas: int = 0
    redis_url: str | None = None
    base_port: int | None = None  # nodes on base_port, base_port+1…; replicas on base_port+10…
    replica_objects: list = field(default_factory=list)
    _runs: int = 0

    def __post_init__(self):
        if self.replicas and self.backend != "postgres":
            raise ValueError("replicas need --backend postgres")
        if self.nodes < 1:
            raise ValueError("--nodes must be at least 1")
        if self.nodes > 1 and not self.redis_url:
            self.redis_url = DEFAULT_REDIS_URL  # nodes share their caches, never keep them per node

    def start(self, say=print) -> None:
        if not self.replicas:
            return
        from .replica import ReplicaError, start_replica

        for i in range(self.replicas):
            port = self.base_port + 10 + i if self.base_port else free_port()
            t = time.monotonic()
            say(f"  starting replica {i + 1} on port {port} (pg_basebackup of the whole cluster)…")
            for attempt in range(3):
                directory = Path(tempfile.mkdtemp(prefix=f"bench-replica-{port}-"))
                try:
                    replica = start_replica(port, directory, timeout=3600)  # copies every database on the server
                    break
                except ReplicaError as exc:
                    shutil.rmtree(directory, ignore_errors=True)
                    if attempt == 2:
                        raise
                    # A backup is cut off when anything terminates backends on the shared server.
                    say(f"  replica {i + 1}: {str(exc).splitlines()[0][:200]}; trying again")
                    time.sleep(2)
            self.replica_objects.append(replica)
            say(f"  replica {i + 1} ready in {time.monotonic() - t:.1f} s")

    def catch_up(self, timeout: float = 120) -> None:
        for replica in self.replica_objects:
            replica.catch_up(timeout)

    def stop(self) -> None:
        while self.replica_objects:
            self.replica_objects.pop().stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def ports(self) -> list[int]:
        if self.base_port:
            return [self.base_port + i for i in range(self.nodes)]
        return [free_port() for _ in range(self.nodes)]

    def node_envs(self) -> list[dict]:
        """Environment of each node for one load run (a fresh cache key prefix per run)."""
        self._runs += 1
        dbname = self.database_url.rsplit("/", 1)[-1]
        extra: dict = {}
        if self.replica_objects:
            extra["DATABASE_REPLICA_URLS"] = ",".join(r.url(dbname) for r in self.replica_objects)
        if self.redis_url:
            extra["REDIS_URL"] = self.redis_url
            extra["CACHE_KEY_PREFIX"] = f"bench-load-{os.getpid()}-{int(time.time())}-{self._runs}"
        return [dict(extra) for _ in range(self.nodes)]

    def transactions(self) -> dict | None:
        """Committed transactions in the benchmark database so far, on the primary and on each
        replica (pg_stat_database): the difference over a run shows where the reads went."""
        if self.backend != "postgres":
            return None
        import psycopg

        dbname = self.database_url.rsplit("/", 1)[-1]
        sql = "SELECT xact_commit FROM pg_stat_database WHERE datname = %s"
        out = {}
        try:
            with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
                out["primary"] = conn.execute(sql, (dbname,)).fetchone()[0]
            for i, replica in enumerate(self.replica_objects):
                with replica.connect(dbname) as conn:
                    out[f"replica{i + 1}"] = conn.execute(sql, (dbname,)).fetchone()[0]
        except Exception:
            return None
        return out

    def describe(self) -> dict:
        return {
            "nodes": self.nodes,
            "replicas": len(self.replica_objects),
            "cache": "redis" if self.redis_url else "per process (local memory)",
        }
