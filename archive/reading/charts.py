"""Bar charts as plain server-rendered SVG: no chart library, no JavaScript, no web font.

The SVG is inline in the page, so its text inherits the site's CJK font stack. Each chart is
`role="img"` labelled by its own <title> and <desc> (the desc reads every value out), and the
templates put a data table with links beside it for readers who want the numbers or cannot see
the picture. Every piece of text is escaped here; the result is marked safe only at the end.
"""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)

BAR_WIDTH = 44
GAP = 14
PLOT_HEIGHT = 150
TOP = 26  # room for the value over the tallest bar
BOTTOM = 30  # room for the year labels
SIDE = 12


@dataclass(frozen=True)
class Bar:
    label: str  # shown under the bar: 2024年
    value: int
    url: str = ""  # where the data table links the label


def year_bars(counts: dict[int, int], url_for=None, span: tuple[int, int] | None = None) -> list[Bar]:
    """One bar per year from the first year to the last, empty years included, so gaps in the
    record show as gaps rather than being closed up. `span` widens the range (to the archive's
    years, so that two departments' timelines line up)."""
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if span:
        first, last = min(first, span[0]), max(last, span[1])
    return [
        Bar(f"{year}年", counts.get(year, 0), url_for(year) if url_for and counts.get(year) else "")
        for year in range(first, last + 1)
    ]


def bar_chart(bars: list[Bar], *, title: str, unit: str = "篇", note: str = "") -> SafeString:
    """An SVG bar chart. `title` names it (also for screen readers); `unit` follows each value
    in the description (12篇); `note` is added to the description (e.g. what is left out)."""
    if not bars:
        return mark_safe("")
    uid = f"chart{next(_ids)}"
    top_value = max(bar.value for bar in bars) or 1
    width = SIDE * 2 + len(bars) * BAR_WIDTH + (len(bars) - 1) * GAP
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    description = "；".join(f"{bar.label}{bar.value}{unit}" for bar in bars) + "。" + note
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(description)}</desc>',
        f'<line class="axis" x1="{SIDE - 4}" y1="{baseline}" x2="{width - SIDE + 4}" y2="{baseline}"/>',
    ]
    for i, bar in enumerate(bars):
        x = SIDE + i * (BAR_WIDTH + GAP)
        bar_height = round(PLOT_HEIGHT * bar.value / top_value) if bar.value else 0
        if bar.value and bar_height < 2:
            bar_height = 2  # a value is never drawn as nothing
        centre = x + BAR_WIDTH / 2
        parts.append(
            f'<rect class="bar{" empty" if not bar.value else ""}" x="{x}" y="{baseline - bar_height}" '
            f'width="{BAR_WIDTH}" height="{bar_height}"/>'
        )
        parts.append(
            f'<text class="value" x="{centre:g}" y="{baseline - bar_height - 6}" text-anchor="middle">{bar.value}</text>'
        )
        parts.append(
            f'<text class="label" x="{centre:g}" y="{baseline + 20}" text-anchor="middle">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
