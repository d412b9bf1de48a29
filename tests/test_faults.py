"""Faults injected into a running archive, and what readers and data see.

- The database goes away under gunicorn (DEBUG=0): PostgreSQL behind a TCP proxy that the test
  stops (the shared server itself is never touched), or the SQLite file replaced by something
  SQLite cannot open. Every page answers a short 503 page (JSON for the API), never a trace; the
  outage is logged; when the database returns the same server processes serve again, with no
  restart — also after an outage while the site was idle, with persistent connections.
- `import_reports` is killed (SIGKILL) while a file's transaction is open: no partial entry is
  left, and running the same command again imports the rest exactly once.
- The database becomes read-only under the running server (SQLite: the file made immutable;
  PostgreSQL: new connections get read-only transactions, as on a standby): readers are served,
  an editor's save gets the read-only 503 page and writes nothing, and once writable again the
  same server saves.
(A missing or corrupt search index: tests/search/test_fallback.py.)
"""

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import (  # noqa: E402
    ROOT,
    Server,
    child_env,
    gunicorn_available,
    manage,
    pg_admin,
    pg_params,
    pg_url,
    query,
    record,
    suite_vendor,
    wait_until,
)

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

PAGES = ["/", "/articles/", "/search/?q=%E6%94%B9%E9%9D%A9", "/departments/", "/years/", "/feed/", "/articles.csv"]
LEAKS = ("Traceback", "OperationalError", "Connection refused", "unable to open", "File \"/")


class Proxy:
    """A TCP forwarder to the PostgreSQL server on a port of its own, stopped and started by the
    test: stopping closes the listening socket and cuts every open connection, as a server that
    went down would."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.listener = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the same port again
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()
        return self

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        # shutdown() first: on Linux close() alone leaves a blocked accept() accepting.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class SqliteOutage:
    """The database file replaced by a directory, as when a volume is unmounted: SQLite cannot
    open it. The file and its WAL are kept aside and put back."""

    def __init__(self, path: Path):
        self.path = path
        self.aside = path.with_name(path.name + ".aside")

    def stop(self):
        self.aside.mkdir()
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                source.rename(self.aside / source.name)
        self.path.mkdir()

    def start(self):
        self.path.rmdir()
        for moved in self.aside.iterdir():
            moved.rename(self.path.with_name(moved.name))
        self.aside.rmdir()


def outage_cases():
    if suite_vendor() == "sqlite":
        return [pytest.param(0, id="sqlite")]
    return [pytest.param(0, id="postgresql"), pytest.param(60, id="postgresql-persistent-connections")]


@pytest.fixture(params=outage_cases())
def outage_server(request, module_database, static_root, tmp_path):
    """(server, outage): gunicorn on the module's database, reached through something the test
    can take away."""
    gunicorn_available()
    conn_max_age = request.param
    if module_database.vendor == "postgresql":
        outage = Proxy((pg_params()["host"], pg_params()["port"])).start()
        url = pg_url(module_database.name, port=outage.port)
    else:
        outage = SqliteOutage(module_database.path)
        url = module_database.url
    server = Server(url, static_root, tmp_path / "gunicorn.log", workers=2, threads=2, CONN_MAX_AGE=conn_max_age).start()
    yield server, outage
    server.stop()
    if isinstance(outage, Proxy):
        outage.stop()


def all_pages_answer(client, status: int) -> bool:
    return all(client.get(page).status == status for page in PAGES)


def test_a_lost_database_gives_a_503_page_and_the_site_recovers_without_restart(outage_server):
    server, outage = outage_server
    client = server.client()
    assert all_pages_answer(client, 200)
    pid, boots = server.process.pid, server.log().count("Booting worker")

    # 1. The database goes away while readers keep coming.
    outage.stop()
    record("faults injected: database unavailable")
    for page in PAGES + ["/api/search?q=%E5%9B%AD%E5%8C%BA"]:
        reply = client.get(page)
        assert reply.status == 503, (page, reply.status, reply.text[:300])
        assert reply.header("Retry-After") == "30" and reply.header("Content-Security-Policy")
        message = json.loads(reply.body)["error"] if page.startswith("/api/") else reply.text
        assert "暂时无法访问" in message
        assert not any(leak in reply.text for leak in LEAKS), reply.text[:500]
    outage.start()
    assert wait_until(lambda: all_pages_answer(client, 200), timeout=30)

    # 2. It goes away and comes back while nobody is reading: (persistent) connections are stale,
    # and the first reader afterwards is served all the same.
    outage.stop()
    record("faults injected: database unavailable while idle")
    time.sleep(0.5)
    outage.start()
    assert all_pages_answer(client, 200)

    assert server.process.poll() is None and server.process.pid == pid
    assert server.log().count("Booting worker") == boots, "a worker was restarted"
    assert "database unavailable, answered 503 for GET /" in server.log()


# ---------------------------------------------------------------------------------------------
# An import killed half-way


COPIES = 2  # of each of the five seed files: ten files, each imported in its own transaction


def shifted(text: str, by: int) -> str:
    """The text with every common ideograph moved `by` places along the block: the same layout,
    line breaks and punctuation, but words no report in the archive shares, so the importer
    writes it instead of reporting it as a repeat of the seed it came from."""
    return "".join(
        chr(0x4E00 + (ord(ch) - 0x4E00 + by) % 20902) if "\u4e00" <= ch <= "\u9fa5" else ch for ch in text
    )


def raw_files(folder: Path) -> list[Path]:
    files = []
    for copy in range(1, COPIES + 1):
        for number, seed in enumerate(sorted((settings.FIXTURES_DIR / "seeds").glob("*.txt"))):
            target = folder / f"{seed.stem}-copy{copy}.txt"
            text = shifted(seed.read_text(encoding="utf-8"), by=997 * (copy * 10 + number))
            target.write_bytes((text + f"\n（导入中断测试副本{copy}）\n").encode())
            files.append(target)
    return files


def expected_entries(path: Path) -> tuple[str, int, int, int]:
    """(sha256, articles, sections, captions): what importing the file creates, by the importer's parser."""
    import hashlib

    from archive.ingest.assembly import parse
    from archive.ingest.decoding import decode

    reports = parse(decode(path.read_bytes())[0])
    sections = sum(1 for r in reports for s in r.sections if s.heading or s.paragraphs)
    return hashlib.sha256(path.read_bytes()).hexdigest(), len(reports), sections, sum(len(r.captions) for r in reports)


PER_DOCUMENT = """
SELECT r.sha256,
       (SELECT count(*) FROM archive_article a WHERE a.raw_document_id = r.id),
       (SELECT count(*) FROM archive_section s JOIN archive_article a ON s.article_id = a.id WHERE a.raw_document_id = r.id),
       (SELECT count(*) FROM archive_caption c JOIN archive_article a ON c.article_id = a.id WHERE a.raw_document_id = r.id)
FROM archive_rawdocument r
"""
TOTALS = "SELECT (SELECT count(*) FROM archive_article), (SELECT count(*) FROM archive_section), (SELECT count(*) FROM archive_caption)"


def write_transaction_open(database) -> bool:
    """True while another connection holds a write transaction on the database."""
    if database.vendor == "sqlite":
        probe = sqlite3.connect(database.name, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    return query(database, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
                           "AND pid <> pg_backend_pid()", (database.name,))[0][0] > 0


@pytest.mark.django_db  # the importer's parser reads the catalogs (the same in the suite's database)
def test_an_import_killed_midway_leaves_no_partial_entry_and_resumes(module_database, tmp_path):
    files = raw_files(tmp_path)
    expected = {sha: tuple(entry) for sha, *entry in map(expected_entries, files)}
    before = query(module_database, TOTALS)[0]
    before_documents = {row[0] for row in query(module_database, PER_DOCUMENT)}

    command = [sys.executable, "manage.py", "import_reports", "-v0", *map(str, files)]
    log = tmp_path / "import.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=child_env(module_database.url), stdout=subprocess.DEVNULL,
                                   stderr=stderr)
    try:
        def mid_transaction_after_two_files():
            assert process.poll() is None, f"the import ended before it could be killed:\n{log.read_text()[-2000:]}"
            committed = len({row[0] for row in query(module_database, PER_DOCUMENT)} - before_documents)
            return committed >= 2 and write_transaction_open(module_database)

        assert wait_until(mid_transaction_after_two_files, timeout=120, interval=0.01), "the import never got going"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    record("faults injected: import killed mid-transaction")

    # Each file is all there or not there at all.
    documents = {sha: tuple(counts) for sha, *counts in query(module_database, PER_DOCUMENT) if sha not in before_documents}
    assert 2 <= len(documents) < len(files)
    for sha, counts in documents.items():
        assert counts == expected[sha], f"partial import of {sha[:12]}: {counts} != {expected[sha]}"
    after_kill = query(module_database, TOTALS)[0]
    assert [a - b for a, b in zip(after_kill, before)] == [sum(c[i] for c in documents.values()) for i in range(3)]

    # Running it again imports the rest, and only the rest.
    manage("import_reports", "-v0", *map(str, files), database_url=module_database.url)
    documents = {sha: tuple(counts) for sha, *counts in query(module_database, PER_DOCUMENT) if sha not in before_documents}
    assert documents == expected
    after = query(module_database, TOTALS)[0]
    assert [a - b for a, b in zip(after, before)] == [sum(c[i] for c in expected.values()) for i in range(3)]
    manage("check_index", database_url=module_database.url)


# ---------------------------------------------------------------------------------------------
# A database that can be read but not written


class ReadOnlyFile:
    """The database file made read-only underneath the running server, as on a volume remounted
    read-only. The suite runs as root in CI, which file modes do not stop, so the file is made
    immutable (chattr +i), which binds root too; its WAL and shared-memory files stay as they are."""

    def __init__(self, path: Path):
        self.path = path

    def _chattr(self, flag: str) -> subprocess.CompletedProcess:
        return subprocess.run(["chattr", flag, str(self.path)], capture_output=True, text=True)

    def stop(self):
        done = self._chattr("+i")
        if done.returncode != 0:
            pytest.skip(f"cannot make the SQLite file read-only here (chattr +i: {done.stderr.strip()})")
        try:
            with open(self.path, "r+b"):
                pass
        except PermissionError:
            return
        self.start()
        pytest.skip("chattr +i did not make the file read-only on this filesystem")

    def start(self):
        self._chattr("-i")


class ReadOnlyDatabase:
    """PostgreSQL's counterpart, as on a hot standby: every new connection to the database starts
    read-only transactions (default_transaction_read_only), so a write fails in the server."""

    def __init__(self, name: str):
        self.name = name

    def stop(self):
        pg_admin(f'ALTER DATABASE "{self.name}" SET default_transaction_read_only = on')

    def start(self):
        pg_admin(f'ALTER DATABASE "{self.name}" RESET default_transaction_read_only')


def test_a_read_only_database_keeps_the_site_readable_and_refuses_edits_with_a_503(module_database, static_root,
                                                                                  tmp_path):
    gunicorn_available()
    from tests.archive.conftest import form_data
    from tests.live_app import EDITORS

    server = Server(module_database.url, static_root, tmp_path / "gunicorn.log", workers=1, threads=2).start()
    fault = ReadOnlyFile(module_database.path) if module_database.vendor == "sqlite" else ReadOnlyDatabase(module_database.name)
    try:
        client = server.client()
        assert client.sign_in(EDITORS[0]).status == 302
        article = json.loads(client.get("/articles.json").body)["results"][0]
        url = f"/admin/archive/article/{article['id']}/change/"
        page = urlsplit(article["url"]).path

        def save(marker: str):
            data = form_data(client.get(url).text, "article_form")
            key = next(k for k in sorted(data) if k.startswith("sections-") and k.endswith("-body"))
            data[key] += f"\n{marker}。"
            return client.post(url, data)

        fault.stop()
        record("faults injected: database read-only")
        # Readers are served as before.
        assert all_pages_answer(client, 200)
        assert client.get(url).status == 200
        # An editor's save is refused with a page that says it was not saved; nothing half-written.
        refused = save("只读期间的修改")
        assert refused.status == 503, (refused.status, refused.text[:300])
        assert "只读" in refused.text and "没有保存" in refused.text
        assert not any(leak in refused.text for leak in LEAKS), refused.text[:500]
        assert "只读期间的修改" not in client.get(page).text
        assert "database read-only, answered 503 for POST" in server.log()

        # Writable again: the same server saves, with no restart.
        fault.start()
        assert save("恢复写入后的修改").status == 302
        assert "恢复写入后的修改" in client.get(page).text
        assert "只读期间的修改" not in client.get(page).text
    finally:
        fault.start()
        server.stop()
    manage("check_index", database_url=module_database.url)
