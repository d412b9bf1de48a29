"""The Content-Security-Policy in Chromium: the main public pages and the admin load with no
violation reported (console or securitypolicyviolation event) and still work — styles applied,
the admin's scripts running — while an inline script that finds its way into a page is refused."""

import re

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PASSWORD = "csp-Desk-密码-2024"
# Runs before any page script, through the DevTools protocol, so the policy does not apply to it.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation it reports collected in page.violations."""
    page.violations = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: page.violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: page.violations.append(f"page error: {e}"))
    return page


def visit(page, url: str, status: int = 200) -> str:
    response = page.goto(url)
    assert response.status == status, url
    page.wait_for_load_state("load")
    violations = page.violations + page.evaluate("window.__csp")
    assert violations == [], (url, violations)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    return policy


def test_public_pages_have_no_csp_violation_keep_their_styles_and_refuse_inline_script(archive_server, watched):
    from archive.models import Article, Department, Initiative

    url = archive_server.url
    article = Article.objects.published().order_by("pk").first()
    pages = [
        "/", "/articles/", article.get_absolute_url(), f"{article.get_absolute_url()}?hl=改革",
        f"{article.get_absolute_url()}original/", "/departments/", Department.objects.order_by("pk").first().get_absolute_url(),
        "/initiatives/", Initiative.objects.order_by("pk").first().get_absolute_url(), "/years/", "/series/", "/people/",
        "/kinds/", "/sources/", "/search/?q=改革", "/search/?q=园区&year=2024", "/no-such-page/",
    ]
    for path in pages:
        policy = visit(watched, url + path, 404 if path == "/no-such-page/" else 200)
        assert "style-src 'self'" in policy and "unsafe-inline" not in policy, path
        # The stylesheet applied: the header has its red rule.
        assert watched.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"

    # A search still works from the box.
    watched.goto(url + "/")
    watched.locator("input[name=q]").first.fill("二分法")
    watched.locator("input[name=q]").first.press("Enter")
    watched.wait_for_url(re.compile(r"/search/\?q="))
    assert watched.locator(".hit").count() > 0

    # An inline script that found its way into a page is refused.
    watched.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
                              document.body.appendChild(s); }""")
    assert watched.evaluate("window.__ran") is None
    assert any("script-src" in v for v in watched.evaluate("window.__csp"))


@pytest.fixture
def superuser(archive_server):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("csp-admin", "csp@example.org", PASSWORD)


def test_the_admin_has_no_csp_violation_and_its_scripts_run(archive_server, superuser, watched):
    from archive.models import Article, Department

    url = archive_server.url
    watched.goto(url + "/admin/login/")
    watched.fill("#id_username", "csp-admin")
    watched.fill("#id_password", PASSWORD)
    watched.click("input[type=submit]")
    watched.wait_for_url(re.compile(r"/admin/$"))
    article = next(a for a in Article.objects.published().order_by("pk") if a.sections.count() >= 2)
    department = Department.objects.order_by("pk").first()
    pages = [
        "/admin/", "/admin/archive/article/", f"/admin/archive/article/{article.pk}/change/", "/admin/archive/article/add/",
        f"/admin/archive/article/{article.pk}/history/", f"/admin/archive/article/{article.pk}/preview/",
        "/admin/archive/department/",
        f"/admin/archive/department/{department.pk}/change/", "/admin/archive/initiative/add/", "/admin/auth/user/",
        f"/admin/auth/user/{superuser.pk}/change/",
    ]
    for path in pages:
        visit(watched, url + path)
    # The admin's own scripts ran: the change form's inline formset added its "add another" row,
    # and the section order buttons are there.
    watched.goto(f"{url}/admin/archive/article/{article.pk}/change/")
    assert watched.locator("#sections-group .add-row a").count() == 1
    assert watched.locator("#sections-0 .section-move").count() == 2
    watched.locator("#sections-0 .section-move", has_text="下移").click()
    assert watched.locator("#sections-0 input.section-order").input_value() == "2"
    assert watched.violations + watched.evaluate("window.__csp") == []
