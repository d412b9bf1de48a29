"""The character rules every layer shares (archive.text): the CJK range and the characters that do
not count when text is compared (no database)."""

import re

import pytest

from archive import linking, text
from archive.ingest import tidy
from archive.ingest.corpus import fold_for_comparison


def test_ingest_reads_the_one_cjk_range():
    assert tidy.CJK is text.CJK and tidy.is_cjk is text.is_cjk


@pytest.mark.parametrize(
    "ch, cjk",
    [
        ("改", True),
        ("\u3400", True),  # Extension A
        ("\ufa11", True),  # a compatibility ideograph (﨑)
        ("\u4dc0", False),  # a hexagram symbol, between Extension A and the unified block
        ("。", False),
        ("《", False),
        ("a", False),
        ("", False),
    ],
)
def test_the_cjk_range_holds_ideographs_only(ch, cjk):
    assert text.is_cjk(ch) is cjk
    assert bool(re.fullmatch(f"[{text.CJK}]", ch)) is cjk


@pytest.mark.parametrize("mark", list(text.QUOTATION_MARKS) + [" ", "\u3000", "\t", "\n", "\xa0"])
def test_quotation_marks_and_whitespace_do_not_count_anywhere(mark):
    assert text.folded(f"五{mark}好") == "五好"
    assert linking.fold(f"五{mark}好")[0] == "五好"
    # the curated-corpus check ignores more (all punctuation) but never less
    assert fold_for_comparison(f"五{mark}好") == "五好"


def test_other_punctuation_counts():
    for mark in "，。、（）【】—·":
        assert text.folded(f"五{mark}好") == f"五{mark}好"


def test_fold_maps_each_kept_character_back_to_the_original():
    folded, index = text.fold("“五好” 园区")
    assert folded == "五好园区"
    assert [("“五好” 园区")[i] for i in index] == list("五好园区")


def test_the_regular_expression_class_ignores_exactly_what_fold_ignores():
    pattern = re.compile(f"[{text.IGNORED_CLASS}]")
    for code in range(0x10000):
        ch = chr(code)
        assert bool(pattern.fullmatch(ch)) == text.ignored(ch) == (text.folded(ch) == ""), hex(code)
