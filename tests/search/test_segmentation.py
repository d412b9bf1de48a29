"""One segmentation: catalog names stay whole, and rjieba (the fast path) says exactly what
jieba says on the whole corpus with the user dictionary."""

import pytest

from archive.models import Section
from search import segmentation
from search.normalize import normalize

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("word", ["二分法", "工作项目化", "五好园区", "资规局"])
def test_catalog_names_stay_whole(word):
    assert word in segmentation.words(normalize(f"推进{word}取得成效"))


def test_rjieba_and_jieba_give_the_same_words_on_the_whole_corpus():
    pytest.importorskip("rjieba", reason="rjieba is not installed; jieba alone is in use")
    words = segmentation.user_words()
    fast = segmentation.Segmenter(words, "rjieba")
    reference = segmentation.Segmenter(words, "jieba")
    texts = [normalize(t) for s in Section.objects.select_related("article") for t in (s.heading, s.body, s.article.title)]
    assert len(texts) > 300
    differing = [t for t in texts if fast.cut(t) != reference.cut(t)]
    assert differing == []
