"""Keep mentions in step with the text: a saved section or initiative is relinked in the same
transaction as the save, whether it came from the admin, a service or the shell."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive import services
from archive.models import Initiative, Section


@receiver(post_save, sender=Section, dispatch_uid="archive.link_section")
def link_saved_section(sender, instance, raw=False, **kwargs):
    if raw or services.in_bulk_changes():
        return
    services.section_link(section=instance)


@receiver(post_save, sender=Initiative, dispatch_uid="archive.link_initiative")
@receiver(post_delete, sender=Initiative, dispatch_uid="archive.unlink_initiative")
def relink_after_initiative_change(sender, instance, raw=False, **kwargs):
    if raw or services.in_bulk_changes():
        return
    services.sections_relink()
