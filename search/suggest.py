"""Prefix suggestions across initiative names (and aliases), department names and titles."""

from django.db.models import Q

from archive.models import Article, Department, Initiative
from search.normalize import normalize

LIMIT = 10


def suggestions(prefix: str, limit: int = LIMIT) -> list[dict]:
    prefix = normalize((prefix or "").strip())[:50]
    if not prefix or any(ord(ch) < 32 for ch in prefix):
        return []
    out: list[dict] = []
    for initiative in Initiative.objects.order_by("name"):
        match = next((n for n in initiative.names if normalize(n).startswith(prefix)), None)
        if match:
            out.append({"kind": "initiative", "label": initiative.name, "matched": match, "url": initiative.get_absolute_url()})
    for department in Department.objects.order_by("name"):
        match = next((n for n in department.names if normalize(n).startswith(prefix)), None)
        if match:
            out.append({"kind": "department", "label": department.name, "matched": match, "url": department.get_absolute_url()})
    titles = Article.objects.published().filter(Q(title__startswith=prefix) | Q(title__contains=prefix)).order_by("-date")[:limit]
    for article in titles:
        out.append({"kind": "article", "label": article.title, "matched": article.title, "url": article.get_absolute_url()})
    out.sort(key=lambda s: (not normalize(s["matched"]).startswith(prefix), {"initiative": 0, "department": 1, "article": 2}[s["kind"]]))
    return out[:limit]
