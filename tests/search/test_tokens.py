"""The character channel and normalisation (no database)."""

from search.normalize import normalize
from search.tokens import BREAK, canonical, contains, gram_stream, units


def test_normalisation_keeps_length_so_offsets_match_the_original():
    text = "資產超市ＡＢＣ　厂BA，改革"
    assert len(normalize(text)) == len(text)
    assert normalize(text) == "资产超市abc 厂ba,改革"


def test_grams_join_adjacent_units_and_break_at_punctuation():
    assert gram_stream("改革，发展") == ["改革", BREAK, "发展"]
    assert gram_stream("8130亩") == ["8130亩"]


def test_spaces_and_quotes_are_transparent():
    assert units("“五好”园区") == units("五好园区") == units("五好 园区")


def test_contains_respects_unit_boundaries():
    assert contains(canonical("保障用地8130亩"), canonical("8130亩"))
    assert not contains(canonical("保障用地18130亩"), canonical("8130亩"))
    assert contains(canonical("改革、发展"), canonical("改革，发展"))
    assert not contains(canonical("改革发展"), canonical("改革，发展"))


def test_the_linker_the_index_and_the_marks_agree_on_book_title_marks():
    """《》 quote a name as “” do: the linker links it, the character channel finds it, the
    result marks cover it and the editors' catalog search folds it, all at the same place (the
    linker used to keep 《》 while the index ignored them)."""
    from types import SimpleNamespace

    from archive import linking
    from archive.editorial.admin.search import fold_name
    from search.snippets import mark_spans

    text = "推进《五好》园区建设"
    patterns = linking.build_patterns([SimpleNamespace(pk=1, names=["五好园区"])])
    [link] = linking.find_mentions(text, "body", patterns)
    assert text[link.start : link.end] == "五好》园区"
    assert contains(canonical(normalize(text)), canonical("五好园区"))
    assert mark_spans(text, ["五好园区"]) == [(link.start, link.end)]
    assert fold_name("《五好》园区") == fold_name("“五好”园区") == fold_name("五好园区")
    assert units("〈五好〉园区") == units("五好园区")
