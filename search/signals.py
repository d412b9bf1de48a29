"""Saving anything the index reads updates the index in the same transaction: sections, articles
(title, publication), mentions (initiative names), catalogs (dictionary and facets)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive import services
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Department,
    Initiative,
    Mention,
    Person,
    Section,
    Source,
)
from search import indexing, segmentation
from search.models import IndexChange


def _skip(raw) -> bool:
    return raw or services.in_bulk_changes()


@receiver(post_save, sender=Section, dispatch_uid="search.index_section")
def index_saved_section(sender, instance, raw=False, **kwargs):
    if not _skip(raw):
        indexing.index_sections([instance.pk])


@receiver(post_delete, sender=Section, dispatch_uid="search.unindex_section")
def unindex_deleted_section(sender, instance, **kwargs):
    if not services.in_bulk_changes():
        indexing.remove_sections([instance.pk], article_ids=[instance.article_id])


@receiver(post_save, sender=Article, dispatch_uid="search.index_article")
def index_saved_article(sender, instance, raw=False, **kwargs):
    if not _skip(raw):
        indexing.index_article(instance.pk)


@receiver(post_save, sender=Mention, dispatch_uid="search.index_mention")
@receiver(post_delete, sender=Mention, dispatch_uid="search.unindex_mention")
def reindex_mentioning_section(sender, instance, raw=False, **kwargs):
    if not _skip(raw) and Section.objects.filter(pk=instance.section_id).exists():
        indexing.index_sections([instance.section_id])


@receiver(post_save, sender=Person, dispatch_uid="search.person_changed")
@receiver(post_save, sender=Source, dispatch_uid="search.source_changed")
@receiver(post_delete, sender=Person, dispatch_uid="search.person_deleted")
@receiver(post_delete, sender=Source, dispatch_uid="search.source_deleted")
@receiver(post_save, sender=Department, dispatch_uid="search.department_changed")
@receiver(post_save, sender=Initiative, dispatch_uid="search.initiative_changed")
@receiver(post_delete, sender=Department, dispatch_uid="search.department_deleted")
@receiver(post_delete, sender=Initiative, dispatch_uid="search.initiative_deleted")
@receiver(post_save, sender=ArticleDepartment, dispatch_uid="search.article_department_saved")
@receiver(post_delete, sender=ArticleDepartment, dispatch_uid="search.article_department_deleted")
@receiver(post_save, sender=Authorship, dispatch_uid="search.authorship_saved")
@receiver(post_delete, sender=Authorship, dispatch_uid="search.authorship_deleted")
def catalog_changed(sender, instance, raw=False, **kwargs):
    """Names feed the dictionary, links feed the facets: drop this process's tokenizer and tell
    every process's caches (through the index token) that they are stale."""
    if _skip(raw):
        return
    if sender in (Department, Initiative):
        segmentation.reset()
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
    elif sender in (Person, Source):  # their names label facets and the pages' counts
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
    else:
        indexing.record_index_write([instance.article_id])
