"""The benchmark's own database, chosen before Django starts.

Each run gets a fresh one, so nothing it writes touches the archive's database: SQLite uses a
file under the data folder, PostgreSQL a database created for the run on the server that
DATABASE_URL (or TEST_POSTGRES_URL) points at. `--no-load` reuses what the last run left.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_server_url() -> str:
    """A URL of the PostgreSQL server to create the benchmark database on: DATABASE_URL when it
    names a PostgreSQL server, else TEST_POSTGRES_URL, else the local default."""
    for name in ("DATABASE_URL", "TEST_POSTGRES_URL"):
        value = os.environ.get(name, "")
        if value.startswith(("postgres://", "postgresql://")):
            return value
    return DEFAULT_SERVER


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def sqlite_path(data_dir: Path, name: str) -> Path:
    return data_dir / f"{name}.sqlite3"


def database_url(backend: str, data_dir: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{sqlite_path(data_dir, name).resolve()}"
    return with_database(postgres_server_url(), name)


def create_fresh(backend: str, data_dir: Path, name: str) -> None:
    """Drop what a previous run left and create an empty database (migrations come later)."""
    if backend == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        path = sqlite_path(data_dir, name)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    # The server's maintenance database, never the benchmark one: it is about to be dropped.
    admin_url = with_database(postgres_server_url(), "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        # C.UTF-8 so that PostgreSQL classifies CJK characters as letters (README, PostgreSQL).
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            ).format(sql.Identifier(name))
        )


def exists(backend: str, data_dir: Path, name: str) -> bool:
    if backend == "sqlite":
        return sqlite_path(data_dir, name).exists()
    import psycopg

    with psycopg.connect(with_database(postgres_server_url(), "postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def size_mb(backend: str, data_dir: Path, name: str) -> float | None:
    """The database's size on disk after the run (index included)."""
    if backend == "sqlite":
        path = sqlite_path(data_dir, name)
        total = sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())
        return round(total / 1e6, 1)
    import psycopg

    with psycopg.connect(with_database(postgres_server_url(), "postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()
        return round(row[0] / 1e6, 1) if row else None


def index_size_mb(backend: str, data_dir: Path, name: str, node_index: dict | None = None) -> dict | None:
    """The search index's size on disk: the search_* tables with their indexes and TOAST
    (PostgreSQL), or their pages (SQLite, dbstat), in MB by table, and the node's tantivy index
    (`node_index`, as bench.build reports it)."""
    if backend == "sqlite":
        import sqlite3

        path = sqlite_path(data_dir, name)
        with sqlite3.connect(path) as conn:
            try:
                rows = conn.execute(
                    "SELECT s.name, sum(s.pgsize) FROM dbstat s"
                    " LEFT JOIN sqlite_master m ON m.name = s.name"
                    " WHERE s.name LIKE 'search%' OR m.tbl_name LIKE 'search%' GROUP BY s.name"
                ).fetchall()
            except sqlite3.Error:
                return None
        tables = {n: round(b / 1e6, 1) for n, b in rows}
    else:
        import psycopg

        with psycopg.connect(with_database(postgres_server_url(), name), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'search\\_%'"
            ).fetchall()
        tables = {n: round(total / 1e6, 1) for n, total, _ in rows}
        tables["(of which indexes)"] = round(sum(i for _, _, i in rows) / 1e6, 1)
    if node_index and node_index.get("mb"):
        tables["the node's tantivy index"] = node_index["mb"]
    return {"total_mb": round(sum(v for k, v in tables.items() if not k.startswith("(")), 1), "tables": tables}
