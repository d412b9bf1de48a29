"""Server-rendered SVG charts: labelled for screen readers, escaped, honest about gaps."""

import re

from archive.reading.charts import Bar, bar_chart, year_bars


def test_year_bars_keep_empty_years_and_link_only_years_with_reports():
    bars = year_bars({2019: 13, 2022: 1, 2024: 7}, url_for=lambda y: f"/years/{y}/")
    assert [b.label for b in bars] == ["2019年", "2020年", "2021年", "2022年", "2023年", "2024年"]
    assert [b.value for b in bars] == [13, 0, 0, 1, 0, 7]
    assert bars[0].url == "/years/2019/" and bars[1].url == ""


def test_year_bars_widen_to_a_span():
    assert [b.label for b in year_bars({2024: 1}, span=(2019, 2025))][0] == "2019年"
    assert year_bars({}) == []


def test_chart_is_an_accessible_image_with_title_and_description():
    svg = str(bar_chart([Bar("2019年", 13), Bar("2020年", 0)], title="各年份报道数量", note="另有1篇日期不详。"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    ids = re.search(r'aria-labelledby="([^ ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{ids[0]}">各年份报道数量</title>' in svg
    assert f'<desc id="{ids[1]}">2019年13篇；2020年0篇。另有1篇日期不详。</desc>' in svg
    assert ">2019年</text>" in svg and ">13</text>" in svg


def test_bar_heights_are_proportional_and_a_small_value_stays_visible():
    svg = str(bar_chart([Bar("a", 1000), Bar("b", 1), Bar("c", 0)], title="t"))
    heights = [int(h) for h in re.findall(r'<rect[^>]* height="(\d+)"', svg)]
    assert heights[0] == 150 and heights[1] == 2 and heights[2] == 0


def test_chart_text_is_escaped():
    svg = str(bar_chart([Bar("<b>&", 1)], title="<script>", unit="篇"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;&amp;" in svg


def test_no_bars_no_chart():
    assert str(bar_chart([], title="空")) == ""
