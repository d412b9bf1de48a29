"""Read replicas, against a real hot-standby streaming replica of the suite's PostgreSQL server.

The suite starts the replica itself (bench/replica.py: pg_basebackup -R -X stream into a temp
directory, a second postgres on its own port) and runs gunicorn (DEBUG=0) with
DATABASE_REPLICA_URLS pointing at it. Replay on the replica is paused to make it lag on purpose:
what a request then shows tells which database served it.

- a public read is served by the replica (it does not see a write that is not replayed yet);
- an editor's save shows on their next pages while replay is paused (read-your-writes), and
  their pages come from the replica again once it has replayed the save;
- a replica lagging beyond REPLICA_MAX_LAG_SECONDS, or stopped, is skipped: reads come from the
  primary, with no error, and a log line says so;
- /healthz reports the database, each replica's lag and use, and the search index.
"""

import json
import os
import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.test import Client

pytest.register_assert_rewrite("tests.live_app")
from tests.archive.conftest import form_data  # noqa: E402
from tests.live_app import (  # noqa: E402
    EDITORS,
    Server,
    gunicorn_available,
    pg_url,
    query,
    record,
    suite_vendor,
    wait_until,
)

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

REPLICA_PORTS = range(55433, 55440)
IN_CI = os.environ.get("CI", "").lower() == "true"


# Decided at collection, so that the SQLite pass does not seed a database for tests it skips.
postgresql_only = pytest.mark.skipif(suite_vendor() != "postgresql",
                                     reason="read replicas are PostgreSQL hot standbys: this is the SQLite pass")


def cannot_run(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true expects the replica tests to run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def replica(module_database):
    from bench import replica as replicas

    reason = replicas.tools_available()
    if reason:
        cannot_run(reason)
    primary = pg_url("postgres")
    try:
        allowed = replicas.replication_allowed(replicas._primary_params(primary))
    except Exception as exc:
        cannot_run(f"cannot ask the PostgreSQL server whether it allows replication: {exc}")
    if not allowed:
        cannot_run("pg_hba.conf refuses replication connections on 127.0.0.1 (.ci/run adds the line)")
    started, last_error = None, None
    for port in REPLICA_PORTS:
        try:
            started = replicas.start_replica(port, primary=primary)
            break
        except replicas.ReplicaError as exc:  # the port taken, most likely: the next one
            last_error = exc
    if started is None:
        pytest.fail(f"no streaming replica could be started: {last_error}")
    started.catch_up()
    record("replicas: streaming replicas started")
    yield started
    started.stop()


def server_on(module_database, replica, static_root, tmp_path_factory, name, **env) -> Server:
    gunicorn_available()
    return Server(module_database.url, static_root, tmp_path_factory.mktemp(name) / "gunicorn.log", workers=1,
                  threads=2, DATABASE_REPLICA_URLS=replica.url(module_database.name), REPLICA_CHECK_SECONDS=0.2,
                  REPLICA_RETRY_SECONDS=0.5, **env).start()


@pytest.fixture(scope="module")
def server(module_database, replica, static_root, tmp_path_factory):
    """Replicas allowed to lag 30 s: a paused replica stays in use."""
    server = server_on(module_database, replica, static_root, tmp_path_factory, "patient", REPLICA_MAX_LAG_SECONDS=30)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def article(server):
    found = json.loads(server.client().get("/articles.json").body)["results"][0]
    return {"id": found["id"], "path": urlsplit(found["url"]).path}


@pytest.fixture
def paused(replica, module_database):
    """Replay paused on the replica, right after it replayed a fresh commit (so the lag it shows is
    the time since the pause); resumed and caught up afterwards, whatever the test did."""
    query(module_database, "SELECT txid_current()")  # a commit: the replica's last replayed one is now
    replica.catch_up()
    replica.pause_replay()
    yield replica
    replica.resume_replay()
    replica.catch_up()


def execute(database, sql: str, params=()) -> None:
    import psycopg

    with psycopg.connect(database.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql, params)


def retitle(database, article_id: int) -> str:
    """Change an article's title on the primary, as another editor's save would; the new title."""
    title = f"副本校验标题{uuid.uuid4().hex[:8]}"
    execute(database, "UPDATE archive_article SET title = %s WHERE id = %s", (title, article_id))
    return title


def healthz(server) -> dict:
    reply = server.client().get("/healthz")
    assert reply.header("Content-Type") == "application/json"
    assert "no-store" in (reply.header("Cache-Control") or "")
    return {**json.loads(reply.body), "http_status": reply.status}


@postgresql_only
def test_a_public_read_is_served_by_the_replica(server, module_database, article, paused):
    reader = server.client()
    before = reader.get(article["path"])
    assert before.status == 200
    title = retitle(module_database, article["id"])
    # Replay is paused: the replica has not got the new title, and the anonymous reader reads it.
    for _ in range(5):
        page = reader.get(article["path"])
        assert page.status == 200 and title not in page.text
    record("replicas: public reads from the replica", 5)
    paused.resume_replay()
    paused.catch_up()
    assert wait_until(lambda: title in reader.get(article["path"]).text, timeout=5)


@postgresql_only
def test_an_editors_save_shows_on_their_next_page_while_the_replica_lags_then_reads_return_to_it(
        server, module_database, article, replica):
    editor, reader = server.client(), server.client()
    assert editor.sign_in(EDITORS[0]).status == 302
    change = f"/admin/archive/article/{article['id']}/change/"
    query(module_database, "SELECT txid_current()")
    replica.catch_up()
    replica.pause_replay()
    try:
        marker = f"读己之写校验{uuid.uuid4().hex[:6]}"
        data = form_data(editor.get(change).text, "article_form")
        key = next(k for k in sorted(data) if k.startswith("sections-") and k.endswith("-body"))
        data[key] += f"\n{marker}。"
        saved = editor.post(change, data)
        assert saved.status == 302, (saved.status, saved.text[:300])
        assert "replica_lsn" in editor.cookies  # the primary's WAL position after the save
        # The editor's next pages come from the primary: the edit is there, though not replayed.
        for _ in range(3):
            assert marker in editor.get(article["path"]).text
        # The same page for a reader comes from the replica, which has not replayed the save yet.
        assert marker not in reader.get(article["path"]).text
        # Search reads the primary for everyone (its live index is one view per process).
        found = json.loads(editor.get("/api/search", {"q": marker}).body)
        assert [r["article"]["id"] for r in found["results"]] == [article["id"]]
        record("replicas: editor pages from the primary while the replica lagged", 4)
    finally:
        replica.resume_replay()
    replica.catch_up()
    # Once the replica has replayed the save, the editor's pages come from it again.
    assert wait_until(lambda: editor.get(article["path"]).status == 200 and "replica_lsn" not in editor.cookies,
                      timeout=10), "the editor's reads never went back to the replica"
    assert marker in reader.get(article["path"]).text
    query(module_database, "SELECT txid_current()")
    replica.catch_up()
    replica.pause_replay()
    try:
        title = retitle(module_database, article["id"])
        assert title not in editor.get(article["path"]).text  # served by the (paused) replica
    finally:
        replica.resume_replay()
        replica.catch_up()


@postgresql_only
def test_a_replica_lagging_beyond_the_bound_is_skipped_and_logged(module_database, replica, static_root,
                                                                  tmp_path_factory, article):
    strict = server_on(module_database, replica, static_root, tmp_path_factory, "strict", REPLICA_MAX_LAG_SECONDS=1)
    try:
        reader = strict.client()
        query(module_database, "SELECT txid_current()")
        replica.catch_up()
        assert healthz(strict)["replicas"][0]["in_use"] is True
        replica.pause_replay()
        try:
            title = retitle(module_database, article["id"])
            time.sleep(1.6)  # past the 1 s bound
            page = reader.get(article["path"])
            assert page.status == 200 and title in page.text  # from the primary
            state = healthz(strict)["replicas"][0]
            assert state["in_use"] is False and state["lag_seconds"] > 1 and state["lag_bytes"] > 0
            assert "lags" in state["reason"]
        finally:
            replica.resume_replay()
        replica.catch_up()
        assert wait_until(lambda: healthz(strict)["replicas"][0]["in_use"], timeout=10)
        log = strict.log()
        assert re.search(r"replica replica_1 \(127\.0\.0\.1:\d+\) skipped, reads go to the primary: lags", log), log[-2000:]
        assert "replica_1" in log and "back in use" in log
        record("replicas: lagging replica skipped")
    finally:
        strict.stop()


@postgresql_only
def test_healthz_reports_the_database_the_replica_lag_and_the_index(server, module_database, replica, paused):
    state = healthz(server)
    assert state["http_status"] == 200 and state["status"] == "ok" and state["database"]["reachable"] is True
    (first,) = state["replicas"]
    assert first["alias"] == "replica_1" and first["port"] == replica.port
    assert first["reachable"] and first["standby"] and first["replay_paused"]
    assert first["in_use"] is True and state["reads_from_replica"] is True
    # A write not replayed yet: bytes behind, and seconds since the replica last caught up.
    query(module_database, "SELECT txid_current()")
    behind = healthz(server)["replicas"][0]
    assert behind["lag_bytes"] > 0 and behind["lag_seconds"] > 0, behind
    paused.resume_replay()
    paused.catch_up()
    caught_up = healthz(server)["replicas"][0]
    # (other databases of the shared server keep writing: a few bytes behind now and then)
    assert caught_up["lag_seconds"] < 5 and caught_up["in_use"] and not caught_up["replay_paused"]
    # The index: the change log's newest id, and the last this process applied (after a search).
    server.client().get("/api/search", {"q": "改革"})
    index = healthz(server)["search_index"]
    latest = query(module_database, "SELECT max(id) FROM search_indexchange")[0][0] or 0
    assert index["latest_change"] == latest and index["applied_change"] == latest
    assert index["stale"] is False and index["built_at"]


@postgresql_only
def test_a_stopped_replica_sends_reads_to_the_primary_without_errors(server, module_database, replica, article):
    reader = server.client()
    pages = ["/", article["path"], "/articles/", "/departments/", "/search/?q=%E6%94%B9%E9%9D%A9"]
    replica.stop_server("immediate")
    try:
        title = retitle(module_database, article["id"])  # only the primary has it now
        for _ in range(3):
            for path in pages:
                reply = reader.get(path)
                assert reply.status == 200, (path, reply.status, reply.text[:300])
        assert title in reader.get(article["path"]).text
        state = healthz(server)
        assert state["http_status"] == 200 and state["replicas"][0]["reachable"] is False
        assert state["replicas"][0]["in_use"] is False and state["reads_from_replica"] is False
        log = server.log()
        assert re.search(r"replica replica_1 .*(skipped, reads go to the primary: unreachable|failed during a "
                         r"request, served from the primary)", log), log[-2000:]
        assert "Traceback" not in log
        record("replicas: reads served while the replica was down", 3 * len(pages))
    finally:
        replica.start_server()
    replica.catch_up()
    assert wait_until(lambda: healthz(server)["replicas"][0]["in_use"], timeout=15)


@postgresql_only
def test_healthz_answers_503_when_the_primary_is_unreachable(static_root, tmp_path):
    gunicorn_available()
    # Nothing listens on this port: the primary is down as far as the server can tell.
    down = Server(pg_url("nowhere", port=REPLICA_PORTS[-1]), static_root, tmp_path / "gunicorn.log", workers=1,
                  threads=1, DATABASE_CONNECT_TIMEOUT=2).start()
    try:
        reply = down.client().get("/healthz")
        assert reply.status == 503
        body = json.loads(reply.body)
        assert body["status"] == "unavailable" and body["database"]["reachable"] is False
    finally:
        down.stop()


@pytest.mark.django_db
def test_healthz_without_replicas_reports_the_database_and_index():
    """Both passes: no DATABASE_REPLICA_URLS, nothing routed, /healthz still answers."""
    from django.conf import settings

    assert not [alias for alias in settings.DATABASES if alias != "default"]
    reply = Client().get("/healthz")
    assert reply.status_code == 200
    body = reply.json()
    assert body["database"]["reachable"] is True and body["replicas"] == []
    assert body["reads_from_replica"] is False
    assert body["search_index"]["latest_change"] >= 0 and body["search_index"]["stale"] is False
