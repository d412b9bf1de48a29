from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "档案"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive import checks, signals  # noqa: F401  (start-up checks; the linker on saves)
        from archive.editorial import admin  # noqa: F401  (registers the admins, which live with the editors' desk)
