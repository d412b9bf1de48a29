"""Saving anything the index reads updates the index in the same transaction: sections, articles
(title, publication), mentions (initiative names), what is printed once per report (bylines,
departments, captions, and the names of people, departments, series and sources as printed on
their reports), catalogs (dictionary and facets)."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
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
    """The section's initiative names, and its report's (every name of the initiatives it is
    filed under finds the report: search.documents.printed_parts)."""
    if _skip(raw):
        return
    article_id = Section.objects.filter(pk=instance.section_id).values_list("article_id", flat=True).first()
    if article_id is not None:
        indexing.index_article_documents([article_id], record=False)  # index_sections logs the change
        indexing.index_sections([instance.section_id])


@receiver(pre_save, sender=Department, dispatch_uid="search.department_saving")
@receiver(pre_save, sender=Initiative, dispatch_uid="search.initiative_saving")
@receiver(pre_delete, sender=Department, dispatch_uid="search.department_deleting")
@receiver(pre_delete, sender=Initiative, dispatch_uid="search.initiative_deleting")
def note_names_before_change(sender, instance, raw=False, **kwargs):
    """What catalog_changed needs to keep the index in step with a changed name: the entry's
    names before the change, and the dictionary the index would have been built with."""
    if _skip(raw):
        return
    before = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._search_names_before = before.names if before is not None else []
    deleting = kwargs.get("signal") is pre_delete
    if deleting or instance._search_names_before != instance.names:
        instance._search_dictionary_before = segmentation.dictionary_hash()


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
        _names_changed(instance, deleted=kwargs.get("signal") is post_delete)
    elif sender in (Person, Source):  # their names label facets and the pages' counts
        indexing.record_index_write(scope=IndexChange.Scope.CATALOG)
    if kwargs.get("signal") is post_save and sender is not Initiative:
        indexing.index_article_documents(_reports_naming(instance))


def _names_changed(instance, deleted: bool) -> None:
    """A department or initiative renamed, given or losing an alias, or deleted: re-index what
    its names touch, in this transaction, so the index needs no rebuild (docs/search.md)."""
    before = getattr(instance, "_search_names_before", None)
    if before is None or (not deleted and before == instance.names):
        return  # saved without a pre_save (never through the ORM), or no name changed
    names = set(before) if deleted else set(before) ^ set(instance.names)
    sections, reports = [], []
    if isinstance(instance, Initiative) and not deleted:
        sections = list(Mention.objects.filter(initiative=instance).values_list("section_id", flat=True))
        reports = list(Section.objects.filter(pk__in=sections).values_list("article_id", flat=True).distinct())
    # a department's reports: catalog_changed re-indexes them after this, whatever changed
    indexing.catalog_names_changed(
        names, section_ids=sections, article_ids=reports,
        dictionary_before=getattr(instance, "_search_dictionary_before", None),
    )


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
