"""Fixtures for driving the admin as editors do: accounts in the editor and reader groups, signed-in
clients, and form_data(), which reads a rendered admin form back into the POST a browser would
send (hidden fields, inline management forms and all)."""

from html.parser import HTMLParser

import pytest

PASSWORD = "desk-Passw0rd-长一点"


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.depth = 0
        self.data: list[tuple[str, str]] = []
        self._textarea = None
        self._select = None
        self._select_multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if self.form_id is not None and a.get("id") == self.form_id:
                self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._select_multiple, self._options = name, "multiple" in a, []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside and self.form_id is not None:
            self.inside = False
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the one newline that follows <textarea>.
            self.data.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        if tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((text.strip() if value is None else value, selected))
            self._option = None
        if tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s]
            if not chosen and not self._select_multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self.data.append((self._select, value))
            self._select = None


def form_data(response, form_id: str | None = None) -> dict:
    """The POST data of the form (by id; the first form when None) as a browser would submit it
    unchanged. Values are strings; a field given twice keeps the last value."""
    html = response.content.decode() if hasattr(response, "content") else response
    parser = _FormParser(form_id)
    parser.feed(html)
    return dict(parser.data)


@pytest.fixture
def roles(db):
    from archive.editorial.roles import sync_roles

    sync_roles()


@pytest.fixture
def make_user(db, roles):
    from django.contrib.auth.models import Group, User

    def make(username="editor1", group="editor", staff=True, superuser=False):
        user = User.objects.create_user(username=username, password=PASSWORD, is_staff=staff, is_superuser=superuser)
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("editor1")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def second_editor_client(make_user):
    from django.test import Client

    other = Client()
    other.force_login(make_user("editor2"))
    return other


@pytest.fixture
def published_article(db):
    """A published corpus article with at least three sections of two or more paragraphs in total."""
    from archive.models import Article

    for article in Article.objects.published().order_by("pk").prefetch_related("sections"):
        sections = list(article.sections.all())
        if len(sections) >= 3 and any(len(s.paragraphs) >= 2 for s in sections):
            return article
    raise AssertionError("the corpus has no article with three sections")
