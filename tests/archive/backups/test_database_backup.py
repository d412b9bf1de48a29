"""`backup_database PATH` and the restore that docs/deployment.md describes, end to end.

SQLite: VACUUM INTO (never a file copy of a live WAL database); PostgreSQL: pg_dump -Fc, restored
with createdb (C.UTF-8) and pg_restore. Each backup is restored into a fresh database and compared
with the original: the same rows in every table, the same search results, the index in step. A
backup taken while an editor keeps writing is a consistent snapshot: the restored index matches
the restored rows.
"""

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import (  # noqa: E402
    ROOT,
    Database,
    child_env,
    drop_database,
    manage,
    pg_name,
    pg_params,
    pg_url,
    query,
    record,
    which,
)

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

QUERIES = ["二分法", "园区 -五好园区", '"国企改革"', "保交楼 OR 资产超市", "8130亩", "在线备份测试", ""]

INSPECT = r"""
import json, sys
import django
django.setup()
from django.apps import apps
from search.engine import search
from search.indexing import drift
counts = {m._meta.db_table: m._default_manager.count() for m in apps.get_models() if not m._meta.proxy}
found = {}
for q in json.loads(sys.argv[1]):
    results = search(q, page_size=100)
    found[q] = [results.total, [h.article.slug for h in results.hits]]
print(json.dumps({"counts": counts, "search": found, "drift": drift()}, ensure_ascii=False))
"""

WRITER = r"""
import datetime, sys, time
import django
django.setup()
from django.db import transaction
from archive.models import Article, Section
for i in range(int(sys.argv[1])):
    with transaction.atomic():
        article = Article.objects.create(
            slug=f"online-backup-{i}", title=f"在线备份测试第{i}篇", kind=Article.Kind.NEWS,
            date=datetime.date(2024, 1, 1), date_precision="year", status=Article.Status.PUBLISHED,
        )
        Section.objects.create(article=article, order=1, heading="在线备份测试", body=f"在线备份测试正文{i}。")
    print(i, flush=True)
    time.sleep(0.02)
"""


def written(database) -> int:
    return query(database, "SELECT count(*) FROM archive_article WHERE slug LIKE %s", ("online-backup-%",))[0][0]


def inspect(*database_urls: str) -> list[dict]:
    """Row counts, search results and index drift of each database, read in parallel child processes."""
    children = [subprocess.Popen([sys.executable, "-c", INSPECT, json.dumps(QUERIES, ensure_ascii=False)], cwd=ROOT,
                                 env=child_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for url in database_urls]
    found = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-3000:]
        found.append(json.loads(out))
    return found


def pg_env() -> dict:
    p = pg_params()
    env = {**os.environ, "PGHOST": p["host"], "PGPORT": str(p["port"]), "PGUSER": p["user"]}
    if p["password"]:
        env["PGPASSWORD"] = p["password"]
    return env


def restore(backup, vendor: str, tmp_path) -> Database:
    """The restore of docs/deployment.md, into a new database."""
    if vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        shutil.copyfile(backup, target)  # the backup is a closed, self-contained database file
        return Database("sqlite", f"sqlite:///{target}", str(target))
    which("createdb", "pg_restore")
    name = pg_name("restored")
    subprocess.run(["createdb", "-T", "template0", "-E", "UTF8", "--lc-collate=C.UTF-8", "--lc-ctype=C.UTF-8", name],
                   env=pg_env(), check=True, capture_output=True)
    restored = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", name, str(backup)],
                              env=pg_env(), capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    return Database("postgresql", pg_url(name), name)


@pytest.fixture
def restored_databases():
    made = []
    yield made
    for database in made:
        drop_database(database)


def backup_path(database: Database, tmp_path):
    if database.vendor == "postgresql":
        which("pg_dump", "pg_restore")
    return tmp_path / ("archive.sqlite3" if database.vendor == "sqlite" else "archive.dump")


def test_a_backup_restores_to_the_same_archive(module_database, tmp_path, restored_databases):
    path = backup_path(module_database, tmp_path)
    done = manage("backup_database", str(path), database_url=module_database.url)
    assert path.exists() and ("完整性检查通过" in done.stdout or "pg_restore 校验可读" in done.stdout)
    assert not list(tmp_path.glob(".*partial*")), "no temporary file is left behind"

    restored = restore(path, module_database.vendor, tmp_path)
    restored_databases.append(restored)
    original, copy = inspect(module_database.url, restored.url)
    record(f"backups: restored and compared ({module_database.vendor})")
    assert copy["counts"] == original["counts"]
    assert copy["counts"]["archive_article"] > 0 and copy["counts"]["auth_user"] > 0
    assert copy["search"] == original["search"]
    assert copy["drift"] == []


def test_a_backup_is_readable_by_its_owner_only_from_the_moment_it_is_created(module_database, tmp_path):
    # It holds password hashes and session keys. The folder is watched while the backup is written:
    # the temporary file must never be readable by others either.
    path = backup_path(module_database, tmp_path)
    path.write_bytes(b"")
    os.chmod(path, 0o644)  # an older backup, replaced with --overwrite
    seen: dict[str, set[int]] = {}
    backup = subprocess.Popen([sys.executable, "manage.py", "backup_database", str(path), "--overwrite"], cwd=ROOT,
                              env=child_env(module_database.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              umask=0o022)
    while backup.poll() is None:
        for entry in os.scandir(tmp_path):
            try:
                seen.setdefault(entry.name, set()).add(stat.S_IMODE(entry.stat().st_mode))
            except FileNotFoundError:
                pass  # renamed between listing and stat
    assert backup.returncode == 0, backup.stderr.read()[-3000:]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    temporary = {name: modes for name, modes in seen.items() if ".partial" in name}
    assert temporary, "the temporary file was never seen"
    assert all(modes == {0o600} for modes in temporary.values()), temporary


def test_a_backup_refuses_to_overwrite_or_to_write_into_a_missing_folder(tmp_path):
    path = tmp_path / "archive.backups.json_archive"
    path.write_text("an older backup")
    with pytest.raises(CommandError, match="--overwrite"):
        call_command("backup_database", str(path))
    assert path.read_text() == "an older backup"
    with pytest.raises(CommandError, match="请先建立这个文件夹"):
        call_command("backup_database", str(tmp_path / "no" / "such.backup"))


def test_a_backup_taken_while_an_editor_writes_is_a_consistent_snapshot(module_database, tmp_path, restored_databases):
    path = backup_path(module_database, tmp_path)
    writes = 400
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(writes)], cwd=ROOT, env=child_env(module_database.url),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writer.stdout.readline()  # the writer is under way
        before = written(module_database)
        manage("backup_database", str(path), database_url=module_database.url)
        after = written(module_database)
        assert after > before, "the writer did not write while the backup ran"
    finally:
        writer.kill()
        writer.wait()
    restored = restore(path, module_database.vendor, tmp_path)
    restored_databases.append(restored)
    [copy] = inspect(restored.url)
    record(f"backups: restored and compared ({module_database.vendor})")
    in_copy = copy["search"]["在线备份测试"][0]
    assert before <= in_copy <= after
    assert copy["drift"] == [], "the restored index matches the restored rows"
