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


@pytest.mark.parametrize(
    "raw, multiline, stored",
    [
        ("工作项目\x0b化", False, "工作项目 化"),  # a vertical tab keeps the words apart
        ("第一页\x0c第二页", True, "第一页\n第二页"),  # a form feed is a page break: a new line
        ("甲\x85乙", True, "甲\n乙"),  # NEL
        ("甲\x85乙", False, "甲 乙"),
        ("甲\t乙\n丙\r\n丁", True, "甲\t乙\n丙\r\n丁"),  # tab and line endings stay in a text
        ("甲\t乙\n丙", False, "甲 乙 丙"),  # and are spaces in a one-line field
        ("\x00甲\x01\x08\x0e\x1f\x7f乙\x80\x9f", True, "甲乙"),  # other C0, DEL and C1 go
        ("甲\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff乙", True, "甲乙"),  # noncharacters
        ("甲\ud800乙\udfff", False, "甲乙"),  # unpaired surrogates
        ("“二分法”　改革\u2028", False, "“二分法”　改革\u2028"),  # anything else is text
        ("", True, ""),
    ],
)
def test_stored_text_drops_or_maps_controls_and_noncharacters(raw, multiline, stored):
    assert text.stored_text(raw, multiline=multiline) == stored


def test_unstorable_names_each_noncharacter_and_surrogate_once():
    assert text.unstorable("甲\ufffe乙\ufffe\ud800\U0001ffff\x0b") == ["U+FFFE", "U+D800", "U+1FFFF"]
    assert text.unstorable("工作项目化\x0b") == []


def test_stored_text_leaves_nothing_xml_cannot_carry():
    every = "".join(chr(c) for c in range(0x20)) + "\x7f\x85\x9f\ufffe\uffff\ud800"
    for multiline in (True, False):
        stored = text.stored_text(every, multiline=multiline)
        assert text.xml_safe(stored) == stored
