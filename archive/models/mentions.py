"""Where a named initiative is mentioned: found by the linker (archive/linking.py), never edited by hand."""

from django.db import models
from django.db.models import Q

from archive.models.catalogs import Initiative
from archive.models.reports import Section


class Mention(models.Model):
    """An initiative named in a section, as the linker found it (never edited by hand)."""

    initiative = models.ForeignKey(Initiative, verbose_name="改革举措", on_delete=models.CASCADE, related_name="mentions")
    section = models.ForeignKey(Section, verbose_name="段落", on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField("次数")
    offsets = models.JSONField("位置", default=list, help_text="[[字段, 起, 止], …]，字段为 heading 或 body")

    class Meta:
        verbose_name = "提及"
        verbose_name_plural = "提及"
        ordering = ["section", "initiative"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "section"], name="mention_unique"),
            models.CheckConstraint(condition=Q(count__gte=1), name="mention_count_positive"),
        ]
        indexes = [
            # Covering for an initiative's counts (per year, per section), and for the initiatives
            # named in given sections.
            models.Index(fields=["initiative", "section", "count"], name="mention_by_initiative"),
            models.Index(fields=["section", "initiative"], name="mention_by_section"),
        ]

    def __str__(self):
        return f"{self.initiative} @ {self.section}"
