"""What each list of reports lists: the object it belongs to, its title, and its articles.

A department's reports, an initiative's, a year's, a kind's, a source's, a series', a person's
and the whole archive's are each one Listing, shared by the list page, its CSV/JSON export and
its Atom feed, so the three always agree.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from archive.models import Article, Authorship, Department, Initiative, Person, Series, Source
from archive.querystring import querystring
from archive.reading.selectors.articles import SORTS, sorted_articles
from archive.reading.selectors.departments import department_articles
from archive.reading.selectors.initiatives import initiative_articles
from archive.slugs import ascii_slug


@dataclass
class Listing:
    name: str  # the listing's kind: department, initiative, …
    obj: object  # the department, initiative, … (None for the whole archive)
    title: str  # 株洲市国资委的报道
    articles: QuerySet
    page_url: str
    file_stem: str  # ASCII, for download file names
    default_sort: str = "newest"
    feed_name: str = ""  # URL name of the listing's Atom feed, when it has one
    export_name: str = ""
    export_kwargs: dict | None = None

    @property
    def sorts(self) -> dict[str, str]:
        if self.default_sort == "series":
            return {"series": "系列顺序", **SORTS}
        return dict(SORTS)

    def sorted(self, sort: str | None) -> QuerySet:
        return sorted_articles(self.articles, sort if sort in self.sorts else self.default_sort)

    def export_url(self, fmt: str) -> str:
        if not self.export_name:  # a listing with no downloads
            return ""
        return reverse(f"archive:{self.export_name}", kwargs={**(self.export_kwargs or {}), "fmt": fmt})

    @property
    def feed_url(self) -> str:
        if not self.feed_name:
            return ""
        return reverse(f"archive:{self.feed_name}", kwargs=self.export_kwargs or {})


def _get(model, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise Http404(f"没有这个{model._meta.verbose_name}")


def everything() -> Listing:
    return Listing(
        name="all",
        obj=None,
        title="全部报道",
        articles=Article.objects.published(),
        page_url=reverse("archive:articles"),
        file_stem="reports",
        feed_name="feed",
        export_name="articles_export",
    )


def for_department(slug: str, department: Department | None = None) -> Listing:
    department = department or _get(Department, slug=slug)
    return Listing(
        name="department",
        obj=department,
        title=f"{department.name}的相关报道",
        articles=department_articles(department),
        page_url=department.get_absolute_url(),
        file_stem=f"department-{department.slug}",
        feed_name="department_feed",
        export_name="department_export",
        export_kwargs={"slug": department.slug},
    )


def for_initiative(slug: str, initiative: Initiative | None = None) -> Listing:
    initiative = initiative or _get(Initiative, slug=slug)
    return Listing(
        name="initiative",
        obj=initiative,
        title=f"提及“{initiative.name}”的报道",
        articles=initiative_articles(initiative),
        page_url=initiative.get_absolute_url(),
        file_stem=f"initiative-{initiative.slug}",
        feed_name="initiative_feed",
        export_name="initiative_export",
        export_kwargs={"slug": initiative.slug},
    )


def for_year(year: int) -> Listing:
    if not 1 <= year <= 9999:  # a date's range: /years/0/ or /years/99999/ would fail in the query
        raise Http404("没有这一年")
    return Listing(
        name="year",
        obj=year,
        title=f"{year}年的报道",
        articles=Article.objects.published().in_year(year),
        page_url=reverse("archive:year", kwargs={"year": year}),
        file_stem=f"year-{year}",
        feed_name="year_feed",
        export_name="year_export",
        export_kwargs={"year": year},
    )


def for_kind(kind: str) -> Listing:
    labels = dict(Article.Kind.choices)
    if kind not in labels:
        raise Http404("没有这种体裁")
    return Listing(
        name="kind",
        obj=kind,
        title=f"{labels[kind]}",
        articles=Article.objects.published().filter(kind=kind),
        page_url=reverse("archive:kind", kwargs={"kind": kind}),
        file_stem=f"kind-{kind}",
        feed_name="kind_feed",
        export_name="kind_export",
        export_kwargs={"kind": kind},
    )


def for_source(slug: str, source: Source | None = None) -> Listing:
    source = source or _get(Source, slug=slug)
    return Listing(
        name="source",
        obj=source,
        title=f"出处：{source.name}",
        articles=Article.objects.published().filter(source=source),
        page_url=source.get_absolute_url(),
        file_stem=f"source-{source.slug}",
        feed_name="source_feed",
        export_name="source_export",
        export_kwargs={"slug": source.slug},
    )


def signed_together(person: Person, other: Person) -> Listing:
    """The reports both people signed: where a co-signer's count on a person's page links to
    (/people/<person>/?with=<other>), so that the count and the list agree. No downloads or feed."""
    return Listing(
        name="person",
        obj=person,
        title=f"{person.name}与{other.name}共同署名的报道",
        articles=Article.objects.published().filter(pk__in=signed_by(person)).filter(pk__in=signed_by(other)),
        page_url=person.get_absolute_url() + querystring(**{"with": other.slug}),
        file_stem=f"person-{person.slug}-with-{other.slug}",
    )


def for_series(slug: str, series: Series | None = None) -> Listing:
    series = series or _get(Series, slug=slug)
    return Listing(
        name="series",
        obj=series,
        title=f"专栏：{series.name}",
        articles=Article.objects.published().filter(series=series),
        page_url=series.get_absolute_url(),
        file_stem=f"series-{ascii_slug(series.slug, 40)}",
        default_sort="series",
        feed_name="series_feed",
        export_name="series_export",
        export_kwargs={"slug": series.slug},
    )


def signed_by(person: Person):
    return Authorship.objects.filter(person=person).values("article_id")


def for_person(slug: str, person: Person | None = None) -> Listing:
    person = person or _get(Person, slug=slug)
    return Listing(
        name="person",
        obj=person,
        title=f"{person.name}署名的报道",
        articles=Article.objects.published().filter(pk__in=signed_by(person)),
        page_url=person.get_absolute_url(),
        file_stem=f"person-{person.slug}",
        feed_name="person_feed",
        export_name="person_export",
        export_kwargs={"slug": person.slug},
    )


FINDERS = {
    "all": lambda **kw: everything(),
    "department": lambda slug: for_department(slug),
    "initiative": lambda slug: for_initiative(slug),
    "year": lambda year: for_year(year),
    "kind": lambda kind: for_kind(kind),
    "source": lambda slug: for_source(slug),
    "series": lambda slug: for_series(slug),
    "person": lambda slug: for_person(slug),
}
