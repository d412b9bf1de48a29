"""An initiative's page: where it is mentioned, in which reports and years, and what is named
with it; the digest is kept per report and patched after edits (search.memo)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch

from archive.models import (
    Article,
    Department,
    Initiative,
    Mention,
    published_q,
)
from archive.reading.selectors.counts import initiatives_with_counts


def initiative_groups():
    categories = dict(Initiative.Category.choices)
    order = {value: i for i, value in enumerate(categories)}
    groups = defaultdict(list)
    for initiative in initiatives_with_counts():
        groups[initiative.category].append(initiative)
    result = []
    for category, members in sorted(groups.items(), key=lambda item: order.get(item[0], 99)):
        members.sort(key=lambda i: (-i.report_count, -i.mention_count, i.name))
        result.append(
            {
                "category": category,
                "label": categories.get(category, category),
                "members": members,
                "reports": sum(1 for i in members if i.report_count),
            }
        )
    return result


def initiative_for_page(slug: str) -> Initiative:
    return Initiative.objects.prefetch_related(
        Prefetch("lead_departments", queryset=Department.objects.order_by("name"))
    ).get(slug=slug)


# Newest report first, then the report's own order.
MENTION_ORDER = (F("section__article__date").desc(nulls_last=True), "section__article_id", "section__order")


def _mentions_of_published(initiative: Initiative):
    return Mention.objects.filter(published_q("section__article"), initiative=initiative)


def _with_sections(mentions):
    return mentions.select_related("section__article").defer(
        "section__article__original_text", "section__article__editorial_note"
    )


def mentions_with_sections(initiative: Initiative):
    """All the initiative's mentions in published reports, in MENTION_ORDER (the initiative
    page's order), with their sections and articles, in one query (the downloads)."""
    return _with_sections(_mentions_of_published(initiative)).order_by(*MENTION_ORDER)


def mentions_by_ids(ids) -> list[Mention]:
    """These mentions, in this order, with their sections and articles."""
    ids = list(ids)
    found = _with_sections(Mention.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def initiative_articles(initiative: Initiative):
    naming = Mention.objects.filter(initiative=initiative).values("section__article_id")
    return Article.objects.published().filter(pk__in=naming)


@dataclass(frozen=True)
class ReportShare:
    """One report's share of an initiative's digest."""

    date: object
    mention_ids: tuple[int, ...]  # in section order
    named: int  # times the initiative is named
    together: tuple[tuple[tuple[str, str], int], ...]  # ((name, slug) of another initiative, sections naming both)


class InitiativeDigest:
    """What an initiative's page counts over all its mentions (the pages of the mention list,
    the times named per year, the initiatives named with it, the reports): grouped queries over
    every mention, 60 ms for the most named at 100,000 sections. Kept per report, so that an
    edit to a report that names the initiative re-reads that report's mentions only and moves
    the totals by the difference (patched), and remembered in the process until then
    (search.memo)."""

    def __init__(self, initiative: Initiative, shares: dict[int, ReportShare], per_year: dict[int, int],
                 undated: int, together: Counter):
        self.initiative = initiative
        self.shares, self.per_year, self.undated, self._together = shares, per_year, undated, together
        self._mention_ids: list[int] | None = None

    @classmethod
    def of(cls, initiative: Initiative) -> "InitiativeDigest":
        return cls(initiative, {}, {}, 0, Counter()).patched(None)

    def patched(self, article_ids) -> "InitiativeDigest":
        """The digest after these reports changed (None: read every report)."""
        fresh = _report_shares(self.initiative, article_ids)
        if article_ids is None:
            shares, per_year, undated, together = {}, {}, 0, Counter()
        else:
            shares, per_year, undated, together = dict(self.shares), dict(self.per_year), self.undated, Counter(self._together)
            for aid in article_ids:
                old = shares.pop(aid, None)
                if old is not None:
                    undated = _add_share(old, per_year, undated, together, -1)
        for aid, share in fresh.items():
            shares[aid] = share
            undated = _add_share(share, per_year, undated, together, +1)
        return InitiativeDigest(self.initiative, shares, {y: n for y, n in per_year.items() if n}, undated, together)

    @property
    def mention_ids(self) -> list[int]:
        """In MENTION_ORDER: the pages of the mention list."""
        if self._mention_ids is None:
            # newest report first, undated last, then by report id; sections in order within one
            order = sorted(
                (-(share.date.toordinal()) if share.date else 1, aid, share.mention_ids) for aid, share in self.shares.items()
            )
            self._mention_ids = [pk for _, _, ids in order for pk in ids]
        return self._mention_ids

    def mention_ids_in_year(self, year: int) -> list[int]:
        """The mentions in the reports of this year, in MENTION_ORDER: the bar of the page's
        chart for that year counts their times named (per_year[year])."""
        keep = {
            pk for share in self.shares.values() if share.date is not None and share.date.year == year
            for pk in share.mention_ids
        }
        return [pk for pk in self.mention_ids if pk in keep]

    @property
    def together(self) -> list[dict]:
        best = sorted(((n, key) for key, n in self._together.items() if n > 0), key=lambda item: (-item[0], item[1][0]))
        return [
            {"name": name, "slug": slug, "url": Initiative(slug=slug).get_absolute_url(), "sections": n}
            for n, (name, slug) in best[:NAMED_TOGETHER]
        ]

    @property
    def report_count(self) -> int:
        return len(self.shares)


NAMED_TOGETHER = 12


def _add_share(share: ReportShare, per_year: dict, undated: int, together: Counter, sign: int) -> int:
    if share.date is None:
        undated += sign * share.named
    else:
        per_year[share.date.year] = per_year.get(share.date.year, 0) + sign * share.named
    for key, n in share.together:
        together[key] += sign * n
    return undated


def _report_shares(initiative: Initiative, article_ids=None) -> dict[int, ReportShare]:
    """Each published report's share of the initiative's mentions (these reports' only, when
    named)."""
    if article_ids is not None:
        return _shares_of_reports(initiative, article_ids)
    mentions = _mentions_of_published(initiative)
    rows = mentions.order_by("section__article_id", "section__order").values_list(
        "section__article_id", "section__article__date", "pk", "count"
    )
    found: dict[int, list] = {}
    for aid, date, pk, n in rows:
        entry = found.setdefault(aid, [date, [], 0])
        entry[1].append(pk)
        entry[2] += n
    together: dict[int, list] = {aid: [] for aid in found}
    others = (
        Mention.objects.filter(section_id__in=mentions.values("section_id"))
        .exclude(initiative=initiative)
        .order_by()
        .values_list("section__article_id", "initiative__name", "initiative__slug")
        .annotate(sections=Count("pk"))  # one mention per initiative and section (mention_unique)
    )
    for aid, name, slug, n in others:
        together[aid].append(((name, slug), n))
    return {aid: ReportShare(date, tuple(ids), named, tuple(together[aid])) for aid, (date, ids, named) in found.items()}


def _shares_of_reports(initiative: Initiative, article_ids) -> dict[int, ReportShare]:
    """The shares of a few reports, from every mention in their sections (one query: selecting
    the initiative's mentions of a few reports has the database read all of its mentions)."""
    rows = (
        Mention.objects.filter(published_q("section__article"), section__article_id__in=list(article_ids))
        .order_by("section__article_id", "section__order")
        .values_list("section__article_id", "section__article__date", "section_id", "pk", "count", "initiative_id",
                     "initiative__name", "initiative__slug")
    )
    by_section: dict[int, list] = {}
    for row in rows:
        by_section.setdefault(row[2], []).append(row)
    found: dict[int, list] = {}
    for section_rows in by_section.values():
        own = [row for row in section_rows if row[5] == initiative.pk]
        if not own:
            continue
        aid, date, _, pk, n = own[0][:5]
        entry = found.setdefault(aid, [date, [], 0, Counter()])
        entry[1].append(pk)
        entry[2] += n
        for row in section_rows:
            if row[5] != initiative.pk:
                entry[3][(row[6], row[7])] += 1
    return {
        aid: ReportShare(date, tuple(ids), named, tuple(together.items())) for aid, (date, ids, named, together) in found.items()
    }


def mentions_named_with(initiative: Initiative, other: Initiative, ids: list[int]) -> tuple[list[int], int]:
    """Of these mention ids (in order), those in sections that also name `other`, and the times
    the initiative is named in them: the paragraphs InitiativeDigest.together counts."""
    both = _mentions_of_published(initiative).filter(
        section_id__in=Mention.objects.filter(initiative=other).values("section_id")
    )
    keep = dict(both.values_list("pk", "count"))
    kept = [pk for pk in ids if pk in keep]
    return kept, sum(keep[pk] for pk in kept)


def initiative_digest(initiative: Initiative) -> InitiativeDigest:
    from search.api import remember

    return remember(
        ("initiative", initiative.pk, initiative.slug),
        lambda: InitiativeDigest.of(initiative),
        scope=lambda live, _: live.bits["initiative"].get(initiative.slug, 0),
        patch=lambda digest, changed: digest.patched(changed),
    )
