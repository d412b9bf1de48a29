"""The article page's machine-readable citation in Chromium: the JSON-LD data block passes the
Content-Security-Policy without a violation report and parses; the reference links download
files the browser saves under their names."""

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


def test_article_json_ld_is_read_under_the_csp_and_references_download(archive_server, page):
    page.add_init_script(LISTEN)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(archive_server.url + "/articles/2022-zhuzhou-gongxinju-reply-1022/")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == [] and console == []
    data = json.loads(page.evaluate("document.querySelector('script[type=\"application/ld+json\"]').textContent"))
    assert data["@type"] == "Report" and data["author"][0]["name"] == "株洲市工业和信息化局"
    authors = page.evaluate("[...document.querySelectorAll('meta[name=citation_author]')].map(m => m.content)")
    assert authors == ["株洲市工业和信息化局"]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="RIS", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "2022-zhuzhou-gongxinju-reply-1022.ris"
    assert "AU  - 株洲市工业和信息化局" in Path(download.path()).read_text(encoding="utf-8")
