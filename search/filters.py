"""The facet parameters as a django-filter FilterSet: it declares what each parameter filters in
the ORM (for exports and for checking the engine's in-memory counts), and validates values
against what exists. Values that do not exist are dropped with a notice rather than an error."""

import django_filters

from archive.models import Article
from search.facets import FACET_LABELS
from search.live import FACETS, LiveIndex


class ArticleFacetFilter(django_filters.FilterSet):
    department = django_filters.MultipleChoiceFilter(field_name="departments__slug", distinct=True, label="部门")
    initiative = django_filters.MultipleChoiceFilter(
        field_name="sections__mentions__initiative__slug", distinct=True, label="改革举措"
    )
    year = django_filters.MultipleChoiceFilter(field_name="date__year", label="年份")
    kind = django_filters.MultipleChoiceFilter(field_name="kind", label="体裁")
    source = django_filters.MultipleChoiceFilter(field_name="source__slug", label="出处")
    author = django_filters.MultipleChoiceFilter(field_name="authors__slug", distinct=True, label="作者")

    class Meta:
        model = Article
        fields = list(FACETS)

    def __init__(self, *args, fmap: LiveIndex, **kwargs):
        super().__init__(*args, **kwargs)
        for facet in FACETS:
            self.filters[facet].extra["choices"] = sorted(fmap.labels[facet].items())


def selected_values(params, fmap: LiveIndex) -> tuple[dict[str, set], list[str]]:
    """The valid selected values per facet from a QueryDict (or dict of lists), and notices for
    values that do not exist."""
    selected: dict[str, set] = {}
    notices = []
    for facet in FACETS:
        raw = params.getlist(facet) if hasattr(params, "getlist") else list(params.get(facet, []))
        values = {v.strip() for v in raw if isinstance(v, str) and v.strip()}
        known = {v for v in values if v in fmap.labels[facet]}
        if values - known:
            notices.append(f"{FACET_LABELS[facet]}筛选中有不存在的值，已忽略。")
        if known:
            selected[facet] = known
    return selected, notices


def filtered_queryset(params, fmap: LiveIndex):
    """The ORM's answer to the same facet selection (published articles): what the engine's
    in-memory filtering must agree with."""
    selected, _ = selected_values(params, fmap)
    data = {facet: sorted(values) for facet, values in selected.items()}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for facet, values in data.items():
        query.setlist(facet, values)
    filterset = ArticleFacetFilter(query, queryset=Article.objects.published(), fmap=fmap)
    if not filterset.is_valid():  # cannot happen after selected_values; say so loudly if it does
        raise ValueError(filterset.errors)
    return filterset.qs
