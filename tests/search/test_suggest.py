"""The search box's suggestions (/api/suggest): names typed in Chinese or in pinyin (whole,
initials, mixed), a mistyped name answered with 您是不是要找, and the catalog's names kept up
to date when an entry changes, without reading the unchanged names' pinyin again."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.pinyin import syllables
from search.suggest import corrections, did_you_mean, suggestions
from tests.search.test_hostile_input import hostile_text

pytestmark = pytest.mark.django_db


def suggest(client, q):
    return client.get("/api/suggest", {"q": q}).json()


def first(client, q):
    found = suggest(client, q)["suggestions"]
    return (found[0]["kind"], found[0]["label"], found[0]["matched"]) if found else None


@pytest.mark.parametrize("typed", ["erfenfa", "erfen", "er fen fa", "Er'Fen'Fa", "ＥＲＦＥＮＦＡ", "eff", "erff"])
def test_pinyin_whole_initials_or_mixed_suggests_the_initiative(client, typed):
    assert first(client, typed) == ("initiative", "二分法", "二分法")


def test_department_alias_is_suggested_by_its_initials(client):
    # 资规局 is an alias of 株洲市自然资源和规划局: the department is offered, by the form that matched.
    assert first(client, "zgj") == ("department", "株洲市自然资源和规划局", "资规局")
    assert first(client, "ziguiju") == ("department", "株洲市自然资源和规划局", "资规局")


def test_person_is_suggested_by_pinyin_and_initials(client):
    assert first(client, "maotengfei") == ("person", "毛腾飞", "毛腾飞")
    assert ("person", "毛腾飞", "毛腾飞") in {(s["kind"], s["label"], s["matched"]) for s in suggest(client, "mtf")["suggestions"]}


def test_a_surname_is_found_by_either_reading():
    # 曾 is read ceng and zeng; a surname is zeng, the phrase dictionary says ceng.
    assert ("ceng", "zeng") == tuple(sorted(syllables("曾文")[0]))


def test_pinyin_suggestions_keep_the_existing_keys_and_say_how_they_matched(client):
    data = suggest(client, "erfenfa")
    assert {"query", "suggestions", "did_you_mean"} <= set(data)
    top = data["suggestions"][0]
    assert {"kind", "label", "matched", "url"} <= set(top)
    assert top["url"] == "/initiatives/erfenfa/" and top["pinyin"] is True
    assert suggest(client, "二分")["suggestions"][0]["pinyin"] is False


def test_one_mistyped_initial_is_answered_with_did_you_mean(client):
    # efl is not 二分法's initials (eff is): nothing starts that way, so the box asks.
    data = suggest(client, "efl")
    assert data["suggestions"] == []
    assert [d["query"] for d in data["did_you_mean"]] == ["二分法"]
    assert data["did_you_mean"][0]["url"] == "/search/?q=%E4%BA%8C%E5%88%86%E6%B3%95"


@pytest.mark.parametrize(
    "typed, meant",
    [("二分发", "二分法"), ("而分发", "二分法"), ("erfenfa", "二分法"), ("efl", "二分法"), ("资归局", "资规局"),
     ("五好园曲", "五好园区"), ("gongzuoxiangmuhau", "工作项目化")],
)
def test_a_near_miss_is_corrected_to_the_catalog_name(typed, meant):
    assert corrections(typed)[0] == meant
    assert did_you_mean(typed)[0]["query"] == meant


def test_corrections_keep_the_query_syntax_around_the_corrected_term():
    assert corrections("二分发 改革") == ["二分法 改革"]
    assert corrections("-二分发") == ["-二分法"]
    assert corrections('"二分发"') == ['"二分法"']
    assert corrections("title:二分发") == ["title:二分法"]
    assert corrections("二分发 OR 五好园曲") == ["二分法 OR 五好园区"]


@pytest.mark.parametrize("q", ["二分法", "资规局", "改革", "erfenfa2", "", "   ", "OR", "-", '"'])
def test_a_right_name_or_ordinary_text_is_not_corrected(q):
    assert corrections(q) == []


def test_a_new_alias_is_suggested_by_pinyin_at_once(client):
    from archive.models import Initiative

    erfenfa = Initiative.objects.get(slug="erfenfa")
    erfenfa.aliases = [*erfenfa.aliases, "分账改革"]
    erfenfa.save()
    assert first(client, "fzgg") == ("initiative", "二分法", "分账改革")


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(hostile_text, st.text(alphabet="abcdefghijklmnopqrstuvwxyz '’·", max_size=60)))
def test_suggestions_and_corrections_take_anything(client, text):
    suggestions(text)
    corrections(text)
    response = client.get("/api/suggest", {"q": text.encode("utf-8", "replace").decode("utf-8")})
    assert response.status_code == 200
    assert isinstance(response.json()["did_you_mean"], list)


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF%FE", "q=%00", "q=" + "e" * 5000, "q=" + "%E6%94%B9" * 20000])
def test_invalid_utf8_and_huge_suggestion_queries_get_answers(client, raw):
    assert client.get(f"/api/suggest?{raw}").status_code == 200


# ---------------------------------------------------------------------------------------------
# Kept up to date across processes: the catalog is remembered until a catalog entry changes.


@pytest.mark.django_db(transaction=True)
def test_the_catalog_follows_a_renamed_entry_and_reads_only_new_names_pinyin():
    from archive.models import Initiative
    from search import live, memo
    from search.suggest import catalog
    from tests.search.helpers import publish

    live.forget()
    memo.forget()
    try:
        Initiative.objects.create(name="测验改革法", slug="ceyan-gaigefa", category="other")
        assert [s["label"] for s in suggestions("cygg")] == ["测验改革法"]
        remembered = catalog()
        publish("suggest-edit", "一篇与目录无关的报道。")
        assert catalog() is remembered  # an edited report keeps the catalog

        before = syllables.cache_info().misses
        Initiative.objects.filter(slug="ceyan-gaigefa").update(name="样板改革法")  # no signal: still remembered
        assert catalog() is remembered
        initiative = Initiative.objects.get(slug="ceyan-gaigefa")
        initiative.save()  # an editor's save: every process reads the catalog again
        assert [s["label"] for s in suggestions("ybgg")] == ["样板改革法"]
        assert suggestions("cygg") == []
        assert syllables.cache_info().misses - before == 1  # the new name only
    finally:
        live.forget()
        memo.forget()
