"""Where a count links to: the list of exactly the reports it counts.

A count beside a name ("株洲高新区 3篇" on the 2024 page) stands for a subset of the archive
(株洲高新区's reports of 2024), not for everything the name has. It links to the search page with
no query and the facet values that make that subset (search/facets.py: department, initiative,
year, kind, source, author), whose total is then the same number, and where a reader can narrow
or widen the selection.
"""

from django.urls import reverse

from archive.querystring import querystring


def reports_filtered(**facets) -> str:
    """/search/?department=…&year=2024: the reports that have every one of these facet values."""
    return reverse("search:search") + querystring(**{k: str(v) for k, v in facets.items() if v not in (None, "")})
