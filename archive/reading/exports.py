"""CSV and JSON downloads of any list: reports, departments, initiatives, an initiative's mentions,
search results (search.exports builds its rows with article_records from here).

- CSV is UTF-8 with a byte-order mark, so that Excel and WPS open the Chinese correctly; the header
  row is in Chinese; lists inside a cell are joined with “；”. A cell that starts with = + - @
  (or a tab or carriage return) is prefixed with an apostrophe, so that a spreadsheet shows it
  as text instead of running it as a formula (OWASP, “CSV Injection”).
- JSON has English keys for programs and the values as stored; <, > and & are written as
  \\u003c, \\u003e, \\u0026 (still the same JSON), so a response read as HTML by mistake carries
  no markup.
"""

import csv
import io
import json
from urllib.parse import quote

from django.http import HttpResponse

from archive.models import format_date
from archive.reading.selectors.articles import initiatives_named

FORMATS = ("csv", "json")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "；"

ARTICLE_COLUMNS = [
    ("id", "编号"),
    ("title", "标题"),
    ("subtitle", "副标题"),
    ("kind", "体裁"),
    ("date", "日期"),
    ("date_display", "日期（按精度）"),
    ("date_inferred", "日期系推定"),
    ("source", "出处"),
    ("series", "专栏/系列"),
    ("series_order", "系列内序号"),
    ("doc_number", "文号"),
    ("authors", "作者"),
    ("departments", "相关单位"),
    ("initiatives", "改革举措"),
    ("url", "网址"),
]


def neutralise(value: str) -> str:
    """A cell a spreadsheet will not evaluate: '=1+1 for =1+1."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def iso_partial_date(article) -> str:
    """The date cell of every export: 2024, 2024-11 or 2024-11-05 (format_date's rule), empty
    when the date is not known."""
    return format_date(article.date, article.date_precision, iso=True, unknown="")


def article_records(articles, absolute) -> list[dict]:
    """One dict per article (prefetched with with_relations); `absolute` turns a path
    into a full URL."""
    records = []
    for article in articles:
        records.append(
            {
                "id": article.pk,
                "title": article.title,
                "subtitle": article.subtitle,
                "kind": article.get_kind_display(),
                "date": iso_partial_date(article),
                "date_display": format_date(article.date, article.date_precision, inferred=article.date_inferred),
                "date_inferred": article.date_inferred,
                "source": article.source.name if article.source else "",
                "series": article.series.name if article.series else "",
                "series_order": article.series_order,
                "doc_number": article.doc_number,
                "authors": [
                    a.person.name + (f"（{a.position}）" if a.position else "") for a in article.authorships.all()
                ],
                "departments": [
                    f"{r.department.name}（{r.get_role_display()}）" for r in article.department_roles.all()
                ],
                "initiatives": [i.name for i in initiatives_named(article)],
                "url": absolute(article.get_absolute_url()),
            }
        )
    return records


def export_response(fmt: str, *, title: str, file_stem: str, columns, records, page_url: str = "", extra=None):
    """The download of `records` (a list of dicts with the column keys) as CSV or JSON."""
    if fmt == "json":
        payload = {"title": title, "url": page_url, "count": len(records), **(extra or {}), "results": records}
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([label for _, label in columns])
        for record in records:
            writer.writerow([csv_cell(record.get(key)) for key, _ in columns])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{file_stem}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return response


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # a yes/no column, such as 日期系推定: 是 or empty
        return "是" if value else ""
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    return neutralise(str(value))
