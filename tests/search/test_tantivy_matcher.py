"""The node's tantivy index decides which sections have a term (search.tantivy_index), and every
search gives exactly what deciding every report on its text gives: the same hits, sections,
totals and facets; a committed edit is found at the next search, whether or not the index has
applied it yet; inside a transaction the index answers for everything but the transaction's own
changes, which are decided on their text and never applied to it; a missing or broken index, a
term it fails on and a rolled-back write leave the answer to the text (the index is rebuilt
meanwhile)."""

import datetime
import json
import logging
import random
import re
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from archive.models import Article, Section
from archive.text import CJK
from search import live, memo, tantivy_index
from search.engine import search
from search.models import IndexChange, IndexState
from search.normalize import normalize
from tests.search.helpers import edit, publish

pytestmark = pytest.mark.django_db(transaction=True)

RECALL = ["项目化", "金钥匙", "邵凌云", "8130亩", "资产超市", "資產超市", "厂ba", "厂BA", "五好园区", "易跃跃"]
SHAPES = [
    "园", "改", "a", "2024",  # one unit
    "改革 株洲", "改革 -株洲", "-改革", "五好园区 OR 金钥匙", '"国企改革"', '二分法 "国企改革" -保交楼 五好园区 OR 园区体制机制改革',
    "title:二分法", 'title:"二分法"', "author:毛腾飞", "author:市委书记", "author:株洲", "dept:资规局", "docno:株工信字",
    "caption:厂BA", "陈旭尧", "宋长征",  # printed once per report
    "ab cd", "abc d", "abcd", "ab", "cd",  # Latin units that meet differently
    "株洲高新区改革的二分法", "园区的体制机制",  # by words when nothing has it as typed
]


@pytest.fixture
def corpus():
    """The curated corpus, committed (a transactional test may start from an emptied database),
    with two reports whose Latin units meet differently; no process cache before or after."""
    from archive.ingest.corpus import load_all
    from search.indexing import rebuild

    if not Article.objects.exists():
        load_all(settings.FIXTURES_DIR)
        rebuild()
    publish("latin-apart", "字样 ab cd 在此。")
    publish("latin-together", "字样 abc d 在此。")
    _forget()
    yield
    _forget()


def _forget():
    live.forget()
    memo.forget()
    tantivy_index.forget()


@pytest.fixture
def asked(monkeypatch):
    """The term lookups the node's index answered (not the text), counted."""
    calls = {"n": 0}

    def counted(original):
        def lookup(self, text, key):
            calls["n"] += self.complete
            return original(self, text, key)

        return lookup

    for name in ("sections_with", "articles_with"):
        monkeypatch.setattr(tantivy_index.Lookup, name, counted(getattr(tantivy_index.Lookup, name)))
    return calls


@pytest.fixture
def node(tmp_path, monkeypatch, asked):
    """The node's index in a folder of the test's own, built; changes applied at every search (no
    wait between two applies); the term lookups the index answered counted."""
    monkeypatch.setattr(tantivy_index, "SYNC_SECONDS", 0.0)
    with override_settings(SEARCH_INDEX_DIR=tmp_path):
        tantivy_index.rebuild()
        _forget()
        yield asked
        _forget()


def answer(q, params=None):
    """Everything a search shows that matching decides: total, hits with their sections in order,
    facets, whether it fell back to words."""
    results = search(q, params, page_size=1000)
    return {
        "total": results.total,
        "hits": [(hit.article.slug, hit.section_ids, hit.snippet) for hit in results.hits],
        "facets": {f: [(v["value"], v["count"]) for v in values] for f, values in results.facets.items()},
        "by_words": results.by_words,
    }


def with_text(q, params=None):
    """The answer with no index to use: every report decided on its text."""
    with mock.patch.object(tantivy_index, "for_matching", lambda live: tantivy_index.Lookup(None, None, None)):
        _forget()
        found = answer(q, params)
    _forget()
    return found


def sampled_substrings(n=40):
    rng = random.Random(23)
    sections = list(Section.objects.filter(article__status="published").order_by("pk"))
    out = set()
    for section in rng.sample(sections, min(n, len(sections))):
        runs = re.findall(f"[{CJK}]{{2,}}", normalize(section.body))
        if runs:
            run = rng.choice(runs)
            length = rng.randint(1, min(8, len(run)))
            start = rng.randint(0, len(run) - length)
            out.add(run[start : start + length])
    return sorted(out)


def test_every_query_shape_gives_what_the_text_gives(corpus, node, params):
    queries = RECALL + SHAPES + sampled_substrings()
    expected = {q: with_text(q) for q in queries}
    expected["改革", "year"] = with_text("改革", params(year="2024"))
    expected["园区 -株洲", "department"] = with_text("园区 -株洲", params(department=["zhuzhou-gaoke"]))
    assert expected["ab cd"]["total"] == 1 and expected["abc d"]["total"] == 1
    assert sum(1 for q in RECALL if expected[q]["total"]) == len(RECALL)
    for q in queries:
        before = node["n"]
        assert answer(q) == expected[q], q
        _forget_results()
        assert node["n"] > before, f"{q}: the tantivy index was not asked"
    assert answer("改革", params(year="2024")) == expected["改革", "year"]
    assert answer("园区 -株洲", params(department=["zhuzhou-gaoke"])) == expected["园区 -株洲", "department"]


def _forget_results():
    """Each query's leaves asked afresh (not from the process's caches)."""
    live.forget()
    memo.forget()


def test_a_saved_edit_is_found_at_the_next_search_and_its_old_text_no_longer(node):
    article = publish("tantivy-a", "甲乙丙丁在此。")
    assert [h.article.slug for h in search("甲乙丙丁").hits] == ["tantivy-a"]
    state = tantivy_index.read_state(tantivy_index.folder())
    assert state["applied"] == IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    edit(article, "改成了戊己庚辛。")
    assert [h.article.slug for h in search("戊己庚辛").hits] == ["tantivy-a"]
    assert search("甲乙丙丁").total == 0
    assert search("甲").total == 0 and search("戊").total == 1
    assert tantivy_index.node_index().pending == frozenset()  # applied, not only decided on the text
    article.status = "draft"
    article.save()
    assert search("戊己庚辛").total == 0
    assert node["n"] >= 4


def test_a_lagging_index_still_gives_exact_answers(node):
    kept = publish("tantivy-b", "子丑寅卯在此。")
    assert search("子丑寅卯").total == 1
    applied = tantivy_index.read_state(tantivy_index.folder())["applied"]
    with tantivy_index.writer_lock(tantivy_index.folder()) as got:  # another worker holds the writer
        assert got
        publish("tantivy-c", "这里也有子丑寅卯。")
        edit(kept, "改成了辰巳午未。")
        asked = node["n"]
        assert {h.article.slug for h in search("子丑寅卯").hits} == {"tantivy-c"}
        assert {h.article.slug for h in search("辰巳午未").hits} == {"tantivy-b"}
        assert {h.article.slug for h in search("巳").hits} == {"tantivy-b"}
        assert node["n"] > asked  # answered with the index, its lag decided on the text
        assert tantivy_index.read_state(tantivy_index.folder())["applied"] == applied
        assert tantivy_index.node_index().pending
    assert {h.article.slug for h in search("卯").hits} == {"tantivy-c"}
    assert tantivy_index.read_state(tantivy_index.folder())["applied"] > applied


@pytest.mark.parametrize("damage", ["missing", "corrupt files", "corrupt state"])
def test_a_missing_or_broken_index_leaves_the_answer_to_the_text_and_is_rebuilt(node, damage, caplog):
    publish("tantivy-d", "甲乙丙丁在此。")
    publish("tantivy-e", "甲乙在此。")
    expected = with_text("甲乙")
    where = tantivy_index.folder()
    state = tantivy_index.read_state(where)
    tantivy_index.forget()  # as a process starting on the damaged index
    if damage == "missing":
        import shutil

        shutil.rmtree(where)
    elif damage == "corrupt files":
        (where / state["directory"] / "meta.json").write_text("{not json")
    else:
        (where / "state.json").write_text("{not json")
    asked = node["n"]
    with caplog.at_level(logging.WARNING):
        assert answer("甲乙") == expected
    assert node["n"] == asked  # the text answered
    if damage != "missing":
        assert "tantivy" in caplog.text
    tantivy_index.node_index().rebuilding.join(60)
    _forget_results()
    assert answer("甲乙") == expected
    assert node["n"] > asked  # the rebuilt index answered
    assert tantivy_index.read_state(where)["directory"] != (state["directory"] if damage == "corrupt files" else None)


class RolledBack(Exception):
    pass


def test_an_index_that_followed_rolled_back_rows_is_rebuilt(node):
    publish("tantivy-f", "甲乙丙丁在此。")
    assert search("甲乙丙丁").total == 1
    where = tantivy_index.folder()
    with pytest.raises(RolledBack), transaction.atomic():
        publish("tantivy-rolled-back", "这里也有甲乙丙丁。")
        tantivy_index.rebuild()  # built from rows that are then rolled back
        raise RolledBack
    before = tantivy_index.read_state(where)
    publish("tantivy-later", "戊己庚辛在此。")  # on SQLite, takes the rolled-back change ids again
    _forget_results()
    asked = node["n"]
    assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-f"}  # the text answers meanwhile
    assert node["n"] == asked
    tantivy_index.node_index().rebuilding.join(60)
    assert tantivy_index.read_state(where)["directory"] != before["directory"]
    _forget_results()
    assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-f"}
    assert {h.article.slug for h in search("戊己庚辛").hits} == {"tantivy-later"}
    assert node["n"] > asked


def test_a_draft_saved_leaves_the_index_in_use(node):
    from search.indexing import record_index_write

    publish("tantivy-l", "甲乙丙丁在此。")
    assert search("甲乙丙丁").total == 1
    before = tantivy_index.read_state(tantivy_index.folder())
    draft = Article.objects.create(
        slug="tantivy-draft", title="草稿", kind="news", date=datetime.date(2024, 1, 1), date_precision="year",
        status="draft",
    )
    Section.objects.create(article=draft, order=1, body="草稿里的甲乙丙丁。")
    record_index_write()  # what a write that touched no published report logs: a new token, no change
    _forget_results()
    asked = node["n"]
    assert search("甲乙丙丁").total == 1 and node["n"] > asked
    assert tantivy_index.node_index().rebuilding is None
    assert tantivy_index.read_state(tantivy_index.folder())["directory"] == before["directory"]


def test_inside_a_transaction_its_own_changes_are_decided_on_the_text_and_never_applied(node):
    publish("tantivy-g", "甲乙丙丁在此。")
    publish("tantivy-g2", "另一篇甲乙丙丁。")
    assert search("甲乙丙丁").total == 2  # applied: both in the index
    applied = tantivy_index.read_state(tantivy_index.folder())["applied"]
    with pytest.raises(RolledBack), transaction.atomic():
        edit(Article.objects.get(slug="tantivy-g"), "未提交的戊己庚辛。")
        publish("tantivy-uncommitted", "未提交的报道也有戊己庚辛和甲乙丙丁。")
        asked = node["n"]
        assert {h.article.slug for h in search("戊己庚辛").hits} == {"tantivy-g", "tantivy-uncommitted"}
        assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-g2", "tantivy-uncommitted"}
        assert node["n"] > asked  # the index answered for the rest
        assert tantivy_index.read_state(tantivy_index.folder())["applied"] == applied  # nothing applied
        raise RolledBack
    _forget_results()
    assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-g", "tantivy-g2"}
    assert search("戊己庚辛").total == 0
    assert tantivy_index.read_state(tantivy_index.folder())["applied"] == applied


@pytest.mark.django_db(transaction=False)
def test_in_a_tests_transaction_its_writes_are_decided_on_the_text_and_the_rest_comes_from_the_index(asked):
    """The usual `db` test: every search runs inside the test's transaction, on the session's node
    index (tests/conftest.py), built from the committed corpus. What the test publishes or edits
    is pending (decided on its text as the transaction sees it), the rest is the index's answer,
    nothing is applied to the index, and a rolled-back savepoint's report is no longer found."""
    from search.indexing import rebuild

    where = tantivy_index.folder()
    before = tantivy_index.read_state(where)
    assert before["applied"] == (IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    _forget()
    untouched = answer("五好园区")
    assert untouched["total"] > 0 and asked["n"] > 0  # the index answered: nothing pending yet
    section = Section.objects.filter(article__status="published", body__contains="金钥匙").order_by("pk").first()
    section.body = section.body.replace("金钥匙", "银钥匙")
    section.save()
    publish("tantivy-in-test", "测验中的璇玑测评，也谈金钥匙和五好园区。")
    queries = ["璇玑测评", "金钥匙", "银钥匙", "五好园区", "金钥匙 OR 银钥匙", "五好园区 -璇玑"]
    expected = {q: with_text(q) for q in queries}  # the transaction's view, every report on its text
    assert expected["璇玑测评"]["total"] == 1 and expected["银钥匙"]["total"] >= 1
    assert expected["五好园区"]["total"] == untouched["total"] + 1
    for q in queries:
        counted = asked["n"]
        assert answer(q) == expected[q], q
        assert asked["n"] > counted, f"{q}: the index was not asked"
        _forget_results()
    lookup = tantivy_index.for_matching(live.live_index())
    assert lookup.complete and lookup.pending == {section.article_id, Article.objects.get(slug="tantivy-in-test").pk}
    with pytest.raises(RolledBack), transaction.atomic():
        publish("tantivy-savepoint", "回滚的玄武测评。")
        assert [h.article.slug for h in search("玄武测评").hits] == ["tantivy-savepoint"]
        raise RolledBack
    _forget_results()
    assert search("玄武测评").total == 0
    assert answer("璇玑测评") == expected["璇玑测评"]
    rebuild()  # even the database's index rebuilt in the transaction: the text answers, nothing is built
    _forget_results()
    assert answer("金钥匙") == expected["金钥匙"]
    assert tantivy_index.node_index().rebuilding is None
    assert tantivy_index.read_state(where) == before  # nothing of the transaction applied or rebuilt


def test_ranking_candidates_and_frequencies_come_from_the_index_and_count_pending_reports(node):
    from search.matching import term_words

    publish("tantivy-rank-a", "璇玑测评在此。")
    assert search("璇玑测评").total == 1  # applied
    lookup = tantivy_index.for_matching(live.live_index())
    assert lookup.complete and not lookup.pending
    words = term_words("璇玑测评")
    assert lookup.document_frequency(words[0]) == 1
    with pytest.raises(RolledBack), transaction.atomic():
        publish("tantivy-rank-b", "这里也有璇玑测评。")
        inside = tantivy_index.for_matching(live.live_index())
        assert inside.complete and inside.pending  # the transaction's report, decided on its text
        assert inside.document_frequency(words[0]) == 2
        best = inside.best_sections(words, 10)
        sections = {a.sections.get().pk for a in Article.objects.filter(slug__startswith="tantivy-rank-")}
        assert set(best) == sections
        raise RolledBack
    assert tantivy_index.for_matching(live.live_index()).document_frequency(words[0]) == 1


def test_a_term_tantivy_fails_on_is_decided_on_the_text(node, monkeypatch, caplog):
    publish("tantivy-h", "甲乙丙丁在此。")
    expected = with_text("甲乙丙丁 OR 乙丙")

    def broken(original):
        def lookup(self, text, key):
            if self.complete:
                raise ValueError("index file unreadable")
            return original(self, text, key)

        return lookup

    for name in ("sections_with", "articles_with"):
        monkeypatch.setattr(tantivy_index.Lookup, name, broken(getattr(tantivy_index.Lookup, name)))
    with caplog.at_level(logging.WARNING):
        assert answer("甲乙丙丁 OR 乙丙") == expected
    assert "tantivy" in caplog.text


def test_rebuild_index_builds_the_node_index_too(node, tmp_path):
    from django.core.management import call_command

    publish("tantivy-i", "甲乙丙丁在此。")
    before = tantivy_index.read_state(tantivy_index.folder())
    call_command("rebuild_index", verbosity=0)
    after = tantivy_index.read_state(tantivy_index.folder())
    assert after["directory"] != before["directory"]
    assert after["generation"] == IndexState.objects.get(pk=1).built_at.isoformat()
    assert json.loads((tantivy_index.folder() / "state.json").read_text()) == after
    asked = node["n"]
    assert search("甲乙丙丁").total == 1 and node["n"] > asked


def test_rebuild_index_if_stale_builds_a_missing_node_index(node):
    import shutil

    from django.core.management import call_command

    from search.indexing import rebuild

    rebuild()  # the database's index up to date, whatever the tests before left
    publish("tantivy-k", "甲乙丙丁在此。")
    built_at = IndexState.objects.get(pk=1).built_at
    shutil.rmtree(tantivy_index.folder())
    call_command("rebuild_index", "--if-stale", verbosity=0)
    assert IndexState.objects.get(pk=1).built_at == built_at  # the database's index was up to date
    state = tantivy_index.read_state(tantivy_index.folder())
    assert state["applied"] == IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_healthz_reports_the_change_the_node_index_applied_and_its_lag(node, client):
    publish("tantivy-j", "甲乙丙丁在此。")
    latest = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    built = tantivy_index.read_state(tantivy_index.folder())["applied"]
    reported = client.get("/healthz").json()["search_index"]["node_index"]
    assert reported["applied_change"] == built and reported["lag"] == latest - built > 0
    search("甲乙丙丁")  # the next search applies the change
    reported = client.get("/healthz").json()["search_index"]["node_index"]
    assert reported["applied_change"] == latest and reported["lag"] == 0


def test_rebuild_index_node_index_builds_only_the_nodes_own(node):
    import shutil

    from django.core.management import call_command

    publish("tantivy-n", "甲乙丙丁在此。")
    built_at = IndexState.objects.get(pk=1).built_at
    shutil.rmtree(tantivy_index.folder())
    call_command("rebuild_index", "--node-index", verbosity=0)
    assert IndexState.objects.get(pk=1).built_at == built_at  # the database's index untouched
    state = tantivy_index.read_state(tantivy_index.folder())
    assert state["applied"] == IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_an_index_of_another_schema_version_is_rebuilt_and_the_text_answers_meanwhile(node):
    publish("tantivy-o", "甲乙丙丁在此。")
    assert search("甲乙丙丁").total == 1
    where = tantivy_index.folder()
    state = tantivy_index.read_state(where)
    assert state["schema"] == tantivy_index.SCHEMA_VERSION
    tantivy_index.write_state(where, {**state, "schema": tantivy_index.SCHEMA_VERSION - 1})  # built by older code
    tantivy_index.forget()
    _forget_results()
    asked = node["n"]
    assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-o"}
    assert node["n"] == asked  # not asked: the text answered
    tantivy_index.node_index().rebuilding.join(60)
    assert tantivy_index.read_state(where)["schema"] == tantivy_index.SCHEMA_VERSION
    _forget_results()
    assert {h.article.slug for h in search("甲乙丙丁").hits} == {"tantivy-o"}
    assert node["n"] > asked
