"""Production settings, on real responses: the settings module with DEBUG=0 and the required
variables set, served by gunicorn behind an (emulated) TLS-terminating proxy. Deployment checks
pass; every page carries HSTS, a Content-Security-Policy, X-Frame-Options DENY, a referrer policy
and nosniff; cookies are Secure and HttpOnly; no DEBUG page is ever shown; start-up stops with a
clear message when a required variable is missing; the admin is staff-only and its sign-in is
rate-limited (the login guard, tested from the outside), per client address behind the proxy.
The 500 and 503 pages are checked in-process with a URLconf that raises."""

import re
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import (  # noqa: E402
    EDITORS,
    PASSWORD,
    READER,
    ROOT,
    Server,
    gunicorn_available,
    production_env,
    record,
)

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow

PAGES = ["/", "/articles/", "/departments/", "/initiatives/", "/years/", "/search/?q=%E6%94%B9%E9%9D%A9",
         "/api/search?q=%E6%94%B9%E9%9D%A9", "/feed/", "/articles.csv", "/articles.json", "/admin/login/"]


def test_check_deploy_passes_with_production_settings(static_root):
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=production_env("sqlite:///:memory:", static_root), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize("missing, message", [("SECRET_KEY", "set SECRET_KEY"), ("ALLOWED_HOSTS", "set ALLOWED_HOSTS")])
def test_the_server_refuses_to_start_without_a_required_variable(missing, message, static_root, tmp_path):
    gunicorn_available()
    server = Server("sqlite:///:memory:", static_root, tmp_path / "gunicorn.log", workers=1, threads=1)
    del server.env[missing]
    server.start(wait=False)
    try:
        server.process.wait(timeout=60)
    finally:
        server.stop()
    assert server.process.returncode != 0
    assert "ImproperlyConfigured" in server.log() and message in server.log()


def article_path(client) -> str:
    return re.search(r'href="(/articles/[^"/]+/)"', client.get("/").text).group(1)


def test_plain_http_is_redirected_to_https(production_server):
    reply = production_server.client(https=False).get("/articles/")
    assert reply.status == 301
    assert reply.header("Location") == f"https://127.0.0.1:{production_server.port}/articles/"


def test_every_page_carries_the_security_headers(production_server):
    client = production_server.client()
    for page in PAGES + [article_path(client)]:
        reply = client.get(page)
        record("production settings: responses checked for headers")
        assert reply.status == 200, (page, reply.status, reply.text[:300])
        assert reply.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload", page
        assert reply.header("X-Frame-Options") == "DENY", page
        assert reply.header("Referrer-Policy") == "same-origin", page
        assert reply.header("X-Content-Type-Options") == "nosniff", page
        assert reply.header("Cross-Origin-Opener-Policy") == "same-origin", page
        policy = dict(d.strip().split(" ", 1) for d in reply.header("Content-Security-Policy").split(";"))
        assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'", page
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'", page
        assert "unsafe-inline" not in policy["style-src"] or page.startswith("/admin/"), page


def test_static_files_are_served_from_the_hashed_manifest(production_server):
    client = production_server.client()
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', client.get("/").text)
    assert css, "DEBUG=0 links the hashed file of the manifest"
    reply = client.get(css.group(1))
    assert reply.status == 200 and b"--accent" in reply.body
    assert "max-age=315360000" in reply.header("Cache-Control")


def test_no_debug_page_is_ever_shown(production_server):
    client = production_server.client()
    missing = client.get("/no-such-page/")
    assert missing.status == 404 and "没有找到这个页面" in missing.text
    wrong_host = client.get("/", headers={"Host": "evil.example.org"})
    assert wrong_host.status == 400
    for reply in (missing, wrong_host):
        for leak in ("Traceback", "DEBUG = True", "Django tried these URL patterns", "DisallowedHost", "settings.py"):
            assert leak not in reply.text


def test_cookies_are_secure_httponly_and_same_site(production_server):
    client = production_server.client()
    assert client.sign_in(EDITORS[0]).status == 302
    cookies = {header.split("=", 1)[0]: header for header in client.set_cookie_headers}
    assert {"csrftoken", "sessionid"} <= set(cookies)
    for name, header in cookies.items():
        assert "Secure" in header and "SameSite=Lax" in header, header
    assert "HttpOnly" in cookies["sessionid"]


def test_the_admin_is_for_signed_in_staff_only(production_server):
    anonymous = production_server.client()
    reply = anonymous.get("/admin/archive/article/")
    assert reply.status == 302 and reply.header("Location").startswith("/admin/login/")

    reader = production_server.client()
    refused = reader.sign_in(READER)
    assert refused.status == 200 and "errornote" in refused.text
    assert reader.get("/admin/").status == 302

    editor = production_server.client()
    assert editor.sign_in(EDITORS[1]).status == 302
    assert editor.get("/admin/archive/article/").status == 200


def test_admin_sign_in_is_rate_limited(production_server):
    client = production_server.client()
    account = EDITORS[-1]
    for attempt in range(5):
        reply = client.sign_in(account, "wrong-password")
        assert reply.status == 200 and "errornote" in reply.text
    # The right password is refused too while the account is locked out from this address.
    locked = client.sign_in(account, PASSWORD)
    assert locked.status == 200 and "登录失败次数过多" in locked.text
    assert client.get("/admin/").status == 302
    # Another account from the same address is not locked by these five failures.
    assert production_server.client().sign_in(EDITORS[2]).status == 302


def test_behind_the_proxy_the_lock_out_is_per_client_not_per_proxy(production_server):
    account = EDITORS[3]
    attacker = production_server.client(client_address="203.0.113.7")
    for attempt in range(5):
        assert "errornote" in attacker.sign_in(account, "wrong-password").text
    assert "登录失败次数过多" in attacker.sign_in(account, PASSWORD).text
    # A header the attacker adds in front of the proxy's entry is not believed.
    spoofing = production_server.client(client_address="198.51.100.9, 203.0.113.7")
    assert "登录失败次数过多" in spoofing.sign_in(account, PASSWORD).text
    # The editor at another address signs in: the proxy's own address was never locked.
    assert production_server.client(client_address="198.51.100.9").sign_in(account).status == 302


def raise_an_error(request):
    raise ZeroDivisionError("a bug")


def raise_database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


urlpatterns = [path("bug/", raise_an_error), path("down/", raise_database_down), path("api/down", raise_database_down)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_the_plain_500_page_without_a_trace(client):
    client.raise_request_exception = False
    reply = client.get("/bug/")
    assert reply.status_code == 500
    assert "页面出错了" in reply.content.decode()
    assert "Traceback" not in reply.content.decode() and "ZeroDivisionError" not in reply.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_lost_database_shows_the_503_page_and_logs_it(client, caplog):
    # No django_db mark: rendering the page would fail if it touched the database.
    page = client.get("/down/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "档案暂时无法访问" in page.content.decode() and "Connection refused" not in page.content.decode()
    assert "default-src 'self'" in page["Content-Security-Policy"]
    api = client.get("/api/down")
    assert api.status_code == 503 and api.json() == {"error": "数据库暂时无法访问，请稍后再试。"}
    assert any("database unavailable" in r.getMessage() and "Connection refused" in r.getMessage() for r in caplog.records)
