"""A consistent copy of the whole database, taken while the archive serves (docs/deployment.md).

- SQLite: `VACUUM INTO`, which reads the database in one transaction and writes a new, compact
  file; never a file copy, which can catch a WAL database between a write and its checkpoint
  (https://www.sqlite.org/lang_vacuum.html#vacuuminto). The copy is checked with
  `PRAGMA integrity_check`.
- PostgreSQL: `pg_dump -Fc`, a snapshot in the custom format that `pg_restore` reads; the copy is
  checked by listing its contents with `pg_restore --list`.

Unlike `export_archive` (JSON of the content and its history, for moving between backends), this
copies everything, user accounts and the search index included, and restores in seconds.

Either way the backup is written beside PATH under a temporary name and renamed only once it is
complete and checked, so a failed or interrupted backup never leaves a truncated file at PATH.
It holds password hashes and session keys, so only its owner may read it (mode 600): the
temporary file is created empty with that mode before SQLite or pg_dump writes into it (both keep
an existing file's mode), so it is never readable by others, not even while it is written.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

PRIVATE = 0o600  # owner read and write; the umask can only take bits away


class BackupError(Exception):
    """The backup could not be made; the message says what to do. PATH was left untouched."""


@dataclass
class Backup:
    path: Path
    vendor: str
    size: int
    detail: str  # what the check found


def backup_database(path, *, overwrite: bool = False) -> Backup:
    target = Path(path).absolute()
    if not target.parent.is_dir():
        raise BackupError(f"No folder {target.parent}: create it first or choose another PATH.")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists: choose a new name (e.g. with the date in it) or pass --overwrite.")
    temporary = target.with_name(f".{target.name}.partial-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    # O_EXCL: a file (or a link) planted under the temporary name is refused, not written through.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    try:
        if connection.vendor == "sqlite":
            detail = _sqlite(temporary)
        elif connection.vendor == "postgresql":
            detail = _postgresql(temporary)
        else:
            raise BackupError(f"No backup recipe for {connection.vendor}: use the database's own tools.")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return Backup(path=target, vendor=connection.vendor, size=target.stat().st_size, detail=detail)


def _sqlite(temporary: Path) -> str:
    if connection.is_in_memory_db():
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("VACUUM INTO cannot run inside a transaction.")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(temporary)])
    copy = sqlite3.connect(f"file:{temporary}?mode=ro", uri=True)
    try:
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        copy.close()
    if result != "ok":
        raise BackupError(f"The copy failed SQLite's integrity check ({result}); the database itself may be damaged.")
    return f"integrity_check ok, {tables} tables"


def _postgresql(temporary: Path) -> str:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} not found: install the PostgreSQL client tools (apt-get install postgresql-client).")
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    dumped = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={temporary}"],
        env=env, capture_output=True, text=True,
    )
    if dumped.returncode != 0:
        raise BackupError(
            f"pg_dump failed: {dumped.stderr.strip()}\n"
            "Check that the database answers and that pg_dump is at least the server's version (pg_dump --version)."
        )
    listed = subprocess.run(["pg_restore", "--list", str(temporary)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {listed.stderr.strip()}")
    entries = [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]
    return f"pg_restore --list reads {len(entries)} entries"
