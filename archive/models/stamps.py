"""What every history table records beside the row: who made the change and in which revision (archive/history/revisions.py fills them)."""

from django.db import models
from simple_history.models import HistoricalRecords

from archive.history import revisions  # noqa: F401  (stamps every history row with its revision)


class HistoryStamp(models.Model):
    """Extra columns of every history table (archive/history/revisions.py fills them)."""

    history_username = models.CharField("操作人账号", max_length=150, blank=True)
    batch = models.CharField("修订批次", max_length=32, blank=True, db_index=True)

    class Meta:
        abstract = True


def tracked(name: str, **options) -> HistoricalRecords:
    return HistoricalRecords(bases=[HistoryStamp], verbose_name=f"{name}历史", verbose_name_plural=f"{name}历史", **options)
