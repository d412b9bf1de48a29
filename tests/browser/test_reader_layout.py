"""The reader's layout in Chromium: on a phone the search results come first and the facets wait
behind 筛选; on a wide screen the facets stay beside the results; the concordance on an initiative
page cuts its context at a whole character, never through one."""

import io
from urllib.parse import quote

import pytest
from PIL import Image

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SEARCH = "/search/?q=" + quote("改革")
INITIATIVE = "/initiatives/yuanqu-tizhi-jizhi-gaige/"


def _first_hit_top(page) -> int:
    return page.evaluate("Math.round(document.querySelector('.hit').getBoundingClientRect().top + scrollY)")


def test_first_search_result_is_on_the_first_phone_screen(archive_server, phone, screenshot):
    phone.goto(archive_server.url + SEARCH)
    top = _first_hit_top(phone)
    screenshot(phone, "layout-search-phone")
    print(f"first result's top at 390×844: {top} px")
    assert top + 40 < phone.viewport_size["height"], f"the first result starts {top}px down an 844px screen"
    panel = phone.locator("details.facet-panel")
    assert not panel.evaluate("e => e.open")
    assert not phone.locator("#facet-year").is_visible()
    # The facets are one tap away, without any script.
    phone.locator("details.facet-panel > summary").click()
    assert phone.locator("#facet-year").is_visible()


def test_phone_filter_control_counts_the_selected_filters(archive_server, phone):
    phone.goto(archive_server.url + SEARCH + "&year=2024&kind=news")
    summary = phone.locator("details.facet-panel > summary")
    assert summary.inner_text().replace(" ", "") == "筛选（已选2项）"
    assert _first_hit_top(phone) < phone.viewport_size["height"]


def test_facets_stay_beside_the_results_on_a_wide_screen(archive_server, page):
    page.goto(archive_server.url + SEARCH)
    assert page.locator("#facet-year").is_visible()
    assert not page.locator("details.facet-panel > summary").is_visible()
    facets = page.locator("aside.facets").bounding_box()
    results = page.locator("section.results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]


def test_concordance_cuts_context_at_a_whole_character(archive_server, page, screenshot):
    """A glyph cut in half leaves ink at the very left edge of the context's box; a cut at a
    whole character leaves the ellipsis there, clear of the edge."""
    page.goto(archive_server.url + INITIATIVE)
    screenshot(page, "layout-initiative-concordance")
    boxes = page.locator(".kwic-line .before")
    assert boxes.count() >= 5
    cut = []
    for i in range(boxes.count()):
        image = Image.open(io.BytesIO(boxes.nth(i).screenshot())).convert("L")
        darkest = min(image.getpixel((x, y)) for x in range(2) for y in range(image.height))
        if darkest < 160:
            cut.append((i, boxes.nth(i).inner_text()[:12], darkest))
    assert not cut, f"characters cut at the left edge of the concordance: {cut}"
