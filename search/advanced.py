"""The advanced-search form (高级检索): boxes for all words, an exact phrase, excluded words, the
title, author, department, 文号, caption and a date range, turned into one query in the search
box's syntax (search.parsing) plus date_from/date_to, so that its results are an ordinary,
shareable search URL:

    >>> build_query({"all": "园区 改革", "phrase": "五好园区", "exclude": "株洲", "author": "毛腾飞"})
    '园区 改革 "五好园区" -株洲 author:毛腾飞'

No JavaScript: the form is sent to the search page with `advanced=1`, which redirects to the
search it builds (search.views).
"""

import datetime

from django.urls import reverse

from archive.models import format_date
from archive.querystring import querystring
from search.filters import DATE_PARAMS

MARKER = "advanced"  # the parameter the form sends along
MAX_BOX_CHARS = 200
# the form's boxes, in order: (name, label, what the box becomes)
BOXES = (
    ("all", "包含全部词语", "空格隔开，每个词都要有"),
    ("phrase", "包含完整词句", "一字不差、连在一起"),
    ("exclude", "不包含词语", "空格隔开，有其中任一个的不要"),
    ("title", "标题含有", "只查标题和副标题"),
    ("author", "作者", "署名中的姓名或职务"),
    ("dept", "发文机关/部门", "全称、简称都可以"),
    ("docno", "文号", "如 株工信字"),
    ("caption", "图片说明含有", "只查图片说明"),
)
FIELD_BOXES = ("title", "author", "dept", "docno", "caption")


def submitted(params) -> bool:
    return bool(params.get(MARKER))


def _box(params, name: str) -> str:
    value = params.get(name, "")
    return value[:MAX_BOX_CHARS] if isinstance(value, str) else ""


def _words(text: str) -> list[str]:
    """The words of a box, quotation marks dropped (each box says how its words combine)."""
    return [w for w in text.replace('"', " ").replace("“", " ").replace("”", " ").split() if w.strip("-")]


def build_query(params) -> str:
    """The query the boxes ask for, in the search box's syntax."""
    parts = []
    all_words = _box(params, "all").strip()
    if all_words:
        parts.append(all_words)  # as typed: it may use the syntax itself
    phrase = " ".join(_words(_box(params, "phrase")))
    if phrase:
        parts.append(f'"{phrase}"')
    parts += [f"-{word.lstrip('-')}" for word in _words(_box(params, "exclude"))]
    for field in FIELD_BOXES:
        parts += [f"{field}:{word}" for word in _words(_box(params, field))]
    return " ".join(parts)


def target_url(params) -> str:
    """The search page for what the form asks: the built query and the dates, nothing else."""
    dates = {name: _box(params, name).strip() or None for name in DATE_PARAMS}
    return reverse("search:search") + querystring(q=build_query(params) or None, **dates)


def form(params, results) -> dict:
    """What the form shows: its boxes (all words holding the current query, to refine it), the
    dates asked for, and the range searched, with a link that drops it."""
    boxes = [
        {"name": name, "label": label, "help": help_text, "value": results.q[:MAX_BOX_CHARS] if name == "all" else ""}
        for name, label, help_text in BOXES
    ]
    dates = {name: _box(params, name).strip()[:20] for name in DATE_PARAMS}
    return {
        "boxes": boxes,
        "dates": dates,
        "range": range_text(results.dates),
        "open": any(dates.values()),
        "without_dates_url": querystring(params, page=None, **{name: None for name in DATE_PARAMS}),
    }


def range_text(dates) -> str:
    """The range searched, as a reader reads it: 2024年1月1日至2024年12月31日, 2024年1月1日以后…"""
    if dates is None:
        return ""
    start = "" if dates.start == datetime.date.min else format_date(dates.start, "day")
    end = "" if dates.end == datetime.date.max else format_date(dates.end, "day")
    if start and end:
        return f"{start}至{end}"
    return f"{start}以后" if start else f"{end}以前"
