"""The sign-in lock-out under simultaneous guesses, against gunicorn as deployed (2 workers ×
4 threads, DEBUG=0) on SQLite and PostgreSQL: 24 wrong passwords for one account, sent at the
same moment from one address, get exactly MAX_PER_ACCOUNT password checks, not one more
(archive/editorial/login_guard.py counts each attempt before its check, in a transaction where the
attempts from one address take turns). The checks are counted inside the server, by an
authentication backend that writes a line per check (tests/counted_checks.py).
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.register_assert_rewrite("tests.live_app")
from archive.editorial.login_guard import MAX_PER_ACCOUNT  # noqa: E402
from tests.live_app import EDITORS, PASSWORD, Server, gunicorn_available, record  # noqa: E402

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

GUESSES = 24


@pytest.fixture
def counting_server(module_database, static_root, tmp_path):
    gunicorn_available()
    checks = tmp_path / "password-checks.log"
    server = Server(module_database.url, static_root, tmp_path / "gunicorn.log", workers=2, threads=4,
                    DJANGO_SETTINGS_MODULE="tests.counted_checks_settings", PASSWORD_CHECK_LOG=checks).start()
    yield server, checks
    server.stop()


def test_simultaneous_wrong_passwords_get_no_more_checks_than_the_lock_out_allows(counting_server):
    server, checks = counting_server
    account, address = EDITORS[0], "203.0.113.24"
    clients = [server.client(client_address=address) for _ in range(GUESSES)]
    tokens = []
    for client in clients:  # each with its own session and CSRF token, as separate browsers
        page = client.get("/admin/login/")
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1))
    start = threading.Barrier(GUESSES)

    def guess(n):
        start.wait()
        return clients[n].post("/admin/login/?next=/admin/", {"csrfmiddlewaretoken": tokens[n], "username": account,
                                                             "password": f"wrong-{n}", "next": "/admin/"})

    began = time.monotonic()
    with ThreadPoolExecutor(GUESSES) as pool:
        replies = list(pool.map(guess, range(GUESSES)))
    seconds = time.monotonic() - began
    ran = checks.read_text().splitlines() if checks.exists() else []
    locked = sum("登录失败次数过多" in r.text for r in replies)
    print(f"\n{GUESSES} simultaneous wrong passwords: {len(ran)} password checks, {locked} refused as locked out, "
          f"in {seconds:.1f} s")
    record("sign-in race: simultaneous wrong passwords", GUESSES)
    record("sign-in race: password checks", len(ran))
    assert all(r.status == 200 and "errornote" in r.text for r in replies)
    assert len(ran) == MAX_PER_ACCOUNT, ran
    assert locked == GUESSES - MAX_PER_ACCOUNT

    # The account is locked from that address: the right password is refused without a check.
    assert "登录失败次数过多" in server.client(client_address=address).sign_in(account, PASSWORD).text
    assert len(checks.read_text().splitlines()) == MAX_PER_ACCOUNT
