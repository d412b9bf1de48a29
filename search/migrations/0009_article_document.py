"""The texts printed once per report (subtitle, 文号, bylines, departments, captions, series,
source), indexed once per report. Derived data: rebuild_index fills the table and moves subtitle
and 文号 out of each section's title field. Until it runs, the old section documents are dropped,
so that searches read every section instead (search.fallback, with a notice) rather than miss
what the new table will hold."""

import django.db.models.deletion
from django.db import migrations, models


def drop_section_documents(apps, schema_editor):
    apps.get_model("search", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0001_initial'),
        ('search', '0008_drop_index_generation'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArticleDocument',
            fields=[
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='archive.article')),
                ('canon', models.TextField(blank=True, help_text='every printed text as units, for exact matching')),
                ('title_canon', models.TextField(blank=True, help_text='title and subtitle, for title:')),
                ('author_canon', models.TextField(blank=True, help_text='bylines: names and positions, for author:')),
                ('dept_canon', models.TextField(blank=True, help_text='every name and alias of its departments, for dept:')),
                ('docno_canon', models.TextField(blank=True, help_text='文号, for docno:')),
                ('caption_canon', models.TextField(blank=True, help_text='captions, for caption:')),
                ('subtitle_words', models.TextField(blank=True)),
                ('docno_words', models.TextField(blank=True)),
                ('author_words', models.TextField(blank=True)),
                ('dept_words', models.TextField(blank=True)),
                ('caption_words', models.TextField(blank=True)),
                ('series_words', models.TextField(blank=True)),
                ('source_words', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': '检索文档（报道）',
                'verbose_name_plural': '检索文档（报道）',
            },
        ),
        migrations.RunPython(drop_section_documents, migrations.RunPython.noop),
    ]
