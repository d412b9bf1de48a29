"""Archive-wide figures: reports per year, the year span, catalog entries with their report counts."""


from django.db.models import Count, IntegerField, Max, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from archive.models import (
    Article,
    Department,
    Initiative,
    Mention,
    Person,
    Section,
    Series,
    Source,
    published_q,
)


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
    from search.api import EVERYTHING, remember

    if facet is None:
        return remember(key, compute, scope=lambda live, _: EVERYTHING)
    return remember(key, compute, scope=lambda live, _: live.bits[facet].get(value, 0))


def archive_numbers() -> dict:
    articles = Article.objects.published()
    totals = articles.aggregate(
        articles=Count("id"), first=Min("date"), last=Max("date"), series=Count("series", distinct=True)
    )
    totals["sections"] = Section.objects.filter(published_q("article")).count()
    totals["departments"] = Department.objects.filter(published_q("articles")).distinct().count()
    totals["initiatives"] = Initiative.objects.filter(published_q("mentions__section__article")).distinct().count()
    totals["mentions"] = Mention.objects.filter(published_q("section__article")).aggregate(n=Sum("count"))["n"] or 0
    totals["people"] = Person.objects.filter(published_q("articles")).distinct().count()
    return totals


def departments_with_counts():
    return Department.objects.annotate(
        report_count=Count("articles", filter=published_q("articles"), distinct=True)
    ).select_related("parent")


def initiatives_with_counts():
    return Initiative.objects.annotate(
        mention_count=_or_zero(
            Subquery(
                Mention.objects.filter(published_q("section__article"), initiative=OuterRef("pk"))
                .order_by()
                .values("initiative")
                .annotate(total=Sum("count"))
                .values("total")
            )
        ),
        report_count=Count(
            "mentions__section__article",
            filter=published_q("mentions__section__article"),
            distinct=True,
        ),
    )


def _or_zero(expression):
    return Coalesce(expression, Value(0), output_field=IntegerField())


def years_with_counts() -> list[tuple[int, int]]:
    counts, _ = reports_per_year(Article.objects.published())
    return sorted(counts.items(), reverse=True)


def kinds_with_counts() -> list[dict]:
    labels = dict(Article.Kind.choices)
    rows = Article.objects.published().order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return [{"value": r["kind"], "label": labels.get(r["kind"], r["kind"]), "count": r["n"]} for r in rows]


def sources_with_counts():
    return Source.objects.annotate(
        report_count=Count("articles", filter=published_q("articles"), distinct=True)
    ).order_by("-report_count", "name")


def series_with_counts():
    return (
        Series.objects.select_related("source")
        .annotate(
            report_count=Count("articles", filter=published_q("articles"), distinct=True),
            first=Min("articles__date", filter=published_q("articles")),
            last=Max("articles__date", filter=published_q("articles")),
        )
        .order_by("-last", "name")
    )


def people_with_counts():
    return (
        Person.objects.select_related("department")
        .annotate(report_count=Count("articles", filter=published_q("articles"), distinct=True))
        .filter(report_count__gt=0)
        .order_by("-report_count", "name")
    )
