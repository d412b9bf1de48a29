"""Hostile input, fuzzed: whatever reaches the query parser, the search function, the JSON API or
any filter parameter, the answer is a page, never an error, and fast. The number of cases each
test ran is printed at the end of the run."""

import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import search
from search.parsing import parse

pytestmark = pytest.mark.django_db

CASES: dict[str, int] = {}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

SYNTAX = ['"', "-", " OR ", "(", ")", "*", ":", "^", "NEAR", "AND", "NOT", "{", "}", "'", "\\", "%", "_", "&", "|", "!", "<->",
          ":*", ";", "--", "/*", "*/", "<script>", "</mark>", "&amp;", "\x00", "\u200b", "\ufeff", "\u202e", "\r\n", "\t",
          "title:", "author:", "dept:", "docno:", "caption:", "作者：", "-title:", 'title:"', "：", "\x03"]
CJK = "改革园区二分法五好工作项目化株洲資產超市國企"
hostile_text = st.lists(
    st.one_of(
        st.sampled_from(SYNTAX),
        st.text(alphabet=CJK, min_size=1, max_size=6),
        st.text(st.characters(codec="utf-8"), max_size=8),
        st.text(st.characters(blacklist_categories=()), max_size=4),  # surrogates, controls
        st.sampled_from(["😀", "🇨🇳", "a" * 300, "改革" * 200, "SELECT * FROM archive_article", "1=1", "' OR '1'='1"]),
    ),
    max_size=12,
).map("".join)
page_values = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "abc", "1e9", "0x10", "９", "NaN", "-0", " 3 ", "1;DROP"]),
)
facet_names = st.sampled_from(["department", "initiative", "year", "kind", "source", "author", "sort", "page", "unknown", "q",
                               "date_from", "date_to"])
date_values = st.one_of(
    st.sampled_from(["2024", "2024-05", "2024-05-01", "2024-02-30", "0000", "9999-12-31", "2025-13", "２０２４"]),
    st.dates().map(str), st.integers().map(str),
)


def count(name):
    CASES[name] = CASES.get(name, 0) + 1


@FUZZ
@given(text=hostile_text)
def test_the_parser_takes_anything(text):
    count("parser")
    parse(text)


@FUZZ
@given(text=hostile_text, page=page_values, sort=st.sampled_from(["relevance", "newest", "oldest", "", "x' --"]))
def test_the_search_function_takes_anything(text, page, sort):
    count("search function")
    started = time.monotonic()
    results = search(text, {}, sort=sort, page=page)
    assert results.page >= 1 and results.total >= 0
    assert time.monotonic() - started < 5


@FUZZ
@given(
    text=hostile_text,
    extra=st.lists(st.tuples(facet_names, st.one_of(hostile_text, page_values, date_values)), max_size=6),
)
def test_the_api_and_the_page_answer_every_parameter(client, text, extra):
    count("api + page")
    query = "&".join([f"q={quote(text.encode('utf-8', 'surrogatepass'), safe='')}"] + [
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in extra
    ])
    for path in ("/api/search", "/search/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query, response.content[:300])
        assert b"<script>" not in response.content.replace(b'<script type="application/ld+json">', b"")


@pytest.mark.parametrize(
    "raw",
    ["q=%ED%A0%80", "q=%FF%FE", "q=%00", "page=%ED%A0%80", "department=%C0%AF", "q=" + "%E6%94%B9" * 40000],
)
def test_invalid_utf8_and_huge_urls_get_answers(client, raw):
    count("raw urls")
    for path in ("/api/search", "/search/"):
        assert client.get(f"{path}?{raw}").status_code == 200


def test_a_100_kb_query_is_truncated_with_a_notice_and_stays_fast():
    count("100 kB query")
    started = time.monotonic()
    results = search("改革 " * 34000)
    assert any("过长" in n for n in results.notices)
    assert time.monotonic() - started < 5
