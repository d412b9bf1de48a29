"""Newspaper mastheads and page headers: `株洲日报 2024年10月15日 第2版` names the paper (the
source), the date at the precision printed, and the page (版次)."""

import re
from dataclasses import dataclass

from archive.ingest.dates import parse_date

_PAPER = re.compile(r"(?P<paper>[\u4e00-\u9fff]{2,12}?(?:日报|晚报|时报|商报|都市报|经济报|新闻报|报))")
_PAGE = re.compile(r"第\s*(?P<page>[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*版")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?")


@dataclass
class Masthead:
    source: str = ""
    date: object = None
    date_precision: str = ""
    page: str = ""


def parse_masthead(text: str) -> Masthead | None:
    """What a masthead line says, or None when it names neither a paper nor a page."""
    s = re.sub(r"\s+", " ", text.strip())
    found = Masthead()
    paper = _PAPER.search(s)
    if paper and paper.start() <= 12:
        found.source = paper.group("paper")
    page = _PAGE.search(s)
    if page:
        found.page = f"第{page.group('page')}版"
    date = _DATE.search(s)
    if date:
        parsed = parse_date(re.sub(r"\s+", "", date.group(0)))
        if parsed:
            found.date, found.date_precision = parsed
    if not (found.source or found.page):
        return None
    return found
