"""A network partition between the archive and PostgreSQL: the link stops carrying bytes, but no
connection is closed (packets dropped, not refused). Unlike a server that went down
(tests/test_faults.py), nothing tells the client; without timeouts every request that needs the
database waits for ever, and a handful of them (gunicorn's 2 workers × 4 threads) hold every
thread, so even static files stop being served.

With the connection settings of config/settings.py (DATABASE_CONNECT_TIMEOUT and the others, set
to test-sized values here), a request during the partition answers the 503 page within a few
seconds, a static file is still served meanwhile, and the site serves again once the link heals.

The link is a TCP forwarder of the test's own, in front of the shared PostgreSQL server, that the
test pauses: it stops forwarding bytes and keeps every socket open. (Its kernel still acknowledges
what it receives, so this pause stands for a partition before a connection is made, which
connect_timeout bounds; a connection that goes silent mid-query is left to tcp_user_timeout and
keepalives, which only a real drop of packets sets off.) A statement that runs past
DATABASE_STATEMENT_TIMEOUT is cancelled and answers the same 503 page.
"""

import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import (  # noqa: E402
    Server,
    gunicorn_available,
    pg_params,
    pg_url,
    record,
    suite_vendor,
    wait_until,
)

pytest_plugins = ["tests.live_app"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(suite_vendor() != "postgresql",
                       reason="PostgreSQL only: SQLite is a file on the server's own disk, with no network link "
                              "to lose and no connection or statement timeouts"),
]

DATABASE_PAGES = ["/", "/articles/", "/search/?q=%E6%94%B9%E9%9D%A9", "/departments/", "/years/", "/feed/",
                  "/api/search?q=%E5%9B%AD%E5%8C%BA", "/articles.csv"]
CONNECT_TIMEOUT = 3
BOUND = 15  # seconds: the 503 must come well before this (gunicorn's own timeout is 60 s)


class PausableLink:
    """A TCP forwarder to PostgreSQL on a port of its own. pause() stops forwarding in both
    directions without closing anything (bytes received meanwhile are held, as TCP would
    retransmit them); resume() delivers them and goes on."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                return
            server.settimeout(None)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, target):
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            try:
                target.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def pause(self):
        self.flowing.clear()

    def resume(self):
        self.flowing.set()

    def close(self):
        self.flowing.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.fixture
def link():
    link = PausableLink((pg_params()["host"], pg_params()["port"]))
    yield link
    link.close()


@pytest.fixture
def partitioned_server(module_database, static_root, link, tmp_path):
    """gunicorn as deployed (2 workers × 4 threads) on the module's database, through the link."""
    gunicorn_available()
    server = Server(pg_url(module_database.name, port=link.port), static_root, tmp_path / "gunicorn.log",
                    workers=2, threads=4, DATABASE_CONNECT_TIMEOUT=CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT=5,
                    DATABASE_NETWORK_TIMEOUT=5).start()
    yield server
    server.stop()


def timed_get(server, path: str) -> tuple[int | str, float]:
    started = time.monotonic()
    try:
        status = server.client().get(path, timeout=BOUND + 15).status
    except OSError as exc:  # socket.timeout: no answer at all
        status = type(exc).__name__
    return status, time.monotonic() - started


def test_a_paused_database_link_gives_a_prompt_503_and_static_files_are_still_served(partitioned_server, link):
    server = partitioned_server
    home = server.client().get("/")
    assert home.status == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home.text).group(1)

    link.pause()
    record("faults injected: database link paused")
    # As many readers as the server has threads, and then one more asking for a stylesheet.
    with ThreadPoolExecutor(len(DATABASE_PAGES) + 1) as pool:
        pages = [pool.submit(timed_get, server, path) for path in DATABASE_PAGES]
        time.sleep(0.5)
        static = pool.submit(timed_get, server, stylesheet)
        answers = {path: future.result() for path, future in zip(DATABASE_PAGES, pages)}
        static_status, static_seconds = static.result()

    slowest = max(seconds for _, seconds in answers.values())
    print(f"\nlink paused: {len(answers)} database pages answered {sorted({s for s, _ in answers.values()}, key=str)} "
          f"in at most {slowest:.1f} s; the stylesheet {static_status} in {static_seconds:.1f} s")
    assert all(status == 503 for status, _ in answers.values()), answers
    assert slowest < BOUND, answers
    assert static_status == 200 and static_seconds < BOUND
    assert "database unavailable, answered 503" in server.log()
    # A search alone waits out the connect timeout once: its fallback for an unreadable index
    # (scanning the sections) does not try the unreachable database a second time.
    for path in ("/search/?q=%E6%94%B9%E9%9D%A9", "/api/search?q=%E5%9B%AD%E5%8C%BA"):
        status, seconds = timed_get(server, path)
        assert status == 503 and seconds < 1.7 * CONNECT_TIMEOUT, (path, status, seconds)

    link.resume()
    assert wait_until(lambda: server.client().get("/articles/").status == 200, timeout=30)


def test_every_connection_carries_the_timeouts_of_the_settings(db):
    connection.ensure_connection()
    parameters = connection.connection.info.get_parameters()
    assert parameters["connect_timeout"] == "5" and parameters["tcp_user_timeout"] == "20000"
    assert parameters["keepalives"] == "1" and parameters["keepalives_idle"] == "10"
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


def slow_statement(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 200")  # DATABASE_STATEMENT_TIMEOUT, made short
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow_statement), path("api/slow", slow_statement)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_statement_cancelled_by_the_timeout_answers_the_503_page(db, client, caplog):
    started = time.monotonic()
    page = client.get("/slow/")
    assert page.status_code == 503 and "档案暂时无法访问" in page.content.decode()
    assert time.monotonic() - started < 3
    assert client.get("/api/slow").json() == {"error": "数据库暂时无法访问，请稍后再试。"}
    assert any("database unavailable" in r.getMessage() and "statement timeout" in r.getMessage()
               for r in caplog.records)
