"""Readers and writers at once against a live server, with nothing lost.

gunicorn (2 processes × 4 threads, DEBUG=0) serves a copy of the archive on a database of the
suite's kind — a SQLite file in WAL mode, or a PostgreSQL database. Reader threads browse, search
and download while editor threads sign in to the admin and save sections, two editors per
article so that their saves collide: a save that meets a newer version gets the conflict page
and is made again on the new version, as an editor would. Afterwards every acknowledged write is
on the public page and found by search, no request failed, and `check_index` finds the search
index in step with the database.
"""

import json
import threading
import time
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("tests.live_app")
from tests.archive.conftest import form_data  # noqa: E402
from tests.live_app import EDITORS, manage, record, run_python, suite_vendor  # noqa: E402

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

READERS = 3
WRITERS = 4  # two per article
SAVES_PER_WRITER = 3
READ_PATHS = ["/", "/articles/?page=2&sort=oldest", "/search/?q=%E6%94%B9%E9%9D%A9", "/api/search?q=%E5%9B%AD%E5%8C%BA",
              "/departments/", "/initiatives/", "/years/", "/feed/", "/articles.csv"]


@pytest.fixture(scope="module")
def server(production_server):
    return production_server  # 2 processes × 4 threads


PRAGMAS = r"""
import json, sqlite3
import django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    found = {}
    for pragma in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys"):
        cursor.execute(f"PRAGMA {pragma}")
        found[pragma] = cursor.fetchone()[0]
# A transaction of the app takes the write lock when it begins (BEGIN IMMEDIATE), before it
# writes anything: another writer is then refused at once instead of failing half-way later.
with transaction.atomic():
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        found["write_lock_at_begin"] = False
    except sqlite3.OperationalError as exc:
        found["write_lock_at_begin"] = "locked" in str(exc)
    finally:
        other.close()
print(json.dumps(found))
"""


def test_sqlite_connections_of_the_app_use_wal_busy_timeout_and_immediate_transactions(module_database, server):
    if suite_vendor() != "sqlite":
        pytest.skip("SQLite's connection settings; the PostgreSQL pass runs the load test below on PostgreSQL")
    server.client().get("/")  # the server has the file open
    found = json.loads(run_python(PRAGMAS, module_database.url, DEBUG="0", SECRET_KEY="x" * 50,
                                  ALLOWED_HOSTS="127.0.0.1").stdout)
    assert found == {"journal_mode": "wal", "busy_timeout": 20000, "synchronous": 1, "foreign_keys": 1,
                     "write_lock_at_begin": True}


def test_readers_and_writers_at_once_lose_nothing(module_database, server):
    articles = json.loads(server.client().get("/articles.json").body)["results"]
    targets = articles[:WRITERS // 2]
    errors: list[str] = []
    counts = {"reads": 0, "writes": 0, "conflicts": 0, "write requests": 0}
    markers: dict[int, list[str]] = {a["id"]: [] for a in targets}
    lock = threading.Lock()
    writers_done = threading.Event()

    def count(name, n=1):
        with lock:
            counts[name] += n

    def reader(n):
        client = server.client()
        paths = READ_PATHS + [urlsplit(a["url"]).path for a in targets]
        i = n
        try:
            while not writers_done.is_set():
                path = paths[i % len(paths)]
                reply = client.get(path)
                count("reads")
                if reply.status != 200:
                    errors.append(f"reader {n}: GET {path} -> {reply.status} {reply.text[:200]}")
                i += 1
        except Exception as exc:  # a refused or dropped connection is an error too
            errors.append(f"reader {n}: {exc!r}")

    def writer(n):
        article = targets[n % len(targets)]
        url = f"/admin/archive/article/{article['id']}/change/"
        client = server.client()
        try:
            assert client.sign_in(EDITORS[n]).status == 302, "sign-in failed"
            for k in range(SAVES_PER_WRITER):
                marker = f"并发校验码{n}{k:02d}"
                for attempt in range(20):
                    data = form_data(client.get(url).text, "article_form")
                    key = next(k for k in sorted(data) if k.startswith("sections-") and k.endswith("-body"))
                    data[key] += f"\n{marker}。"
                    reply = client.post(url, data)
                    count("write requests")
                    if reply.status == 302:
                        break
                    if reply.status == 200 and "保存冲突" in reply.text:
                        count("conflicts")
                        continue
                    raise AssertionError(f"save answered {reply.status}: {reply.text[:300]}")
                else:
                    raise AssertionError("twenty conflicts in a row")
                count("writes")
                with lock:
                    markers[article["id"]].append(marker)
                # An acknowledged save is searchable at once, from any server process.
                found = json.loads(client.get("/api/search", {"q": marker}).body)
                if [r["article"]["id"] for r in found["results"]] != [article["id"]]:
                    errors.append(f"writer {n}: {marker} saved but search gives {found['total']} results")
        except Exception as exc:
            errors.append(f"writer {n}: {exc!r}")

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    started = time.monotonic()
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=240)
    writers_done.set()
    for thread in readers:
        thread.join(timeout=60)
    seconds = time.monotonic() - started

    record("concurrency (readers and editors at once): requests", counts["reads"] + counts["write requests"])
    record("concurrency (readers and editors at once): writes acknowledged", counts["writes"])
    record("concurrency (readers and editors at once): edit conflicts met and retried", counts["conflicts"])
    print(f"{suite_vendor()}: {counts} in {seconds:.1f}s")
    assert errors == [], errors[:10]
    assert counts["writes"] == WRITERS * SAVES_PER_WRITER
    assert counts["reads"] >= 50, "the readers did not keep reading while the editors saved"

    # Every acknowledged write is there: on the public page, and found by search.
    client = server.client()
    lost = []
    for article in targets:
        page = client.get(urlsplit(article["url"]).path).text
        for marker in markers[article["id"]]:
            hits = json.loads(client.get("/api/search", {"q": marker}).body)["results"]
            if marker not in page or [h["article"]["id"] for h in hits] != [article["id"]]:
                lost.append(marker)
    record("concurrency (readers and editors at once): writes lost", len(lost))
    assert lost == []
    assert sum(len(m) for m in markers.values()) == WRITERS * SAVES_PER_WRITER

    # The index is in step with the database (a drift exits non-zero).
    checked = manage("check_index", database_url=module_database.url)
    assert "一致" in checked.stdout
