"""Who a report is credited to, for every machine-readable copy of it (feeds, OAI-PMH, the
article's JSON): the persons of its byline in order, or, when no person is named, the issuing
unit (a department in the author role), as the citation names them (archive/reading/citation.py).

The article's authorships (with person) and department_roles (with department) are expected to
be prefetched (with_relations or with_page_relations)."""

from archive.models import ArticleDepartment, Authorship

# Photographers are credited on the page but are not the report's authors (GB/T 7714 8.1.2).
CREDITED_ROLES = {Authorship.Role.AUTHOR, Authorship.Role.REPORTER, Authorship.Role.CORRESPONDENT}


def byline_names(article) -> list[str]:
    return [a.person.name for a in article.authorships.all() if a.role in CREDITED_ROLES]


def issuing_units(article) -> list[str]:
    return [r.department.name for r in article.department_roles.all() if r.role == ArticleDepartment.Role.AUTHOR]


def creators(article) -> list[str]:
    """The byline's names, else the issuing units' names; empty when the report names neither."""
    return byline_names(article) or issuing_units(article)
