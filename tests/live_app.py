"""The archive deployed as in production, for the reliability tests (a pytest plugin: test modules
load it with `pytest_plugins = ["tests.live_app"]`).

The suite's own test database cannot show what a deployment does: on SQLite it is in memory,
shared by every thread, without WAL or a busy timeout, and the test client runs in the test's
process. So these tests run gunicorn with DEBUG=0 in a child process, on a database of their own
of the suite's kind, set up like `make run` (migrate, load_corpus, rebuild_index): seeded once per
run, then copied for each test module (SQLite: the backup API; PostgreSQL: CREATE DATABASE …
TEMPLATE). Requests go over loopback with X-Forwarded-Proto: https, as the reverse proxy sends.

The figures — fuzz cases, requests, writes, faults — are counted in FIGURES and printed at the end
of the run.
"""

import collections
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PASSWORD = "reliability-Passw0rd-长一点"
EDITORS = [f"rel-editor-{n}" for n in range(1, 7)]
READER = "rel-reader"
SECRET_KEY = secrets.token_urlsafe(50)

FIGURES: collections.Counter = collections.Counter()


def record(name: str, n: int = 1):
    """Count a figure, named "group: what" (e.g. "faults injected: import killed")."""
    FIGURES[name] += n


def pytest_terminal_summary(terminalreporter):
    groups: dict[str, list[tuple[str, int]]] = {}
    for name, count in sorted(FIGURES.items()):
        group, _, what = name.partition(": ")
        groups.setdefault(group, []).append((what, count))
    for group, items in groups.items():
        total = f" (total {sum(c for _, c in items)})" if len(items) > 1 and ("cases" in group or "faults" in group) else ""
        terminalreporter.write_line(f"{group}: " + ", ".join(f"{what} {count}" for what, count in items) + total)


# ---------------------------------------------------------------------------------------------
# Databases


def suite_vendor() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def pg_params() -> dict:
    db = settings.DATABASES["default"]
    return dict(host=db["HOST"] or "127.0.0.1", port=int(db["PORT"] or 5432), user=db["USER"] or "postgres",
                password=db["PASSWORD"] or None)


def pg_url(name: str, port: int | None = None) -> str:
    p = pg_params()
    auth = p["user"] + (f":{p['password']}" if p["password"] else "")
    return f"postgres://{auth}@{p['host']}:{port or p['port']}/{name}"


def pg_admin(sql: str):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=10, **pg_params()) as conn:
        conn.execute(sql)


def pg_name(purpose: str) -> str:
    # The suite's test database name (TEST_DATABASE_NAME) keeps two runs on one server apart.
    db = settings.DATABASES["default"]
    base = (db.get("TEST") or {}).get("NAME") or f"test_{db['NAME']}"
    return f"{base}_{purpose}_{uuid.uuid4().hex[:6]}"[:63]


def pg_drop(name: str):
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_create(name: str, template: str = "template0"):
    pg_admin(f"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")


@dataclass
class Database:
    """A database of the suite's kind that a child process can be pointed at."""

    vendor: str
    url: str
    name: str  # PostgreSQL: the database name; SQLite: the file

    @property
    def path(self) -> Path:
        return Path(self.name)


SEED_SCRIPT = r"""
import django, json, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_corpus", verbosity=0)
call_command("rebuild_index", verbosity=0)
from django.contrib.auth.models import Group, User
editor = Group.objects.get(name="editor")
for name in json.loads(sys.argv[1]):
    User.objects.create_user(name, password=sys.argv[3], is_staff=True).groups.add(editor)
User.objects.create_user(sys.argv[2], password=sys.argv[3]).groups.add(Group.objects.get(name="reader"))
"""


def child_env(database_url: str, **extra) -> dict:
    # Nothing of the test process's own settings: DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def production_env(database_url: str, static_root: Path, **extra) -> dict:
    # The test is the reverse proxy, on loopback.
    return child_env(database_url, DEBUG="0", SECRET_KEY=SECRET_KEY, ALLOWED_HOSTS="127.0.0.1,localhost",
                     STATIC_ROOT=static_root, LOG_LEVEL="WARNING", TRUSTED_PROXIES="127.0.0.1", **extra)


def run_python(code: str, database_url: str, *args, timeout=300, **env) -> subprocess.CompletedProcess:
    """Run Python code with Django set up on the given database, in a child process."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=child_env(database_url, **env),
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"child process failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done


def manage(*args, database_url: str, timeout=300, check=True, **env) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=child_env(database_url, **env),
                          capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done


@pytest.fixture(scope="session")
def seed_database(tmp_path_factory):
    """The archive as `make run` leaves it, plus editor and reader accounts; copied, never served."""
    vendor = suite_vendor()
    if vendor == "sqlite":
        path = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
        database = Database(vendor, f"sqlite:///{path}", str(path))
    else:
        name = pg_name("seed")
        pg_create(name)
        database = Database(vendor, pg_url(name), name)
    try:
        run_python(SEED_SCRIPT, database.url, json.dumps(EDITORS), READER, PASSWORD)
        yield database
    finally:
        if vendor == "postgresql":
            pg_drop(database.name)


def copy_database(seed: Database, purpose: str, tmp_path: Path) -> Database:
    if seed.vendor == "sqlite":
        path = tmp_path / f"{purpose}.sqlite3"
        source, target = sqlite3.connect(seed.name), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return Database("sqlite", f"sqlite:///{path}", str(path))
    name = pg_name(purpose)
    pg_create(name, template=seed.name)
    return Database("postgresql", pg_url(name), name)


def drop_database(database: Database):
    if database.vendor == "postgresql":
        pg_drop(database.name)


@pytest.fixture(scope="module")
def module_database(seed_database, tmp_path_factory, request):
    """A copy of the seeded database for one test module, dropped afterwards."""
    purpose = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    database = copy_database(seed_database, purpose, tmp_path_factory.mktemp(purpose))
    yield database
    drop_database(database)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The collected, hashed static files that DEBUG=0 serves (whitenoise's manifest storage)."""
    root = tmp_path_factory.mktemp("static")
    done = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                          env=production_env("sqlite:///:memory:", root), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the archive with production settings, in a child process of its own."""

    def __init__(self, database_url: str, static_root: Path, log: Path, *, workers=2, threads=4, **env):
        self.port = free_port()
        self.log_path = log
        self.env = production_env(database_url, static_root, **env)
        self.command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
            "--timeout", "60", "--graceful-timeout", "3",
        ]
        self.process = None

    def start(self, wait=True):
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            try:
                HttpClient(self.port).get("/robots.txt", timeout=5)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout}s:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        if self.process is not None:
            self._log.close()

    def client(self, **kwargs) -> "HttpClient":
        return HttpClient(self.port, **kwargs)


def gunicorn_available():
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        pytest.skip("gunicorn is not installed: `pip install -e .[test]`; production-server tests skipped.")


@pytest.fixture(scope="module")
def production_server(module_database, static_root, tmp_path_factory):
    """gunicorn with DEBUG=0 on the module's copy of the archive."""
    gunicorn_available()
    server = Server(module_database.url, static_root, tmp_path_factory.mktemp("server") / "gunicorn.log").start()
    yield server
    server.stop()


# ---------------------------------------------------------------------------------------------
# An HTTP client that keeps cookies, as a browser behind the reverse proxy


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class HttpClient:
    def __init__(self, port: int, *, https: bool = True, host: str = "127.0.0.1", client_address: str | None = None):
        self.port, self.https, self.host = port, https, host
        self.client_address = client_address  # sent in X-Forwarded-For, as the proxy does
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None, timeout=60) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-CN"}
            if self.https:
                all_headers["X-Forwarded-Proto"] = "https"
            if self.client_address:
                all_headers["X-Forwarded-For"] = self.client_address
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            conn.close()
        for raw in reply.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def get(self, path: str, params: dict | None = None, **kwargs) -> Reply:
        return self.request("GET", path + ("?" + urlencode(params) if params else ""), **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Reply:
        body = urlencode(data, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                   "Referer": self.origin + path}
        return self.request("POST", path, body=body, headers=headers, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> Reply:
        """The admin's sign-in form, as a browser submits it."""
        page = self.get("/admin/login/")
        assert page.status == 200, page.status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.post("/admin/login/?next=/admin/",
                         {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})


def wait_until(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def which(*tools) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install postgresql-client)")


def query(database: Database, sql: str, params=()) -> list[tuple]:
    """Read the database directly (no Django), as an operator's psql or sqlite3 would."""
    if database.vendor == "sqlite":
        conn = sqlite3.connect(database.name, timeout=20)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()
    import psycopg

    p = pg_params()
    with psycopg.connect(dbname=database.name, autocommit=True, **p) as conn:
        return conn.execute(sql, params).fetchall()
