"""The scoped cache (search.memo): a remembered search or page digest survives edits to
articles outside its scope, and is dropped, and computed afresh, by an edit inside it, or by an
edit that makes another article match."""

import pytest

from archive.models import Department, Initiative
from search import memo
from search.engine import search
from tests.search.helpers import digest_figures, edit, grouped_in_the_database, publish

pytestmark = pytest.mark.django_db(transaction=True)


def slugs(results):
    return [hit.article.slug for hit in results.hits]


def counted(fn):
    before = dict(memo.stats)
    value = fn()
    return value, {k: memo.stats[k] - before[k] for k in before}


def test_an_edit_outside_a_searchs_articles_keeps_it_remembered(shared_index):
    publish("memo-a", "甲乙丙丁在此。")
    other = publish("memo-b", "毫不相干的文字。")
    first = search("甲乙丙丁")
    edit(other, "仍然毫不相干，改过一次。")
    again, stats = counted(lambda: search("甲乙丙丁"))
    assert stats == {"hits": 1, "misses": 0, "dropped": 0, "patched": 0}
    assert slugs(again) == slugs(first) == ["memo-a"] and again.total == 1


def test_an_edit_that_makes_another_article_match_drops_the_remembered_search(shared_index):
    publish("memo-c", "甲乙丙丁在此。")
    other = publish("memo-d", "毫不相干的文字。")
    assert slugs(search("甲乙丙丁")) == ["memo-c"]
    edit(other, "现在也写到了甲乙丙丁。")
    again, stats = counted(lambda: search("甲乙丙丁"))
    assert stats["dropped"] == 1 and stats["hits"] == 0
    assert set(slugs(again)) == {"memo-c", "memo-d"} and again.total == 2


def test_an_edit_inside_a_searchs_articles_drops_it(shared_index):
    matched = publish("memo-e", "甲乙丙丁在此。")
    publish("memo-f", "甲乙丙丁又一篇。")
    assert search("甲乙丙丁").total == 2
    edit(matched, "甲乙丙丁删去了。".replace("甲乙丙丁", "戊己"))
    again, stats = counted(lambda: search("甲乙丙丁"))
    assert stats["dropped"] == 1
    assert slugs(again) == ["memo-f"]


def test_an_exclusion_is_dropped_when_an_edit_brings_a_new_match(shared_index):
    publish("memo-g", "发展甲乙。")
    other = publish("memo-h", "发展甲乙，还有学习。")
    assert slugs(search("发展 -学习")) == ["memo-g"]
    edit(other, "发展甲乙，不再提那个词。")
    again, stats = counted(lambda: search("发展 -学习"))
    assert stats["dropped"] == 1
    assert set(slugs(again)) == {"memo-g", "memo-h"}


def test_a_browse_without_query_depends_on_every_article(shared_index):
    first = publish("memo-i", "第一篇。")
    assert search("").total == 1
    edit(first, "第一篇，改过。")
    _, stats = counted(lambda: search(""))
    assert stats["dropped"] == 1


def test_a_catalog_change_drops_everything_remembered(shared_index):
    publish("memo-j", "甲乙丙丁在此。")
    search("甲乙丙丁")
    Department.objects.create(name="测验局", slug="ceyan-ju")
    _, stats = counted(lambda: search("甲乙丙丁"))
    assert stats["hits"] == 0


def test_remember_is_bypassed_inside_a_transaction(shared_index):
    from django.db import transaction

    calls = []
    with transaction.atomic():
        for _ in range(2):
            memo.remember("key", lambda: calls.append(1), scope=lambda live, value: memo.EVERYTHING)
    assert len(calls) == 2


def initiative_page_numbers(client, slug):
    page = client.get(f"/initiatives/{slug}/")
    return page.context["report_count"], page.context["mention_total"], page.context["page"].paginator.count


def test_an_initiative_page_follows_an_edit_that_names_it_and_keeps_its_digest_through_others(shared_index, client):
    from archive.reading.selectors.initiatives import initiative_digest

    initiative = Initiative.objects.create(name="测验举措甲", slug="ceyan-a", category="other")
    naming = publish("memo-k", "推行测验举措甲。")
    other = publish("memo-l", "毫不相干的文字。")
    assert initiative_page_numbers(client, "ceyan-a") == (1, 1, 1)
    digest = initiative_digest(initiative)
    edit(other, "仍不相干。")
    assert initiative_page_numbers(client, "ceyan-a") == (1, 1, 1)
    assert initiative_digest(initiative) is digest  # remembered through the other report's edit
    edit(other, "这里也推行测验举措甲，测验举措甲见效。")
    (numbers, stats) = counted(lambda: initiative_page_numbers(client, "ceyan-a"))
    assert numbers == (2, 3, 2) and stats["patched"] == 1
    edit(naming, "不再提。")
    assert initiative_page_numbers(client, "ceyan-a") == (1, 2, 1)


def test_a_department_page_follows_its_reports_and_a_renamed_author(shared_index, client):
    from archive.models import ArticleDepartment, Authorship, Person

    department = Department.objects.create(name="测验局", slug="ceyan-ju")
    person = Person.objects.create(name="张测验", slug="zhang-ceyan")
    article = publish("memo-m", "第一篇。")
    ArticleDepartment.objects.create(article=article, department=department)
    Authorship.objects.create(article=article, person=person, order=1)
    page = client.get("/departments/ceyan-ju/")
    assert [a["name"] for a in page.context["authors"]] == ["张测验"]
    person.name = "张校订"
    person.save()
    assert [a["name"] for a in client.get("/departments/ceyan-ju/").context["authors"]] == ["张校订"]
    second = publish("memo-n", "第二篇。")
    ArticleDepartment.objects.create(article=second, department=department)
    page = client.get("/departments/ceyan-ju/")
    assert page.context["page"].paginator.count == 2
    assert sum(bar.value for bar in page.context["chart"]["bars"]) == 2


def test_a_patched_initiative_digest_equals_one_counted_afresh(shared_index):
    """Per report shares moved by the difference give what the grouped queries over every
    mention give: pages, years, reports and the initiatives named together."""
    from archive.reading.selectors.initiatives import initiative_digest

    first = Initiative.objects.create(name="测验举措乙", slug="ceyan-b", category="other")
    Initiative.objects.create(name="测验举措丙", slug="ceyan-c", category="other")
    reports = [publish(f"memo-p{i}", f"第{i}篇：测验举措乙。" + ("另有测验举措丙。" if i % 2 else "")) for i in range(4)]
    digest = initiative_digest(first)
    edit(reports[0], "测验举措乙和测验举措丙，测验举措乙。")
    edit(reports[1], "都不提了。")
    patched = initiative_digest(first)
    assert patched is not digest
    assert digest_figures(patched) == grouped_in_the_database(first)
    assert patched.together == [{"name": "测验举措丙", "slug": "ceyan-c", "url": "/initiatives/ceyan-c/", "sections": 2}]
    assert patched.report_count == 3


def snapshot(results):
    return (
        results.total,
        [(hit.article.pk, hit.section.pk, hit.score, hit.more_sections, str(hit.snippet)) for hit in results.hits],
        results.facets,
        results.notices,
    )


@pytest.mark.parametrize("seed", [5, 7, 8])
def test_remembered_searches_equal_fresh_ones_through_random_edits(shared_index, monkeypatch, seed):
    """Random edits (text that gains or loses the terms, department links, withdrawal and
    publication) between searches: every remembered result, kept, patched or dropped, is the one
    a search computed afresh gives. A small ranking limit and page make the ranking-pool and page
    rules matter."""
    import random

    from archive.models import ArticleDepartment
    from search import engine

    monkeypatch.setattr(engine, "RANK_LIMIT", 2)
    rng = random.Random(seed)
    words = ["改革", "发展", "园区", "项目", "招商", "服务"]
    departments = [Department.objects.create(name=f"测验{i}局", slug=f"ceyan-{i}") for i in range(3)]
    articles = [publish(f"memo-r{i}", "，".join(rng.sample(words, 3)) + "。") for i in range(14)]
    queries = ["改革", "园区", "改革 -招商", "项目 服务", '"发展"', ""]
    options = dict(sort="relevance", page=1, page_size=2, facet_filters=None)
    kept = 0
    for step in range(40):
        article = rng.choice(articles)
        action = rng.random()
        if action < 0.6:
            edit(article, "，".join(rng.sample(words, rng.randint(1, 4))) + "。")
        elif action < 0.8:
            department = rng.choice(departments)
            link = ArticleDepartment.objects.filter(article=article, department=department)
            link.delete() if link.exists() else ArticleDepartment.objects.create(article=article, department=department)
        else:
            article.status = "draft" if article.status == "published" else "published"
            article.save()
        for q in queries:
            before = memo.stats["patched"]
            remembered = search(q, None, **{k: v for k, v in options.items() if k != "facet_filters"})
            kept += memo.stats["patched"] - before
            saved = dict(memo._entries)
            memo.forget()
            fresh = engine._search(q, {}, **options)
            memo._entries.update(saved)
            assert snapshot(remembered) == snapshot(fresh), (step, q)
    assert kept > 0  # some results were kept through edits to their own articles


def test_per_request_links_never_leak_into_a_shared_remembered_result(client, shared_index):
    """Two requests that share one remembered search but differ in their other parameters: each
    page's facet links carry its own parameters, and the remembered result carries none."""
    from search.facets import FACETS

    publish("leak-a", "甲乙丙丁的第一篇。")
    publish("leak-b", "甲乙丙丁的第二篇。")
    first = client.get("/search/", {"q": "甲乙丙丁", "more": "initiative"}).content.decode()
    second = client.get("/search/", {"q": "甲乙丙丁", "view": "plain"}).content.decode()
    links = {page: [part.split('"')[0] for part in html.split('href="?')[1:]] for page, html in (("first", first), ("second", second))}
    toggles = {page: [link for link in found if "kind=" in link] for page, found in links.items()}
    assert toggles["first"] and all("more=initiative" in link and "view=plain" not in link for link in toggles["first"])
    assert toggles["second"] and all("view=plain" in link and "more=initiative" not in link for link in toggles["second"])
    shared, stats = counted(lambda: search("甲乙丙丁", {}, sort="relevance", page=1, facet_filters={f: "" for f in FACETS}))
    assert stats["hits"] == 1 and shared.total == 2  # the very result both pages were rendered from
    assert all("toggle_url" not in value for values in shared.facets.values() for value in values)
    assert all(not hasattr(hit, "link") for hit in shared.hits)
