"""When each report last changed, by its history (django-simple-history): the latest change to
the report or to anything printed with it (sections, bylines, departments, captions). Feeds
date their entries' `updated` by it and OAI-PMH its records' datestamps."""

import datetime

from django.db.models import Max

from archive.models import Article, ArticleDepartment, Authorship, Caption, Section


def last_changes(article_ids=None) -> dict[int, datetime.datetime]:
    """{article id: time of its last recorded change}, for the given ids or every report the
    history knows (deleted ones too). One query: the latest change per article of each history
    table, as one UNION ALL."""
    parts = []
    for model, key in (
        (Article, "id"),
        (Section, "article_id"),
        (Authorship, "article_id"),
        (ArticleDepartment, "article_id"),
        (Caption, "article_id"),
    ):
        rows = model.history.model.objects.exclude(**{f"{key}__isnull": True})
        if article_ids is not None:
            rows = rows.filter(**{f"{key}__in": article_ids})
        parts.append(rows.order_by().values(key).annotate(last=Max("history_date")).values_list(key, "last"))
    latest: dict[int, datetime.datetime] = {}
    for pk, moment in parts[0].union(*parts[1:], all=True):
        if moment is not None and (pk not in latest or moment > latest[pk]):
            latest[pk] = moment
    return latest


def last_change(article) -> datetime.datetime:
    """The article's last change: its history's, or its own timestamp when it has no history
    (a row written around the history, as a bulk load may)."""
    recorded = last_changes([article.pk]).get(article.pk)
    return max(filter(None, (recorded, article.updated_at)))
