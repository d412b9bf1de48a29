"""Start-up checks of the archive app: which document formats this machine cannot read, and
what to install for them (the admin's import page says the same); with DEBUG off, that the static
files were collected."""

from pathlib import Path

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


@checks.register("archive")
def static_manifest(app_configs=None, **kwargs):
    """With DEBUG off every page links its static files through the manifest that collectstatic
    writes (whitenoise's CompressedManifestStaticFilesStorage): without it every page is a 500."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    return [
        checks.Error(
            f"没有找到静态文件清单 {manifest}：关闭调试模式（DEBUG=0）时，缺了它每个页面都会出错（500）。",
            hint="先运行 python manage.py collectstatic --noinput 收集静态文件（make run 会自动运行）。",
            id="archive.E001",
        )
    ]
