"""`make run` serves the real site: scripts/serve.sh (what `make run` runs) started on a copy of
the archive, on a free port, and asked over plain HTTP as a browser on the office machine asks:
DEBUG off (a mistyped address gets the archive's own 404, not Django's debug page), static files
served by whitenoise from the collected manifest, a secret key made once and readable by its
owner only, sign-in working without HTTPS. And the start-up check that refuses DEBUG off
without collected static files (archive/checks.py)."""

import os
import re
import signal
import stat
import subprocess
import sys
import time

import pytest

pytest.register_assert_rewrite("tests.live_app")
from tests.live_app import (  # noqa: E402
    EDITORS,
    ROOT,
    HttpClient,
    child_env,
    free_port,
    gunicorn_available,
    production_env,
)

pytest_plugins = ["tests.live_app"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def make_run(module_database, tmp_path_factory):
    gunicorn_available()
    work = tmp_path_factory.mktemp("make-run")
    port = free_port()
    env = child_env(module_database.url, PY=sys.executable, PORT=port, STATIC_ROOT=work / "static",
                    SECRET_KEY_FILE=work / "secret_key", WORKERS=1, THREADS=2)
    log_path = work / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"scripts/serve.sh exited ({process.returncode}):\n{log_path.read_text()[-4000:]}")
            try:
                HttpClient(port, https=False).get("/robots.txt", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("scripts/serve.sh never answered:\n" + log_path.read_text()[-4000:])
                time.sleep(0.5)
        yield {"port": port, "work": work, "log": log_path}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_make_run_serves_gunicorn_over_plain_http(make_run):
    client = HttpClient(make_run["port"], https=False)
    home = client.get("/")
    assert home.status == 200 and "改革报道档案" in home.text  # no redirect to an HTTPS that is not there
    assert home.header("Strict-Transport-Security") is None
    assert "gunicorn" in make_run["log"].read_text()


def test_a_mistyped_address_gets_the_archives_own_404_not_the_debug_page(make_run):
    client = HttpClient(make_run["port"], https=False)
    home = client.get("/")
    missing = client.get("/artcles/no-such-report/")
    assert missing.status == 404
    for leak in ("Django tried these URL patterns", "Page not found", "DEBUG = True", "Traceback", "urls.py"):
        assert leak not in missing.text, leak
    # The archive's page: its own layout (the style sheet the home page uses), in Chinese.
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text).group(1)
    assert css in missing.text and '<html lang="zh-CN">' in missing.text


def test_static_files_are_collected_and_served_by_whitenoise(make_run):
    client = HttpClient(make_run["port"], https=False)
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', client.get("/").text)
    assert css, "DEBUG off links the hashed file of the manifest"
    reply = client.get(css.group(1))
    assert reply.status == 200 and b"--accent" in reply.body
    assert "max-age=315360000" in reply.header("Cache-Control")
    assert (make_run["work"] / "static" / "staticfiles.json").exists()


def test_the_secret_key_is_made_once_and_readable_by_its_owner_only(make_run):
    key_file = make_run["work"] / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


class PlainHttpClient(HttpClient):
    """A browser on http://127.0.0.1:PORT/, which sends that origin with its forms."""

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"


def test_an_editor_signs_in_without_https_and_other_host_names_are_refused(make_run):
    client = PlainHttpClient(make_run["port"], https=False)
    assert client.sign_in(EDITORS[0]).status == 302
    assert client.get("/admin/").status == 200
    assert all("Secure" not in header for header in client.set_cookie_headers)
    assert client.get("/", headers={"Host": "archive.example.org"}).status == 400


def check_deploy(static_root):
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                          env=production_env("sqlite:///:memory:", static_root), capture_output=True, text=True)


def test_check_deploy_fails_when_the_static_files_were_never_collected(tmp_path):
    done = check_deploy(tmp_path)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "archive.E001" in output and "collectstatic" in output and "静态文件" in output


def test_check_deploy_passes_the_static_check_once_collected(static_root):
    done = check_deploy(static_root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "archive.E001" not in done.stdout + done.stderr


def test_with_debug_on_the_static_check_says_nothing(settings, tmp_path):
    from archive.checks import static_manifest

    settings.DEBUG = True
    settings.STATIC_ROOT = tmp_path
    assert static_manifest() == []
