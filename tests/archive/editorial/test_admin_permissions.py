"""Who may do what at the editorial desk, and the sign-in lock-out against password guessing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.editorial import login_guard
from archive.models import Article, LoginFailure
from tests.archive.conftest import PASSWORD

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The lock-out tests sign in dozens of times; the real hasher's slowness is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(username, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return client, response


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Roles


def test_an_editor_edits_content_but_not_users_groups_or_lockouts(editor_client, published_article):
    assert editor_client.get(reverse("admin:archive_article_change", args=[published_article.pk])).status_code == 200
    for name in ["archive_initiative_changelist", "archive_department_changelist", "archive_person_add", "archive_article_import"]:
        assert editor_client.get(reverse(f"admin:{name}")).status_code == 200, name
    for name in ["auth_user_changelist", "auth_user_add", "auth_group_changelist", "archive_loginfailure_changelist"]:
        assert editor_client.get(reverse(f"admin:{name}")).status_code == 403, name
    index = editor_client.get("/admin/").content.decode()
    assert "报道/文献" in index and "/admin/auth/user/" not in index


def test_the_editor_group_holds_content_permissions_only(roles):
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="editor").permissions.values_list("content_type__app_label", flat=True))
    assert codenames == {"archive"}
    names = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"change_article", "delete_section", "publish_article", "change_initiative"} <= names
    assert not any("loginfailure" in n or n.endswith("_user") or n.endswith("_group") for n in names)
    assert not Group.objects.get(name="reader").permissions.exists()


def test_a_reader_cannot_enter_the_admin_even_with_the_right_password(make_user):
    make_user("reader1", group="reader", staff=False)
    client, response = sign_in("reader1", PASSWORD)
    assert response.status_code == 200  # the sign-in page again, with an error
    assert not signed_in(client)
    reader_client = Client()
    reader_client.force_login(User.objects.get(username="reader1"))
    assert reader_client.get("/admin/").status_code == 302
    assert reader_client.get(reverse("admin:archive_article_changelist")).status_code == 302


def test_anonymous_visitors_are_sent_to_the_sign_in_page(published_article):
    for url in [
        "/admin/",
        reverse("admin:archive_article_change", args=[published_article.pk]),
        reverse("admin:archive_article_history", args=[published_article.pk]),
        reverse("admin:archive_article_import"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_staff_without_the_publish_permission_cannot_publish(make_user, make_article):
    user = make_user("junior", group=None)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_article", "change_article", "change_section", "add_section", "view_section"]))
    client = Client()
    client.force_login(user)
    draft = make_article(title="无权发布", status=Article.Status.DRAFT)
    url = reverse("admin:archive_article_change", args=[draft.pk])
    from tests.archive.conftest import form_data

    data = form_data(client.get(url), "article_form")
    client.post(url, {**data, "_publish": "1"})
    draft.refresh_from_db()
    assert not draft.is_published
    changelist = client.get(reverse("admin:archive_article_changelist")).content.decode()
    assert 'value="publish_selected"' not in changelist and 'value="relink_selected"' in changelist


def test_restoring_needs_the_change_permission(make_user, published_article):
    user = make_user("viewer", group=None)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_article", "view_section"]))
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:archive_article_history", args=[published_article.pk])).status_code == 200
    restore = reverse("admin:archive_article_history_restore", args=[published_article.pk])
    assert client.post(restore, {"batch": ""}).status_code == 403


# ---------------------------------------------------------------------------------------------
# Lock-out


def test_the_right_password_works(editor):
    client, response = sign_in("editor1", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_repeated_failures_lock_the_account_even_against_the_right_password(editor):
    for _ in range(login_guard.MAX_PER_ACCOUNT):
        _, response = sign_in("editor1", "wrong-guess")
        assert "登录失败次数过多" not in response.content.decode()
    client, response = sign_in("editor1", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 200 and "登录失败次数过多" in page and "分钟后再试" in page
    assert not signed_in(client)


def test_a_lockout_holds_for_one_address_only(editor):
    for _ in range(login_guard.MAX_PER_ACCOUNT):
        sign_in("editor1", "wrong-guess", ip="10.0.0.1")
    client, _ = sign_in("editor1", PASSWORD, ip="10.0.0.2")
    assert signed_in(client)


def test_a_lockout_ends_after_the_window(editor):
    for _ in range(login_guard.MAX_PER_ACCOUNT):
        sign_in("editor1", "wrong-guess")
    LoginFailure.objects.update(at=timezone.now() - login_guard.WINDOW - timedelta(seconds=1))
    client, _ = sign_in("editor1", PASSWORD)
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_failures(editor):
    for _ in range(login_guard.MAX_PER_ACCOUNT - 1):
        sign_in("editor1", "wrong-guess")
    sign_in("editor1", PASSWORD)
    assert not LoginFailure.objects.filter(username="editor1").exists()
    for _ in range(login_guard.MAX_PER_ACCOUNT - 1):
        sign_in("editor1", "wrong-guess")
    client, _ = sign_in("editor1", PASSWORD)
    assert signed_in(client)


def test_guessing_many_account_names_from_one_address_locks_the_address(editor):
    for n in range(login_guard.MAX_PER_ADDRESS):
        sign_in(f"guess{n}", "wrong-guess", ip="10.9.9.9")
    client, response = sign_in("editor1", PASSWORD, ip="10.9.9.9")
    assert "登录失败次数过多" in response.content.decode()
    assert not signed_in(client)


def test_failures_are_counted_without_regard_to_case_or_spaces(editor):
    for name in ["Editor1", " editor1", "EDITOR1 ", "editor1", "eDitor1"]:
        sign_in(name, "wrong-guess")
    client, _ = sign_in("editor1", PASSWORD)
    assert not signed_in(client)


@pytest.mark.parametrize("count", [login_guard.MAX_PER_ACCOUNT - 1])
def test_fewer_failures_than_the_limit_do_not_lock(editor, count):
    for _ in range(count):
        sign_in("editor1", "wrong-guess")
    client, _ = sign_in("editor1", PASSWORD)
    assert signed_in(client)


@pytest.mark.parametrize("next_url", ["https://evil.example/admin/", "//evil.example/", "/\\evil.example", ""])
def test_a_sign_in_with_an_off_site_or_missing_next_lands_on_the_admin_index(editor, next_url):
    client = Client(REMOTE_ADDR="10.0.0.1")
    response = client.post(f"/admin/login/?next={next_url}",
                           {"username": "editor1", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_a_sign_in_with_an_empty_password_does_not_clear_the_failures(editor):
    # Otherwise four guesses, one empty password, four more guesses… would never lock.
    for _ in range(login_guard.MAX_PER_ACCOUNT - 1):
        sign_in("editor1", "wrong-guess")
    _, response = sign_in("editor1", "")
    assert response.status_code == 200
    sign_in("editor1", "wrong-guess")
    client, response = sign_in("editor1", PASSWORD)
    assert "登录失败次数过多" in response.content.decode() and not signed_in(client)


def test_behind_a_unix_socket_the_lock_out_counts_per_client_address(editor, settings):
    # gunicorn on a unix socket gives no peer address (REMOTE_ADDR ""); TRUSTED_PROXIES=unix
    # believes the address the proxy appended to X-Forwarded-For.
    settings.TRUSTED_PROXIES = ["unix"]

    def over_the_socket(forwarded_for, password):
        client = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=forwarded_for)
        return client, client.post(LOGIN, {"username": "editor1", "password": password, "next": "/admin/"})

    for _ in range(login_guard.MAX_PER_ACCOUNT):
        over_the_socket("203.0.113.5", "wrong-guess")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
    assert "登录失败次数过多" in over_the_socket("203.0.113.5", PASSWORD)[1].content.decode()
    # What a client wrote in front of the proxy's entry is not believed.
    assert "登录失败次数过多" in over_the_socket("198.51.100.1, 203.0.113.5", PASSWORD)[1].content.decode()
    client, _ = over_the_socket("198.51.100.1", PASSWORD)
    assert signed_in(client)
