"""Two app nodes on one database: nothing a reader or an editor depends on is kept per node.

Two gunicorn servers (separate processes on separate ports, DEBUG=0, as tests/live_app.py deploys
the archive) serve one database of the suite's kind — one PostgreSQL database, through psycopg's
connection pool (DATABASE_POOL=1), or one SQLite file — and share one Redis (REDIS_URL, a key
prefix of this run's own on a database number of the tests', emptied before and after). What an
editor saves on node A is found by search and shown on node B within a second; a session made on A
is valid on B, and a sign-out on B ends it on A; failed sign-ins are counted across both nodes; a
value cached by one node is read by the other through Redis. docs/scaling.md says why each holds.

Redis: TEST_REDIS_URL (default redis://127.0.0.1:6379/11); when nothing answers there, a private
redis-server is started if one is installed. Without either the module is skipped, and under
CI=true it fails instead.
"""

import json
import re
import time
import uuid
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("tests.live_app")
from archive.editorial.login_guard import MAX_PER_ACCOUNT  # noqa: E402
from tests.archive.conftest import form_data  # noqa: E402
from tests.live_app import EDITORS, PASSWORD, Server, gunicorn_available, record, suite_vendor  # noqa: E402
from tests.redis_server import redis_for_tests  # noqa: E402

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

PRIVATE_REDIS_PORT = 55459  # this module's own redis-server, when none answers at TEST_REDIS_URL
WITHIN = 1.0  # seconds: an edit on one node is searchable and shown on the other by then
LOCKED = "登录失败次数过多"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    yield from redis_for_tests(tmp_path_factory, PRIVATE_REDIS_PORT, "the app-node tests")


@pytest.fixture(scope="module")
def redis_prefix(redis_url):
    """This run's key prefix; its keys are removed before the nodes start and after they stop."""
    import redis

    prefix = f"test-nodes-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url)

    def empty():
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))  # and the "search" cache's prefix-search
        if keys:
            client.delete(*keys)

    empty()
    yield prefix
    empty()
    client.close()


@pytest.fixture(scope="module")
def nodes(module_database, static_root, redis_url, redis_prefix, tmp_path_factory):
    """Nodes A and B: one gunicorn each (1 process × 4 threads), same database, same Redis."""
    gunicorn_available()
    logs = tmp_path_factory.mktemp("nodes")
    env = dict(REDIS_URL=redis_url, CACHE_KEY_PREFIX=redis_prefix, DJANGO_SETTINGS_MODULE="tests.nodes_settings")
    if suite_vendor() == "postgresql":
        env.update(DATABASE_POOL="1", DATABASE_POOL_MIN_SIZE="2", DATABASE_POOL_MAX_SIZE="4")
    servers = [Server(module_database.url, static_root, logs / f"{name}.log", workers=1, threads=4, NODE_NAME=name,
                      **env) for name in ("A", "B")]
    try:
        for server in servers:
            server.start(wait=False)
        for server in servers:
            server.wait_ready()
        yield tuple(servers)
    finally:
        for server in servers:
            server.stop()


def _search_ids(client, q: str) -> list[int]:
    reply = client.get("/api/search", {"q": q})
    assert reply.status == 200, reply.text[:300]
    return [r["article"]["id"] for r in json.loads(reply.body)["results"]]


def test_an_edit_saved_on_one_node_is_found_and_shown_on_the_other_within_a_second(nodes):
    a, b = nodes
    editor, reader = a.client(), b.client()
    article = json.loads(reader.get("/articles.json").body)["results"][0]
    page = urlsplit(article["url"]).path
    marker = f"跨节点校验码{uuid.uuid4().int % 10**6:06d}"
    # Node B has its live index loaded and has answered this very query (nothing) before the save:
    # what it remembers must follow the change that node A writes.
    assert _search_ids(reader, marker) == []
    assert marker not in reader.get(page).text

    assert editor.sign_in(EDITORS[0]).status == 302
    url = f"/admin/archive/article/{article['id']}/change/"
    data = form_data(editor.get(url).text, "article_form")
    body = next(k for k in sorted(data) if k.startswith("sections-") and k.endswith("-body"))
    data[body] += f"\n{marker}。"
    saved = editor.post(url, data)
    assert saved.status == 302, saved.text[:500]
    acknowledged = time.monotonic()

    found = shown = None
    while time.monotonic() - acknowledged <= WITHIN:
        if found is None and _search_ids(reader, marker) == [article["id"]]:
            found = time.monotonic() - acknowledged
        if shown is None and marker in reader.get(page).text:
            shown = time.monotonic() - acknowledged
        if found is not None and shown is not None:
            break
        time.sleep(0.05)
    print(f"\n{suite_vendor()}: saved on node A; on node B found by search after "
          f"{found if found is None else round(found, 3)} s, on the article page after "
          f"{shown if shown is None else round(shown, 3)} s")
    record("app nodes: edits saved on one node, read on the other")
    assert found is not None, f"node B's search did not find {marker} within {WITHIN} s of the save on node A"
    assert shown is not None, f"node B's article page did not show {marker} within {WITHIN} s of the save on node A"


def test_a_session_made_on_one_node_is_valid_on_the_other(nodes):
    a, b = nodes
    on_a = a.client()
    assert on_a.sign_in(EDITORS[1]).status == 302
    on_b = b.client()
    on_b.cookies = dict(on_a.cookies)  # the same browser, sent to the other node by the balancer

    index = on_b.get("/admin/")
    assert index.status == 200, f"node B did not know node A's session: {index.status} {index.header('Location')}"
    assert EDITORS[1] in index.text

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', index.text).group(1)
    assert on_b.post("/admin/logout/", {"csrfmiddlewaretoken": token}).status == 200
    on_a.cookies = dict(on_b.cookies)
    after = on_a.get("/admin/")
    assert after.status == 302 and "/admin/login/" in after.header("Location"), "signed out on B, still in on A"


def test_failed_sign_ins_are_counted_across_nodes(nodes):
    a, b = nodes
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    account = EDITORS[2]
    # Wrong passwords alternately on A and B: neither node alone sees MAX_PER_ACCOUNT of them.
    for n in range(MAX_PER_ACCOUNT):
        reply = (a if n % 2 == 0 else b).client(client_address=address).sign_in(account, f"wrong-{n}")
        assert reply.status == 200 and LOCKED not in reply.text, f"attempt {n + 1} locked out too early"
    record("app nodes: wrong passwords spread over two nodes", MAX_PER_ACCOUNT)
    for server in (a, b):
        reply = server.client(client_address=address).sign_in(account, PASSWORD)
        assert reply.status == 200 and LOCKED in reply.text, (
            f"the right password on node {server.env['NODE_NAME']} was let in after {MAX_PER_ACCOUNT} failures "
            "counted across the two nodes")
    # Another address is not locked out by them.
    assert a.client(client_address="192.0.2.77").sign_in(account, PASSWORD).status == 302


def test_a_value_cached_by_one_node_is_read_by_the_other_through_redis(nodes, redis_url, redis_prefix):
    import redis

    a, b = nodes
    key, value = f"k{uuid.uuid4().hex[:10]}", f"节点A写入-{uuid.uuid4().hex[:6]}"
    written = json.loads(a.client().post(f"/_test/cache/{key}", {"value": value}).body)
    assert written["node"] == "A" and written["value"] == value
    read = json.loads(b.client().get(f"/_test/cache/{key}").body)
    assert read["node"] == "B" and read["pid"] != written["pid"]
    assert read["value"] == value, "node B does not see what node A cached"
    # It is Redis that holds it, under this run's prefix (Django's key: prefix:version:key).
    assert redis.Redis.from_url(redis_url).exists(f"{redis_prefix}:1:{key}") == 1


def test_on_postgresql_each_node_lends_requests_connections_from_a_pool_it_keeps(nodes, module_database):
    if suite_vendor() != "postgresql":
        pytest.skip("psycopg's connection pool is PostgreSQL's; SQLite opens its file per request")
    from concurrent.futures import ThreadPoolExecutor

    from tests.live_app import query, wait_until

    def backends() -> set[int]:
        return {pid for (pid,) in query(module_database, "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                        "AND pid <> pg_backend_pid()", (module_database.name,))}

    clients = [server.client() for server in nodes for _ in range(6)]
    with ThreadPoolExecutor(len(clients)) as pool:  # more requests at once than a node has connections
        replies = list(pool.map(lambda c: c.get("/api/search", {"q": "改革"}).status, clients))
    assert replies == [200] * len(clients)
    # Between the pools' sizes (2 to 4 a node), kept open while the nodes are idle ...
    kept = wait_until(lambda: (lambda pids: pids if 2 * 2 <= len(pids) <= 2 * 4 else None)(backends()), timeout=5)
    assert kept, f"{len(backends())} connections to the database, not 4 to 8 kept by two pools"
    # ... and lent again: more requests open no new connection.
    for client in clients[:4]:
        assert client.get("/").status == 200
    assert backends() <= kept, "requests opened connections of their own instead of the pool's"
    record("app nodes: connections kept by two pools", len(kept))


def test_with_the_pool_a_lost_database_gives_503_and_the_node_serves_again_when_it_is_back(
        module_database, static_root, tmp_path):
    if suite_vendor() != "postgresql":
        pytest.skip("psycopg's connection pool is PostgreSQL's (tests/test_faults.py takes SQLite's file away)")
    gunicorn_available()
    from tests.live_app import pg_params, pg_url, wait_until
    from tests.test_faults import Proxy

    outage = Proxy((pg_params()["host"], pg_params()["port"])).start()
    server = Server(pg_url(module_database.name, port=outage.port), static_root, tmp_path / "gunicorn.log", workers=1,
                    threads=2, DATABASE_POOL="1", DATABASE_CONNECT_TIMEOUT="2")
    try:
        server.start()
        client = server.client()
        assert client.get("/departments/").status == 200  # the pool holds connections now
        outage.stop()  # every pooled connection is cut, and no new one can be made
        record("faults injected: database unavailable under the pool")
        started = time.monotonic()
        reply = client.get("/departments/")
        waited = time.monotonic() - started
        assert reply.status == 503 and "暂时无法访问" in reply.text, (reply.status, reply.text[:300])
        assert waited < 2 + 3, f"the 503 page took {waited:.1f} s with a 2-second connect timeout"
        outage.start()
        # The cut connections are never lent again (checked before each loan): the node recovers.
        assert wait_until(lambda: client.get("/departments/").status == 200, timeout=15)
        assert client.get("/api/search", {"q": "改革"}).status == 200
        print(f"\npool: 503 after {waited:.1f} s without the database, 200 again once it was back")
    finally:
        server.stop()
        outage.stop()
