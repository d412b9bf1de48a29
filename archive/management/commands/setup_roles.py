"""Create or update the editor and reader groups (archive/editorial/roles.py); safe to run again.

A migration already does this on every new database; run it after adding a model to the archive
so that the editor group gets its permissions too.
"""

from django.core.management.base import BaseCommand

from archive.editorial.roles import sync_roles


class Command(BaseCommand):
    help = "创建或更新“编辑”（editor）和“读者”（reader）两个用户组及其权限。"

    def handle(self, *args, verbosity, **options):
        counts = sync_roles()
        if verbosity:
            self.stdout.write(self.style.SUCCESS("，".join(f"{name}：{n} 项权限" for name, n in counts.items())))
