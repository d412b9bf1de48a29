"""Reads for the public pages: published articles only, with what each page shows fetched up front.

Every function here runs a fixed number of queries whatever the size of the archive: lists are
annotated or aggregated in the database, and related rows come in with select_related or
prefetch_related (the page tests assert the query counts).
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Department,
    Initiative,
    Mention,
    Person,
    Section,
    Series,
    Source,
)

logger = logging.getLogger(__name__)
PUBLISHED = Article.Status.PUBLISHED
SORTS = {"newest": "最新在前", "oldest": "最早在前"}
RELATED_LIMIT = 6


def published_articles():
    return Article.objects.published().select_related("source", "series")


def for_list(queryset):
    """Articles as the lists show them (title, kind, date, source, series); the long text
    fields stay in the database."""
    return queryset.select_related("source", "series").defer(
        "original_text", "editorial_note", "raw_document", "created_at"
    )


def sorted_articles(queryset, sort: str):
    if sort == "oldest":
        return queryset.order_by(F("date").asc(nulls_last=True), "id")
    if sort == "series":
        return queryset.order_by(F("series_order").asc(nulls_last=True), F("date").asc(nulls_last=True), "id")
    return queryset.newest_first()


def with_relations(queryset):
    """Articles with their authors, departments and the initiatives their sections name, for
    exports and feeds (three extra queries, whatever the number of articles)."""
    return for_list(queryset).prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("person").order_by("order")),
        Prefetch("department_roles", queryset=ArticleDepartment.objects.select_related("department")),
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("order").prefetch_related(
                Prefetch("mentions", queryset=Mention.objects.select_related("initiative"))
            ),
            to_attr="sections_with_mentions",
        ),
    )


def initiatives_named(article) -> list:
    """The initiatives an article prefetched with with_relations() names, each once, most
    mentioned first."""
    counts = Counter()
    by_pk = {}
    for section in article.sections_with_mentions:
        for mention in section.mentions.all():
            counts[mention.initiative_id] += mention.count
            by_pk[mention.initiative_id] = mention.initiative
    return [by_pk[pk] for pk, _ in sorted(counts.items(), key=lambda item: (-item[1], by_pk[item[0]].name))]


# ---------------------------------------------------------------------------------------------
# Counts and timelines


def reports_per_year(queryset) -> tuple[dict[int, int], int]:
    """{year: number of reports} for the articles, and how many have no date."""
    rows = (
        queryset.order_by()
        .values(year=ExtractYear("date"))
        .annotate(n=Count("id", distinct=True))
        .values_list("year", "n")
    )
    counts, undated = {}, 0
    for year, n in rows:
        if year is None:
            undated += n
        else:
            counts[year] = n
    return counts, undated


def year_span() -> tuple[int, int] | None:
    """The first and last year of the published reports (remembered until any report changes)."""

    def compute():
        dates = Article.objects.published().aggregate(first=Min("date"), last=Max("date"))
        return (dates["first"].year, dates["last"].year) if dates["first"] else None

    return remembered(("year_span",), compute)


def remembered(key, compute, facet: str | None = None, value: str | None = None):
    """compute(), remembered in this process until an edit touches an article that has this facet
    value (the live index's bitset of it), or any article when no facet is named (search.memo:
    drafts, other reports and other departments' edits leave it)."""
    from search import memo

    if facet is None:
        return memo.remember(key, compute, scope=lambda live, _: memo.EVERYTHING)
    return memo.remember(key, compute, scope=lambda live, _: live.bits[facet].get(value, 0))


def archive_numbers() -> dict:
    articles = Article.objects.published()
    totals = articles.aggregate(
        articles=Count("id"), first=Min("date"), last=Max("date"), series=Count("series", distinct=True)
    )
    totals["sections"] = Section.objects.filter(article__status=PUBLISHED).count()
    totals["departments"] = Department.objects.filter(articles__status=PUBLISHED).distinct().count()
    totals["initiatives"] = Initiative.objects.filter(mentions__section__article__status=PUBLISHED).distinct().count()
    totals["mentions"] = Mention.objects.filter(section__article__status=PUBLISHED).aggregate(n=Sum("count"))["n"] or 0
    totals["people"] = Person.objects.filter(articles__status=PUBLISHED).distinct().count()
    return totals


def departments_with_counts():
    return Department.objects.annotate(
        report_count=Count("articles", filter=Q(articles__status=PUBLISHED), distinct=True)
    ).select_related("parent")


def initiatives_with_counts():
    return Initiative.objects.annotate(
        mention_count=_or_zero(
            Subquery(
                Mention.objects.filter(initiative=OuterRef("pk"), section__article__status=PUBLISHED)
                .order_by()
                .values("initiative")
                .annotate(total=Sum("count"))
                .values("total")
            )
        ),
        report_count=Count(
            "mentions__section__article",
            filter=Q(mentions__section__article__status=PUBLISHED),
            distinct=True,
        ),
    )


def _or_zero(expression):
    return Coalesce(expression, Value(0), output_field=IntegerField())


# ---------------------------------------------------------------------------------------------
# The article page


def with_page_relations(queryset):
    """Articles with what the article page shows: authors, departments, sections with the
    initiatives they name, captions (the public page and the admin's preview of a draft)."""
    return queryset.select_related("source", "series", "raw_document").prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("person").order_by("order")),
        Prefetch(
            "department_roles",
            queryset=ArticleDepartment.objects.select_related("department").order_by("role", "department__name"),
        ),
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("order").prefetch_related(
                Prefetch("mentions", queryset=Mention.objects.select_related("initiative"))
            ),
        ),
        "captions",
    )


def article_for_page(slug: str) -> Article:
    return with_page_relations(published_articles()).get(slug=slug)


def article_original(slug: str) -> Article:
    return published_articles().select_related("raw_document").get(slug=slug)


def series_siblings(article: Article) -> list[Article]:
    """The published reports of the article's series in series order (the article included)."""
    if article.series_id is None:
        return []
    return list(
        sorted_articles(for_list(Article.objects.published().filter(series_id=article.series_id)), "series")
    )


def previous_and_next(article: Article, siblings: list[Article]) -> tuple[Article | None, Article | None]:
    ids = [a.pk for a in siblings]
    if article.pk not in ids:
        return None, None
    i = ids.index(article.pk)
    return (siblings[i - 1] if i > 0 else None), (siblings[i + 1] if i + 1 < len(siblings) else None)


@dataclass
class Related:
    article: Article
    initiatives: list  # shared initiatives (names)
    departments: list  # shared departments (names)

    @property
    def score(self) -> int:
        return self.score_of(self.initiatives, self.departments)

    @staticmethod
    def score_of(initiatives, departments) -> int:
        # a shared initiative says more about what a report is about than a shared department
        return 2 * len(initiatives) + len(departments)


RELATED_POOL = 200  # candidates taken from each measure before scoring


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Related]:
    """Other published reports that name the same initiatives or concern the same departments,
    most shared first, then newest (series neighbours are listed apart, so they are left out here).
    Scored over the search index's bitsets (search.related); counted in the database when the
    index cannot be read."""
    initiatives = {
        m.initiative.slug: m.initiative.name for s in article.sections.all() for m in s.mentions.all()
    }
    departments = {r.department.slug: str(r.department) for r in article.department_roles.all()}
    if not initiatives and not departments:
        return []
    exclude = {article.pk}
    if article.series_id:
        exclude |= set(Article.objects.filter(series_id=article.series_id).values_list("pk", flat=True))
    from search.related import related_ids

    best = _from_search_index(
        lambda: related_ids(initiatives, departments, exclude, limit),
        lambda: _related_in_database(initiatives, departments, exclude, limit),
        what="related reports",
    )
    articles = for_list(Article.objects.filter(pk__in=[aid for aid, _, _ in best])).in_bulk()
    return [
        Related(articles[aid], sorted(initiatives[s] for s in shared_i), sorted(departments[s] for s in shared_d))
        for aid, shared_i, shared_d in best
        if aid in articles
    ]


def _from_search_index(read, fallback, what: str):
    """read() from the search's live index; fallback() from the database when the index is
    missing or unreadable (logged)."""
    from search.live import IndexUnavailable

    try:
        return read()
    except (DatabaseError, IndexUnavailable) as exc:
        logger.warning("%s counted in the database, the search index is unavailable: %s", what, exc)
        return fallback()


def _related_in_database(initiatives: dict, departments: dict, exclude: set, limit: int):
    """related_articles' slow path: the most-sharing articles by each measure, counted in the
    database (RELATED_POOL of each), then scored together."""
    shared_i: dict[int, set] = defaultdict(set)
    shared_d: dict[int, set] = defaultdict(set)
    others = Article.objects.published().exclude(pk__in=exclude)
    for field, slugs, shared, model, article_field in (
        ("initiative", initiatives, shared_i, Mention, "section__article"),
        ("department", departments, shared_d, ArticleDepartment, "article"),
    ):
        if not slugs:
            continue
        mine = model.objects.filter(**{f"{field}__slug__in": slugs, f"{article_field}__in": others})
        top = (
            mine.values(f"{article_field}_id")
            .annotate(n=Count(f"{field}_id", distinct=True))
            .order_by("-n", f"-{article_field}_id")[:RELATED_POOL]
        )
        pool = [row[f"{article_field}_id"] for row in top]
        for aid, slug in mine.filter(**{f"{article_field}_id__in": pool}).order_by().values_list(
            f"{article_field}_id", f"{field}__slug"
        ).distinct():
            shared[aid].add(slug)
    dates = dict(Article.objects.filter(pk__in=set(shared_i) | set(shared_d)).values_list("pk", "date"))
    best = sorted(
        dates,
        key=lambda aid: (
            -Related.score_of(shared_i[aid], shared_d[aid]),
            -(dates[aid].toordinal() if dates[aid] else 0),
            -aid,
        ),
    )[:limit]
    return [(aid, shared_i[aid], shared_d[aid]) for aid in best]


# ---------------------------------------------------------------------------------------------
# Departments


def department_groups():
    """Departments by region and kind, each group's members in tree order with their depth
    (a unit under another of the same group is indented under it), with report counts."""
    departments = list(departments_with_counts().order_by("region", "kind", "name"))
    by_parent = defaultdict(list)
    for d in departments:
        by_parent[d.parent_id].append(d)
    kinds = dict(Department.Kind.choices)
    kind_order = {value: i for i, value in enumerate(kinds)}
    groups: dict[tuple, list] = defaultdict(list)
    for d in departments:
        groups[(d.region, d.kind)].append(d)
    result = []
    region_totals = Counter()
    for (region, kind), members in groups.items():
        in_group = {d.pk for d in members}
        ordered = []

        def walk(node, depth):
            ordered.append((node, depth))
            for child in by_parent.get(node.pk, ()):
                if child.pk in in_group:
                    walk(child, depth + 1)

        for d in members:
            if d.parent_id not in in_group:
                walk(d, 0)
        region_totals[region] += len(members)
        result.append({"region": region, "kind": kind, "kind_label": kinds.get(kind, kind), "members": ordered})
    # 株洲市 first (the archive's city), then the others by name
    result.sort(key=lambda g: (g["region"] != "株洲市", g["region"], kind_order.get(g["kind"], 99)))
    return result


def department_for_page(slug: str) -> Department:
    return (
        Department.objects.select_related("parent")
        .prefetch_related(
            Prefetch("children", queryset=Department.objects.order_by("name")),
            Prefetch("people", queryset=Person.objects.order_by("name")),
            Prefetch("led_initiatives", queryset=Initiative.objects.order_by("name")),
        )
        .get(slug=slug)
    )


def department_articles(department: Department):
    # pk IN (subquery) rather than a join with DISTINCT: counting and paging then need no
    # de-duplication of whole article rows (PostgreSQL: 30 ms → a few at 100,000 sections).
    linked = ArticleDepartment.objects.filter(department=department).values("article_id")
    return Article.objects.published().filter(pk__in=linked)


def department_roles_by_article(department: Department, article_ids) -> dict[int, list[str]]:
    roles = defaultdict(list)
    labels = dict(ArticleDepartment.Role.choices)
    for aid, role in ArticleDepartment.objects.filter(department=department, article_id__in=article_ids).values_list(
        "article_id", "role"
    ):
        roles[aid].append(labels.get(role, role))
    return roles


def initiatives_reported_with(articles, limit: int = 20) -> list[dict]:
    """Initiatives named in these articles: name, url, reports, mentions; most reports first."""
    rows = (
        Mention.objects.filter(section__article__in=articles)
        .order_by()
        .values("initiative_id", "initiative__name", "initiative__slug")
        .annotate(reports=Count("section__article", distinct=True), mentions=Sum("count"))
        .order_by("-reports", "-mentions", "initiative__name")[:limit]
    )
    return [
        {
            "name": r["initiative__name"],
            "url": Initiative(slug=r["initiative__slug"]).get_absolute_url(),
            "reports": r["reports"],
            "mentions": r["mentions"],
        }
        for r in rows
    ]


def authors_of(articles, limit: int = 20) -> list[dict]:
    rows = (
        Authorship.objects.filter(article__in=articles)
        .order_by()
        .values("person__name", "person__slug", "person__position")
        .annotate(reports=Count("article", distinct=True))
        .order_by("-reports", "person__name")[:limit]
    )
    return [
        {
            "name": r["person__name"],
            "url": Person(slug=r["person__slug"]).get_absolute_url(),
            "position": r["person__position"],
            "reports": r["reports"],
        }
        for r in rows
    ]


def departments_reported_in(articles, limit: int = 15) -> list:
    return list(
        Department.objects.filter(articles__in=articles)
        .annotate(report_count=Count("articles", distinct=True))
        .order_by("-report_count", "name")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Initiatives


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
    return Mention.objects.filter(initiative=initiative, section__article__status=PUBLISHED)


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

    @property
    def together(self) -> list[dict]:
        best = sorted(((n, key) for key, n in self._together.items() if n > 0), key=lambda item: (-item[0], item[1][0]))
        return [
            {"name": name, "url": Initiative(slug=slug).get_absolute_url(), "sections": n}
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
        Mention.objects.filter(section__article_id__in=list(article_ids), section__article__status=PUBLISHED)
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


def initiative_digest(initiative: Initiative) -> InitiativeDigest:
    from search import memo

    return memo.remember(
        ("initiative", initiative.pk, initiative.slug),
        lambda: InitiativeDigest.of(initiative),
        scope=lambda live, _: live.bits["initiative"].get(initiative.slug, 0),
        patch=lambda digest, changed: digest.patched(changed),
    )


@dataclass(frozen=True)
class DepartmentDigest:
    """A department page's counts over all its reports, remembered like InitiativeDigest."""

    per_year: dict[int, int]
    undated: int
    reported_with: list[dict]
    authors: list[dict]


def department_digest(department: Department, articles) -> DepartmentDigest:
    def compute():
        per_year, undated = reports_per_year(articles)
        return DepartmentDigest(per_year, undated, initiatives_reported_with(articles), authors_of(articles))

    return remembered(("department", department.pk, department.slug), compute, "department", department.slug)


# ---------------------------------------------------------------------------------------------
# Years, kinds, sources, series, people


def years_with_counts() -> list[tuple[int, int]]:
    counts, _ = reports_per_year(Article.objects.published())
    return sorted(counts.items(), reverse=True)


def kinds_with_counts() -> list[dict]:
    labels = dict(Article.Kind.choices)
    rows = Article.objects.published().order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return [{"value": r["kind"], "label": labels.get(r["kind"], r["kind"]), "count": r["n"]} for r in rows]


def sources_with_counts():
    return Source.objects.annotate(
        report_count=Count("articles", filter=Q(articles__status=PUBLISHED), distinct=True)
    ).order_by("-report_count", "name")


def series_with_counts():
    return (
        Series.objects.select_related("source")
        .annotate(
            report_count=Count("articles", filter=Q(articles__status=PUBLISHED), distinct=True),
            first=Min("articles__date", filter=Q(articles__status=PUBLISHED)),
            last=Max("articles__date", filter=Q(articles__status=PUBLISHED)),
        )
        .order_by("-last", "name")
    )


def people_with_counts():
    return (
        Person.objects.select_related("department")
        .annotate(report_count=Count("articles", filter=Q(articles__status=PUBLISHED), distinct=True))
        .filter(report_count__gt=0)
        .order_by("-report_count", "name")
    )


def person_for_page(slug: str) -> Person:
    return Person.objects.select_related("department").get(slug=slug)


def person_bylines(person: Person, article_ids) -> dict[int, str]:
    """{article id: role and position as signed}: 记者, 作者（市委常委、组织部长）…"""
    labels = dict(Authorship.Role.choices)
    result = {}
    for aid, role, position in Authorship.objects.filter(person=person, article_id__in=article_ids).values_list(
        "article_id", "role", "position"
    ):
        result[aid] = labels.get(role, role) + (f"（{position}）" if position else "")
    return result


def coauthors(person: Person, limit: int = 12) -> list[dict]:
    articles = Authorship.objects.filter(person=person, article__status=PUBLISHED).values("article_id")
    rows = (
        Authorship.objects.filter(article_id__in=articles)
        .exclude(person=person)
        .order_by()
        .values("person__name", "person__slug")
        .annotate(reports=Count("article", distinct=True))
        .order_by("-reports", "person__name")[:limit]
    )
    return [
        {"name": r["person__name"], "url": Person(slug=r["person__slug"]).get_absolute_url(), "reports": r["reports"]}
        for r in rows
    ]
