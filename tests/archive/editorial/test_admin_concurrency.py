"""Saving while readers search, and two editors saving at the same moment — with real connections.

The test database of the suite cannot show this: on SQLite it is in memory, shared by every
thread through one cache, not the file with WAL and a busy timeout that the archive runs on. So the
scenario runs in a child process against a database of its own, set up like `make run` does
(migrate, load_corpus, rebuild_index): a temporary SQLite file when the suite runs on SQLite, a new
PostgreSQL database on the suite's server when it runs on PostgreSQL. Each thread has its own
connection, as each server process or thread has in production.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, os, sys, threading, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection

started = time.monotonic()
call_command("migrate", verbosity=0)
call_command("load_corpus", verbosity=0)
call_command("rebuild_index", verbosity=0)
setup_seconds = time.monotonic() - started

from django.contrib.auth.models import Group, User
from django.test import Client
from archive.models import Article
from search.engine import search
from tests.archive.conftest import form_data

editors = []
for name in ("stress1", "stress2", "stress3"):
    user = User.objects.create_user(name, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    editors.append(user)

article = Article.objects.published().order_by("pk").first()
url = f"/admin/archive/article/{article.pk}/change/"
QUERIES = ["园区", "国企改革", "改革 -园区", '"五好"园区', "营商环境 OR 国资", "株洲", "降本增效"]
stop = threading.Event()
searches, errors = [0], []
lock = threading.Lock()

def reader(n):
    client = Client(HTTP_HOST="localhost")
    i = n
    try:
        while not stop.is_set():
            q = QUERIES[i % len(QUERIES)]
            if i % 2:
                search(q, {}, page=1)
            else:
                response = client.get("/search/", {"q": q})
                if response.status_code != 200:
                    raise RuntimeError(f"search page {response.status_code}")
            with lock:
                searches[0] += 1
            i += 1
    except Exception as exc:
        errors.append(f"reader {n}: {exc!r}")
    finally:
        connection.close()

def signed_in(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client

def section_key(data):
    return next(k for k in sorted(data) if k.startswith("sections-") and k.endswith("-body"))

readers = [threading.Thread(target=reader, args=(n,)) for n in range(int(os.environ.get("READERS", "4")))]
for t in readers:
    t.start()
time.sleep(1.0)

# 1. An editor saves again and again while the readers search.
saves = []
editor = signed_in(editors[0])
for k in range(5):
    data = form_data(editor.get(url), "article_form")
    key = section_key(data)
    data[key] = data[key] + f"\n压力测试标记{'甲乙丙丁戊'[k]}。"
    t0 = time.monotonic()
    response = editor.post(url, data)
    saves.append({"status": response.status_code, "seconds": round(time.monotonic() - t0, 3)})
searches_during_saves = searches[0]

# 2. Two editors who opened the same version press save at the same moment.
clients = [signed_in(editors[1]), signed_in(editors[2])]
forms = [form_data(c.get(url), "article_form") for c in clients]
barrier = threading.Barrier(2)
outcomes = [None, None]

def save(n):
    try:
        data = dict(forms[n])
        data["subtitle"] = f"同时保存{n}"
        barrier.wait()
        response = clients[n].post(url, data)
        outcomes[n] = [response.status_code, "保存冲突" in response.content.decode()]
    except Exception as exc:
        outcomes[n] = [f"error {exc!r}", False]
    finally:
        connection.close()

both = [threading.Thread(target=save, args=(n,)) for n in range(2)]
for t in both:
    t.start()
for t in both:
    t.join()

time.sleep(0.5)
stop.set()
for t in readers:
    t.join()

article.refresh_from_db()
page = Client(HTTP_HOST="localhost").get(article.get_absolute_url()).content.decode()
found = {h.article.pk for h in search("压力测试标记戊", {}).hits}
print("RESULT " + json.dumps({
    "vendor": connection.vendor,
    "setup_seconds": round(setup_seconds, 2),
    "saves": saves,
    "searches": searches[0],
    "searches_during_saves": searches_during_saves,
    "reader_errors": errors,
    "simultaneous": outcomes,
    "subtitle": article.subtitle,
    "marker_on_page": "压力测试标记戊" in page,
    "marker_found": article.pk in found,
}, ensure_ascii=False))
"""


@pytest.fixture
def scratch_database(tmp_path, vendor):
    """A DATABASE_URL for a new, empty database of the suite's kind; dropped afterwards."""
    if vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'stress.sqlite3'}"
        return
    if vendor != "postgresql":
        pytest.skip(f"no scratch database recipe for {vendor}")
    import psycopg

    db = settings.DATABASES["default"]
    name = f"archive_stress_{uuid.uuid4().hex[:8]}"
    params = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_saves_succeed_during_heavy_search_traffic_and_simultaneous_saves_conflict(scratch_database, vendor):
    env = {**os.environ, "DATABASE_URL": scratch_database, "DJANGO_SETTINGS_MODULE": "config.settings", "READERS": "4"}
    root = Path(settings.BASE_DIR)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-4000:]
    result = json.loads(lines[-1][len("RESULT "):])
    print(json.dumps(result, ensure_ascii=False))
    assert result["vendor"] == connection.vendor
    assert result["reader_errors"] == []
    assert [s["status"] for s in result["saves"]] == [302] * 5
    assert max(s["seconds"] for s in result["saves"]) < 10
    assert result["searches_during_saves"] >= 20, "the readers did not keep searching"
    assert result["marker_on_page"] and result["marker_found"]
    # Exactly one of the two simultaneous saves went through; the other got the conflict page.
    statuses = sorted(tuple(o) for o in result["simultaneous"])
    assert statuses == [(200, True), (302, False)], result["simultaneous"]
    assert result["subtitle"] in {"同时保存0", "同时保存1"}
