"""Migration 0010 brings an archive loaded before the wording and date fixes to what the corpus now
says, changing only what the corpus wrote and never an editor's own words or dates."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps

from archive.models import Article, Department

migration = import_module("archive.migrations.0010_plain_notes_and_inferred_dates")
XINTIAN = migration.XINTIAN


@pytest.mark.django_db
def test_old_notes_are_rewritten_in_plain_chinese_and_the_editors_words_kept():
    article = Article.objects.get(slug="2024-zhuzhou-gaoke-erfenfa")
    edited = "编辑补记：据报社存档核对。原文未注明身份，记为author。阅读顺序（reading_order）为第1—3行。"
    Article.objects.filter(pk=article.pk).update(editorial_note=edited)
    Department.objects.filter(slug="zhuzhou-sasac").update(summary="语料中它推行改革。语料收录它的答复。")
    migration.forwards(apps, None)
    article.refresh_from_db()
    assert article.editorial_note == "编辑补记：据报社存档核对。原文未注明身份，身份记为作者。阅读顺序为第1—3行。"
    assert Department.objects.get(slug="zhuzhou-sasac").summary == "馆藏报道中它推行改革。本馆收录了它的答复。"


@pytest.mark.django_db
def test_the_xintian_report_is_dated_while_it_is_still_as_the_corpus_left_it():
    xintian = Article.objects.get(slug=XINTIAN)
    old_note = xintian.editorial_note.replace(migration.XINTIAN_NEW, migration.XINTIAN_OLD)
    Article.objects.filter(pk=xintian.pk).update(date=None, date_precision="unknown", date_inferred=False, editorial_note=old_note)
    migration.forwards(apps, None)
    xintian.refresh_from_db()
    assert (xintian.date, xintian.date_inferred, xintian.display_date) == (datetime.date(2026, 1, 1), True, "[2026年]")
    assert migration.XINTIAN_NEW in xintian.editorial_note and migration.XINTIAN_OLD not in xintian.editorial_note


@pytest.mark.django_db
def test_a_date_an_editor_changed_is_not_flagged_or_redated():
    redated = Article.objects.get(slug="2024-gaige-jinyaoshi")
    Article.objects.filter(pk=redated.pk).update(date=datetime.date(2024, 11, 1), date_precision="month", date_inferred=False)
    xintian = Article.objects.get(slug=XINTIAN)
    Article.objects.filter(pk=xintian.pk).update(date=datetime.date(2025, 12, 31), date_precision="day", date_inferred=False)
    migration.forwards(apps, None)
    redated.refresh_from_db()
    xintian.refresh_from_db()
    assert (redated.date, redated.date_inferred) == (datetime.date(2024, 11, 1), False)
    assert (xintian.date, xintian.date_inferred) == (datetime.date(2025, 12, 31), False)
