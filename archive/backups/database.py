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
        raise BackupError(f"文件夹 {target.parent} 不存在：请先建立这个文件夹，或另选备份位置。")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} 已存在：请换一个文件名（例如带上日期），或加 --overwrite 覆盖旧备份。")
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
            raise BackupError(f"本档案不会备份 {connection.vendor} 数据库：请用该数据库自带的备份工具。")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return Backup(path=target, vendor=connection.vendor, size=target.stat().st_size, detail=detail)


def _sqlite(temporary: Path) -> str:
    if connection.is_in_memory_db():
        raise BackupError("数据库只在内存中，磁盘上没有可备份的文件。")
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("备份不能在一个未结束的数据库事务中进行（VACUUM INTO 的限制）。")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(temporary)])
    copy = sqlite3.connect(f"file:{temporary}?mode=ro", uri=True)
    try:
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        copy.close()
    if result != "ok":
        raise BackupError(f"副本未通过 SQLite 完整性检查（{result}）：原数据库本身可能已损坏。")
    return f"完整性检查通过，共 {tables} 张表"


def _postgresql(temporary: Path) -> str:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端工具（apt-get install postgresql-client）。")
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
            f"pg_dump 失败：{dumped.stderr.strip()}\n"
            "请确认数据库可以连接，且 pg_dump 的版本不低于服务器（pg_dump --version）。"
        )
    listed = subprocess.run(["pg_restore", "--list", str(temporary)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"pg_restore 读不出这份备份：{listed.stderr.strip()}")
    entries = [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]
    return f"pg_restore 校验可读，共 {len(entries)} 项"
