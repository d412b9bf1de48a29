"""Real-browser tests: Playwright for Python driving Debian's Chromium (never a downloaded
browser), against a live server holding the curated corpus. Screenshots go to
test-artifacts/screenshots/, named in the run's summary so they can be looked at."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_taken: list[Path] = []


def chromium_executable() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if not executable:
        pytest.skip("No Chromium installed: `apt-get install chromium fonts-noto-cjk` (.ci/run does it); browser tests skipped.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: `pip install -e .[test]`; browser tests skipped.")
    # Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def archive_server(live_server, django_db_blocker):
    """The live server with the corpus and index (a transactional test starts from an empty
    database, so the corpus is loaded again when it is missing)."""
    from archive.ingest.corpus import load_all
    from archive.models import Article
    from search.indexing import rebuild

    with django_db_blocker.unblock():
        if not Article.objects.exists():
            load_all(settings.FIXTURES_DIR)
            rebuild()
    return live_server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") writes test-artifacts/screenshots/name.png (full page)."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _taken.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter):
    if _taken:
        terminalreporter.write_line(f"screenshots ({len(_taken)}) in {SCREENSHOTS}: " + ", ".join(p.name for p in _taken))
