"""The serving path: outside a transaction the live index and its leaf cache are shared and
follow the change log; every committed edit shows in the next search."""

import pytest
from django.core.management import call_command

from archive.models import ArticleDepartment, Department, Section
from search import live
from search.engine import search
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_index():
    live.forget()
    yield
    live.forget()



def slugs(query, params=None):
    return {hit.article.slug for hit in search(query, params, page_size=100).hits}


def test_a_committed_edit_reaches_the_shared_index_and_its_cached_leaves(shared_index):
    publish("live-a", "甲乙丙丁在此。")
    assert slugs("甲乙丙丁") == {"live-a"}
    assert live.live_index().cached_leaf is not None and live.live_index().leaves  # the leaf is cached
    shared = live.live_index()
    publish("live-b", "这里也有甲乙丙丁。")
    assert slugs("甲乙丙丁") == {"live-a", "live-b"}
    assert live.live_index() is shared  # followed the log, was not rebuilt
    section = Section.objects.get(article__slug="live-a")
    section.body = "改成了戊己庚辛。"
    section.save()
    assert slugs("甲乙丙丁") == {"live-b"}
    assert slugs("戊己庚辛") == {"live-a"}


def test_unpublishing_and_deleting_leave_the_shared_index(shared_index):
    a = publish("live-c", "子丑寅卯。")
    b = publish("live-d", "子丑寅卯又一篇。")
    assert slugs("子丑寅卯") == {"live-c", "live-d"}
    a.status = "draft"
    a.save()
    b.delete()
    assert slugs("子丑寅卯") == set()
    assert search("", page_size=100).total == 0


def test_facet_counts_follow_new_department_links(shared_index):
    department = Department.objects.create(name="测验局", kind="government", slug="test-bureau")
    article = publish("live-e", "辰巳午未。")
    before = {v["value"]: v["count"] for v in search("辰巳午未").facets["department"]}
    assert "test-bureau" not in before
    ArticleDepartment.objects.create(article=article, department=department, role="subject")
    from django.http import QueryDict

    after = search("辰巳午未", QueryDict("department=test-bureau"))
    assert after.total == 1
    assert {v["value"]: v["count"] for v in after.facets["department"]}["test-bureau"] == 1


def test_a_rebuild_reloads_the_shared_index(shared_index):
    publish("live-f", "申酉戌亥。")
    assert slugs("申酉戌亥") == {"live-f"}
    call_command("rebuild_index", verbosity=0)
    assert slugs("申酉戌亥") == {"live-f"}
    assert live.live_index().last_change > 0


def test_a_cached_terms_article_bits_are_patched_through_edits_and_stay_exact(shared_index):
    """An edit does not drop a cached term's article bitset: it is patched for the changed
    articles, and after any run of edits it equals the bitset counted from the term's sections."""
    articles = [publish(f"live-g{i}", f"第{i}篇，甲子乙丑在此。" if i % 2 else f"第{i}篇，无关。") for i in range(6)]
    assert slugs("甲子乙丑") == {"live-g1", "live-g3", "live-g5"}
    index = live.live_index()
    key = next(k for k in index.leaves)
    assert index.leaf_article_bits(key) is not None

    def exact():
        leaf = index.leaves[key]
        assert leaf.bits == index.article_bits_of_sections(leaf.ids())

    section = articles[1].sections.get()
    section.body = "不再有那四个字。"
    section.save()  # loses the term
    assert slugs("甲子乙丑") == {"live-g3", "live-g5"}
    exact()
    section = articles[2].sections.get()
    section.body = "新加上甲子乙丑。"
    section.save()  # gains it
    articles[3].status = "draft"
    articles[3].save()  # leaves the index
    articles[5].delete()
    publish("live-g6", "后来的甲子乙丑。")  # a new article, a new position
    assert slugs("甲子乙丑") == {"live-g2", "live-g6"}
    assert live.live_index() is index
    exact()
    assert search("甲子乙丑").total == 2


def test_articles_with_the_same_facet_values_share_them(shared_index):
    first, second = publish("live-share-a", "同一年同一体裁。"), publish("live-share-b", "又一篇同年同体裁。")
    index = live.live_index()
    a, b = index.articles[first.pk].values, index.articles[second.pk].values
    assert a["kind"] == ("news",) and a["year"] == ("2024",)
    assert a["kind"] is b["kind"] and a["year"] is b["year"]  # one tuple for both, not a copy each
    assert dict(a) == dict(b) and set(a) == set(live.FACETS)
