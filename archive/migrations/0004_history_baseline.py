"""A first history row ("+") for every object that existed before history was recorded, so that
the state before an editor's first change can be compared and restored."""

import uuid

from django.db import migrations
from django.utils import timezone

TRACKED = ["Department", "Person", "Source", "Series", "RawDocument", "Article", "Authorship",
           "ArticleDepartment", "Section", "Caption", "Initiative"]


def baseline(apps, schema_editor):
    now = timezone.now()
    batch = uuid.uuid4().hex
    for name in TRACKED:
        model = apps.get_model("archive", name)
        historical = apps.get_model("archive", f"Historical{name}")
        recorded = set(historical.objects.values_list("id", flat=True).distinct())
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = []
        for obj in model.objects.exclude(pk__in=recorded).order_by("pk").iterator():
            row = historical(
                history_date=now, history_type="+", history_change_reason="建立历史基线", batch=batch,
                **{attname: getattr(obj, attname) for attname in fields},
            )
            rows.append(row)
        historical.objects.bulk_create(rows, batch_size=500)
        if name == "Initiative":
            through = apps.get_model("archive", "HistoricalInitiative_lead_departments")
            links = model.lead_departments.through.objects.all()
            by_initiative = {}
            for link in links:
                by_initiative.setdefault(link.initiative_id, []).append((link.id, link.department_id))
            m2m = []
            for row in historical.objects.filter(batch=batch):
                for link_id, department_id in by_initiative.get(row.id, []):
                    m2m.append(
                        through(id=link_id, history_id=row.history_id, initiative_id=row.id, department_id=department_id)
                    )
            through.objects.bulk_create(m2m, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_history_version_login_guard")]
    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
