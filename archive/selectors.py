"""Reads for the public pages: published articles only, with what each page shows fetched up front."""

from django.db.models import Count, Prefetch, Q

from .models import Article, ArticleDepartment, Authorship, Department, Initiative, Mention, Section


def published_articles():
    return Article.objects.published().select_related("source", "series")


def article_for_page(slug: str) -> Article:
    return (
        published_articles()
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("person").order_by("order")),
            Prefetch("department_roles", queryset=ArticleDepartment.objects.select_related("department")),
            Prefetch(
                "sections",
                queryset=Section.objects.order_by("order").prefetch_related(
                    Prefetch("mentions", queryset=Mention.objects.select_related("initiative"))
                ),
            ),
            "captions",
        )
        .get(slug=slug)
    )


def departments_with_counts():
    return Department.objects.annotate(
        report_count=Count("articles", filter=Q(articles__status=Article.Status.PUBLISHED), distinct=True)
    ).select_related("parent")


def initiatives_with_counts():
    return Initiative.objects.annotate(
        mention_count=Count(
            "mentions", filter=Q(mentions__section__article__status=Article.Status.PUBLISHED), distinct=True
        ),
        report_count=Count(
            "mentions__section__article",
            filter=Q(mentions__section__article__status=Article.Status.PUBLISHED),
            distinct=True,
        ),
    )


def mentions_of(initiative: Initiative):
    return (
        Mention.objects.filter(initiative=initiative, section__article__status=Article.Status.PUBLISHED)
        .select_related("section__article")
        .order_by("-section__article__date", "section__article_id", "section__order")
    )
