"""The two groups of the editorial desk (README "Editor accounts").

- editor: edits every kind of content in the admin (articles and sections, catalogs of
  departments, initiatives, people, sources, series, the search's synonym groups), publishes, imports raw files, reads and
  restores history. Cannot see or change user accounts, groups, sign-in lock-outs or the search
  index (those are the superuser's). An editor account also needs "staff status" to sign in.
- reader: no permissions at all; a reader account (not staff) cannot enter the admin.

sync_roles() is idempotent: a data migration runs it on every new database and
`manage.py setup_roles` runs it again after a model is added. Run from a migration, it grants what
the models of that point of the migrations allow; the migration that adds a model runs it again.
"""

from django.apps import apps as global_apps

EDITOR = "editor"
READER = "reader"

# Content the editor group may add, change, delete and view.
EDITABLE = [
    "article", "section", "caption", "authorship", "articledepartment", "department", "initiative", "person", "source",
    "series", "synonym",
]
# Content the editor group may only view (the importer and the linker write these).
VIEW_ONLY = ["rawdocument", "mention"]
EXTRA = ["publish_article"]


def editor_codenames(apps=None) -> set[str]:
    """The editor's permissions; with a migration's `apps`, only those of the models it has."""

    def present(model):
        if apps is None:
            return True
        try:
            apps.get_model("archive", model)
        except LookupError:
            return False
        return True

    editable = [m for m in EDITABLE if present(m)]
    names = {f"{action}_{model}" for model in editable for action in ("add", "change", "delete", "view")}
    names |= {f"view_{model}" for model in VIEW_ONLY if present(model)}
    names |= {f"view_historical{model}" for model in editable + ["rawdocument"]}
    return names | set(EXTRA)


def sync_roles(apps=global_apps) -> dict[str, int]:
    """Create or update the groups; returns {group name: number of permissions}."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = editor_codenames(None if apps is global_apps else apps)
    permissions = list(Permission.objects.filter(content_type__app_label="archive", codename__in=wanted))
    missing = wanted - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not in the database yet: {sorted(missing)} (run migrate first)")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(permissions)
    reader, _ = Group.objects.get_or_create(name=READER)
    reader.permissions.clear()
    return {EDITOR: len(permissions), READER: 0}
