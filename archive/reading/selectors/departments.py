"""A department's page: its reports, the roles it had in them, the initiatives and people
reported with it."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Sum

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Department,
    Initiative,
    Mention,
    Person,
)
from archive.reading.selectors.counts import departments_with_counts, remembered, reports_per_year


@dataclass(frozen=True)
class DepartmentCatalog:
    """The department list: those with published reports in groups (the set the home page
    counts, counts.archive_numbers), and the catalog's others apart."""

    groups: list[dict]
    without_reports: list[Department]

    @property
    def reported(self) -> int:
        return sum(len(group["members"]) for group in self.groups)


def department_catalog() -> DepartmentCatalog:
    """Every department with its report count, in one query. Those no published report names
    yet are kept in the catalog so that their names and aliases are recognised in new reports."""
    departments = list(departments_with_counts().order_by("region", "kind", "name"))
    without = sorted((d for d in departments if not d.report_count), key=lambda d: (d.region, d.name))
    return DepartmentCatalog(department_groups([d for d in departments if d.report_count]), without)


def department_groups(departments: list[Department]) -> list[dict]:
    """These departments by region and kind, each group's members in tree order with their depth
    (a unit under another of the same group is indented under it)."""
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
            "slug": r["initiative__slug"],
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
            "slug": r["person__slug"],
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
