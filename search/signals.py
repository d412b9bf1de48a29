"""Saving anything the index reads updates the index in the same transaction: sections, articles
(title, publication), mentions (initiative names), what is printed once per report (bylines,
departments, captions, and the names of people, departments, series and sources as printed on
their reports), catalogs (dictionary and facets)."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from archive import services
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Initiative,
    Mention,
    Person,
    Section,
    Series,
    Source,
    Synonym,
)
from search import indexing, segmentation
from search.models import ArticleDocument, IndexChange


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
@receiver(post_save, sender=Series, dispatch_uid="search.series_changed")
def catalog_changed(sender, instance, raw=False, **kwargs):
    """Names feed the dictionary, labels and the reports they are printed on: drop this
    process's tokenizer and log the change for every process's live view (a catalog change
    reloads its labels and drops the results it remembers), and re-index the printed texts of
    the reports that name the entry (a renamed person is found by the new name at once)."""
    if _skip(raw):
        return
    if sender in (Department, Initiative):
        segmentation.reset()
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
    elif sender in (Person, Source):  # their names label facets and the pages' counts
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
    if kwargs.get("signal") is post_save and sender is not Initiative:
        indexing.index_article_documents(_reports_naming(instance))


def _reports_naming(instance) -> list[int]:
    """The reports on which a person, department, series or source is printed."""
    if isinstance(instance, Person):
        rows = Authorship.objects.filter(person=instance)
    elif isinstance(instance, Department):
        rows = ArticleDepartment.objects.filter(department=instance)
    else:
        field = "series" if isinstance(instance, Series) else "source"
        return list(Article.objects.filter(**{field: instance}).values_list("pk", flat=True))
    return list(rows.values_list("article_id", flat=True).distinct())


@receiver(pre_delete, sender=Series, dispatch_uid="search.series_deleting")
def note_reports_of_deleted_series(sender, instance, **kwargs):
    # the reports lose the series (SET_NULL) before post_delete, which could no longer find them
    instance._search_reports = _reports_naming(instance)


@receiver(post_delete, sender=Series, dispatch_uid="search.series_deleted")
def reindex_reports_of_deleted_series(sender, instance, **kwargs):
    if not services.in_bulk_changes():
        indexing.index_article_documents(getattr(instance, "_search_reports", []))


@receiver(post_save, sender=ArticleDepartment, dispatch_uid="search.article_department_saved")
@receiver(post_delete, sender=ArticleDepartment, dispatch_uid="search.article_department_deleted")
@receiver(post_save, sender=Authorship, dispatch_uid="search.authorship_saved")
@receiver(post_delete, sender=Authorship, dispatch_uid="search.authorship_deleted")
@receiver(post_save, sender=Caption, dispatch_uid="search.caption_saved")
@receiver(post_delete, sender=Caption, dispatch_uid="search.caption_deleted")
def printed_text_changed(sender, instance, raw=False, **kwargs):
    """A byline, a department or a caption is printed on its report: re-index the report's
    printed texts (which logs the change, so its facets are read again too)."""
    if not _skip(raw):
        indexing.index_article_documents([instance.article_id])


@receiver(post_delete, sender=Article, dispatch_uid="search.article_deleted")
def unindex_deleted_article(sender, instance, **kwargs):
    # A byline or caption deleted with the report re-indexed the report's printed texts just
    # before the report itself went: that row must go too.
    ArticleDocument.objects.filter(article_id=instance.pk).delete()


@receiver(post_save, sender=Synonym, dispatch_uid="search.synonym_saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search.synonym_deleted")
def vocabulary_changed(sender, instance, raw=False, **kwargs):
    """A synonym group changes what a query looks for, not what is indexed: no rebuild, no new
    dictionary; a catalog change in the log moves every process's live view to a new epoch, and
    with it the vocabulary (search.synonyms) and the results remembered (search.memo). Logged in
    bulk loads too (load_corpus --update): nothing rebuilt after them would announce it."""
    if not raw:
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
