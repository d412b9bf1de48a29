"""The facet parameters as a django-filter FilterSet: it declares what each parameter filters in
the ORM (for exports and for checking the engine's in-memory counts), and validates values
against what exists. Values that do not exist are dropped with a notice rather than an error.
The date range (date_from, date_to) is read here too, with the same leniency."""

import datetime
import re
from dataclasses import dataclass

import django_filters

from archive.models import Article, parse_partial_date
from search.facets import FACET_LABELS
from search.live import FACETS, LiveIndex, period_end

DATE_PARAMS = {"date_from": "起始日期", "date_to": "截止日期"}
MAX_DATE_CHARS = 20  # of a value that is not a date, quoted in the notice
_DATE = re.compile(r"\d{4}(-\d{1,2}(-\d{1,2})?)?")


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


@dataclass(frozen=True)
class DateRange:
    """From the first day of date_from's period to the last day of date_to's: 2024 to 2024 is
    the whole year, 2024-05 from 2024-05-01. A report dated only by year or month is in the range
    when its period overlaps it (search.live.LiveIndex.period_bits)."""

    start: datetime.date
    end: datetime.date


def _one_value(params, name: str) -> str:
    raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
    if isinstance(raw, str):
        raw = [raw]
    values = [v.strip() for v in raw if isinstance(v, str) and v.strip()]
    return values[-1] if values else ""


def date_range(params) -> tuple[DateRange | None, list[str]]:
    """The range date_from and date_to ask for (YYYY, YYYY-MM or YYYY-MM-DD, either may be left
    out), and notices for values that are not dates (ignored) or a range given backwards (turned
    round). None when neither gives a date."""
    notices, given = [], {}
    for name, label in DATE_PARAMS.items():
        text = _one_value(params or {}, name)
        if not text:
            continue
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            given[name] = parse_partial_date(text)  # (first day of the period, precision)
        except (ValueError, OverflowError):
            notices.append(f"{label}“{text[:MAX_DATE_CHARS]}”不是日期，已忽略。请写成 2024、2024-05 或 2024-05-01。")
    if not given:
        return None, notices
    first, last = given.get("date_from"), given.get("date_to")
    start = first[0] if first else datetime.date.min
    end = period_end(*last) if last else datetime.date.max
    if start > end:
        notices.append("起始日期晚于截止日期，已按从早到晚的顺序检索。")
        start, end = last[0], period_end(*first)
    return DateRange(start, end), notices
