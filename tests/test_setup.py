"""The README's set-up works from a clean clone: `make run` installs, migrates, loads and serves.

This clones the committed tree (HEAD), so it catches a file or install step that only the
developer's working tree has.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_clone(tmp_path_factory):
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed to test the set-up from a clean clone")
    workdir = tmp_path_factory.mktemp("clone")
    clone = workdir / "archive"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE"}}
    env.update(PORT=str(port), PIP_DISABLE_PIP_VERSION_CHECK="1")
    log = open(workdir / "make-run.log", "w")
    proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(2)
        if body is None:
            log.flush()
            pytest.fail("make run never served a page:\n" + (workdir / "make-run.log").read_text()[-3000:])
        yield clone, port, body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_make_run_serves_the_home_page_from_a_clean_clone(served_clone):
    clone, port, body = served_clone
    assert '<html lang="zh-CN">' in body
    assert "改革报道档案" in body
    assert (clone / ".venv" / "bin" / "python").exists()


def test_make_run_database_is_in_wal_mode(served_clone):
    clone, port, body = served_clone
    import sqlite3

    db = sqlite3.connect(clone / "db.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_make_run_again_adds_no_duplicates(served_clone):
    clone, port, body = served_clone
    python = clone / ".venv" / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    count = "from archive.models import Article; print(Article.objects.count())"
    before = subprocess.run([python, "manage.py", "shell", "-c", count], cwd=clone, env=env, capture_output=True, text=True, check=True)
    subprocess.run([python, "manage.py", "load_corpus"], cwd=clone, env=env, check=True, capture_output=True)
    after = subprocess.run([python, "manage.py", "shell", "-c", count], cwd=clone, env=env, capture_output=True, text=True, check=True)
    assert before.stdout == after.stdout
