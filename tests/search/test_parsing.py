"""User text → query tree: the syntax works, and nothing a user types raises."""

import pytest

from search.parsing import MAX_QUERY_CHARS, parse
from search.query import And, Not, Or, Phrase, PlainText, positive_terms


def test_spaces_separate_terms_that_must_all_match():
    assert parse("二分法 五好园区").tree == And((PlainText("二分法"), PlainText("五好园区")))


def test_quotes_make_a_phrase():
    assert parse('"国企改革"').tree == Phrase("国企改革")
    assert parse("“国企改革”").tree == Phrase("国企改革")


def test_minus_excludes_a_term():
    assert parse("园区 -五好园区").tree == And((PlainText("园区"), Not(PlainText("五好园区"))))


def test_or_joins_alternatives():
    assert parse("保交楼 OR 二分法 OR 资产超市").tree == Or(
        (PlainText("保交楼"), PlainText("二分法"), PlainText("资产超市"))
    )


def test_lower_case_or_is_a_word_and_dangling_or_is_dropped():
    assert parse("x or y").tree == And((PlainText("x"), PlainText("or"), PlainText("y")))
    assert parse("OR 改革 OR").tree == PlainText("改革")


def test_unbalanced_quote_is_text():
    assert parse('"国企改革').tree == PlainText("国企改革")


def test_full_width_and_traditional_and_case_are_normalised():
    assert parse("資產超市 ＡＢＣ 厂BA").tree == And((PlainText("资产超市"), PlainText("abc"), PlainText("厂ba")))


def test_nothing_searchable_means_browse():
    for text in ["", "   ", "-", '""', "😀🎉", "（）、。", "\x00\x01"]:
        assert parse(text).tree is None, text


def test_only_exclusions_say_so():
    parsed = parse("-保交楼")
    assert parsed.tree == Not(PlainText("保交楼")) and parsed.notices


def test_a_long_query_is_truncated_with_a_notice():
    parsed = parse("改革" * 5000)
    assert parsed.notices and len(parsed.tree.text) <= MAX_QUERY_CHARS


@pytest.mark.parametrize(
    "text",
    [
        '"', '""""', "a-b", "x:y", "AND", "NOT", "NEAR(a b)", "(", ")", "*", "改革*", "^改革", "'; DROP TABLE archive_article; --",
        "<script>alert(1)</script>", "</mark>", "&amp;", "\ud800", "改革\u200b发展", "\x00", "a" * 10000, "改革 " * 500,
        "{title}: 改革", "col:改革", "改革 & 发展 | !开放", "'改革':*", "改革<->发展", "\\", "%_", "🇨🇳改革",
    ],
)
def test_hostile_text_never_raises_and_leaves_only_clean_terms(text):
    parsed = parse(text)
    for leaf in positive_terms(parsed.tree) if parsed.tree is not None else []:
        assert leaf.text.strip() and len(leaf.text) <= MAX_QUERY_CHARS
        assert not any(ord(ch) < 32 or "\ud800" <= ch <= "\udfff" for ch in leaf.text)
