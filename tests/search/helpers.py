"""Small helpers for the tests that edit the archive through the shared index."""

import datetime

from archive.models import Article, Section


def publish(slug, body, title="测验报道"):
    """A published article of one section, saved as an editor would (the signals index it)."""
    article = Article.objects.create(
        slug=slug, title=title, kind="news", date=datetime.date(2024, 1, 1), date_precision="year", status="published"
    )
    Section.objects.create(article=article, order=1, body=body)
    return article


def edit(article, body):
    """Replace the body of the article's only section, as an editor would."""
    section = article.sections.get()
    section.body = body
    section.save()


def grouped_in_the_database(initiative):
    """The initiative page's figures as grouped queries over all its mentions give them (what the
    page ran before it kept a digest): the reference the digest must equal."""
    from django.db.models import Count, F, Sum

    from archive.models import Mention

    mentions = Mention.objects.filter(initiative=initiative, section__article__status="published")
    ids = list(
        mentions.order_by(F("section__article__date").desc(nulls_last=True), "section__article_id", "section__order")
        .values_list("pk", flat=True)
    )
    per_year, undated = {}, 0
    for date, n in mentions.order_by().values("section__article__date").annotate(n=Sum("count")).values_list("section__article__date", "n"):
        if date is None:
            undated += n
        else:
            per_year[date.year] = per_year.get(date.year, 0) + n
    together = (
        Mention.objects.filter(section_id__in=mentions.values("section_id"))
        .exclude(initiative=initiative)
        .values("initiative__name", "initiative__slug")
        .annotate(sections=Count("section", distinct=True))
        .order_by("-sections", "initiative__name")[:12]
    )
    reports = Article.objects.published().filter(sections__mentions__initiative=initiative).distinct().count()
    return {
        "mention_ids": ids, "per_year": per_year, "undated": undated, "report_count": reports,
        "together": [
            {"name": r["initiative__name"], "slug": r["initiative__slug"], "url": f"/initiatives/{r['initiative__slug']}/", "sections": r["sections"]}
            for r in together
        ],
    }


def digest_figures(digest):
    return {
        "mention_ids": digest.mention_ids, "per_year": digest.per_year, "undated": digest.undated,
        "report_count": digest.report_count, "together": digest.together,
    }
