"""The article bitset of an exclusion (发展 -学习) is taken from the cached positive term's
bitset, looking only at the articles of the sections taken away (LiveIndex.article_bits_within):
it must be exactly the bitset computed section by section."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.live import LiveIndex
from search.matching import Matcher
from search.parsing import parse
from search.tokens import canonical

pytestmark = pytest.mark.django_db


@pytest.fixture
def index():
    live = LiveIndex(cache_leaves=True)
    live.load_all()
    return live


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_bits_of_a_subset_from_the_whole_equal_bits_counted_section_by_section(index, data):
    whole = set(data.draw(st.sets(st.sampled_from(sorted(index.section_position)), min_size=1, max_size=60)))
    subset = data.draw(st.sets(st.sampled_from(sorted(whole)))) if whole else set()
    bits = index.article_bits_of_sections(whole)
    assert index.article_bits_within(bits, whole, subset) == index.article_bits_of_sections(subset)


@pytest.mark.parametrize("query", ["改革 -发展", "园区 -二分法", "改革 -改革", "发展 -的", "改革 园区 -国企", "株洲 -\"五好园区\""])
def test_an_exclusion_from_a_cached_term_has_the_articles_of_its_sections(index, query):
    tree = parse(query).tree
    matcher = Matcher(index)
    for run in range(2):  # the second run finds the positive terms in the leaf cache
        sections = matcher.evaluate(tree)
        assert matcher.article_bits(tree, sections) == index.article_bits_of_sections(sections), (query, run)
    literal = next(c for c in tree.children if c.__class__.__name__ in ("PlainText", "Phrase"))
    assert index.cached_leaf(canonical(literal.text)) is not None  # the path under test was taken
