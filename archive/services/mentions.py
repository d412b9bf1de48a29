"""Writing the mentions of named initiatives that the linker (archive/linking.py) finds in sections."""

from django.db import transaction

from archive import linking
from archive.models import (
    Initiative,
    Mention,
    Section,
)


def _patterns():
    return linking.build_patterns(Initiative.objects.all())


def _write_mentions(section: Section, patterns) -> int:
    found = linking.mentions_in_section(section.heading, section.body, patterns)
    existing = {m.initiative_id: m for m in section.mentions.all()}
    for initiative_id, matches in found.items():
        offsets = [[m.field, m.start, m.end] for m in matches]
        mention = existing.pop(initiative_id, None)
        if mention is None:
            Mention.objects.create(section=section, initiative_id=initiative_id, count=len(matches), offsets=offsets)
        elif mention.count != len(matches) or mention.offsets != offsets:
            mention.count, mention.offsets = len(matches), offsets
            mention.save(update_fields=["count", "offsets"])
    if existing:
        Mention.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
    return sum(len(matches) for matches in found.values())


@transaction.atomic
def section_link(*, section: Section) -> int:
    """Recompute the mentions of one section; returns how many mentions it has."""
    return _write_mentions(section, _patterns())


@transaction.atomic
def sections_relink(*, sections=None) -> int:
    """Recompute mentions for the given sections (all when None); returns the mention total.
    Any change to an initiative's names can move a boundary between two overlapping names, so
    an initiative change relinks every section rather than guessing which ones it touched."""
    patterns = _patterns()
    sections = Section.objects.all() if sections is None else sections
    total = 0
    for section in sections.prefetch_related("mentions").iterator(chunk_size=500):
        total += _write_mentions(section, patterns)
    return total


@transaction.atomic
def articles_relink(*, articles) -> int:
    """Recompute the mentions of every section of these articles; returns the mention total."""
    return sections_relink(sections=Section.objects.filter(article__in=list(articles)))
