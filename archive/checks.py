"""Start-up checks of the archive app: which document formats this machine cannot read, and
what to install for them (the admin's import page says the same)."""

from django.core import checks


@checks.register("archive")
def import_formats(app_configs=None, **kwargs):
    from archive.ingest.formats import capabilities

    # Numbered by the format's place in the list, so each format keeps its id.
    missing = [(number, c) for number, c in enumerate(capabilities(), 1) if not c["available"]]
    return [
        checks.Info(
            f"本机不能导入{c['label']}。",
            hint=c["missing"],
            id=f"archive.I{number:03d}",
        )
        for number, c in missing
    ]
