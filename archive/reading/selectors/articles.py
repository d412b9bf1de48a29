"""Reading articles: the published ones, their page with its relations, series neighbours and
related reports."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Count, F, Prefetch

from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Mention,
    Section,
)

logger = logging.getLogger(__name__)


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


def original_for_page(slug: str) -> Article:
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
    from search.api import related_ids

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
    from search.api import IndexUnavailable, database_unreachable

    try:
        return read()
    except (DatabaseError, IndexUnavailable) as exc:
        if database_unreachable(exc):
            raise
        logger.warning("%s counted in the database, the search index is unavailable: %s", what, exc)
        return fallback()


def _related_in_database(initiatives: dict, departments: dict, exclude: set, limit: int):
    """related_articles' slow path: the most-sharing articles by each measure, counted in the
    database (RELATED_POOL of each), then scored together by the index's own score."""
    from search.api import related_score

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
            -related_score(shared_i[aid], shared_d[aid]),
            -(dates[aid].toordinal() if dates[aid] else 0),
            -aid,
        ),
    )[:limit]
    return [(aid, shared_i[aid], shared_d[aid]) for aid in best]
