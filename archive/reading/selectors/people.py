"""A person's page: bylines as printed and co-authors."""

from django.db.models import Count

from archive.models import (
    Authorship,
    Person,
    published_q,
)
from archive.querystring import querystring


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
    articles = Authorship.objects.filter(published_q("article"), person=person).values("article_id")
    rows = (
        Authorship.objects.filter(article_id__in=articles)
        .exclude(person=person)
        .order_by()
        .values("person__name", "person__slug")
        .annotate(reports=Count("article", distinct=True))
        .order_by("-reports", "person__name")[:limit]
    )
    return [
        {
            "name": r["person__name"],
            "url": Person(slug=r["person__slug"]).get_absolute_url(),
            "reports": r["reports"],
            # The count links to the reports the two signed together (listings.signed_together).
            "list_url": person.get_absolute_url() + querystring(**{"with": r["person__slug"]}),
        }
        for r in rows
    ]
