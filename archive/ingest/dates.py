"""Dates as printed in reports (2024年10月15日, 二〇二四年十月), with the precision they were printed at."""

import datetime
import re

from archive.models import (
    parse_partial_date,
)

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


_NUM = r"\d{1,2}|[一二三四五六七八九十]{1,3}"


_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[〇○零Ｏ一二三四五六七八九]{{4}})\s*年(?:\s*(?P<m>{_NUM})\s*月(?:\s*(?P<d>{_NUM})\s*日)?)?"
)


DATE_LINE = re.compile(rf"{_DATE.pattern}\s*(?:[（(]?\s*星期[一二三四五六日天]\s*[)）]?)?")


DATE_START = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?[，,]")


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):  # 二〇二二
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(text, 0)


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """A date written the Chinese way, as precisely as it is given: 2022年6月28日 → day,
    2024年11月 → month, 2024年 → year; 二〇二二年六月二十八日 too. None if it is not a valid date."""
    match = _DATE.search(text)
    if not match:
        return None
    parts = [f"{_cn_number(match.group('y')):04d}"]
    for key in ("m", "d"):
        if match.group(key):
            parts.append(f"{_cn_number(match.group(key)):02d}")
    try:
        return parse_partial_date("-".join(parts))
    except ValueError:
        return None
