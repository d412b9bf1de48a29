"""Every visible text of a report is searchable — bylines (names and positions), departments as
printed, captions, 文号, subtitle, series and source — and field terms (title:, author:, dept:,
docno:, caption:) look in one of them; the page, the API and the command agree."""

import json

import pytest
from django.core.management import call_command

from archive.models import ArticleDepartment, Authorship, Caption, Department, Person, Series, Source
from search import indexing
from search.engine import search
from search.models import ArticleDocument

pytestmark = pytest.mark.django_db

ERFENFA = "2024-zhuzhou-gaoke-erfenfa"  # byline 陈旭尧
G135 = "2019-yuanqu-135-gongcheng-shengjiban-zhuzhou-fangan"  # byline 毛腾飞, 市委书记、市人大常委会主任
REPLY = "2022-zhuzhou-gongxinju-reply-1022"  # 株工信字〔2022〕21号, bylines 宋长征 (承办负责人), 杨帆
GUOZI25 = "2025-zhuzhou-guozi-guoqi-shisiwu-guancha"  # caption 国有企业改革深化提升行动现场推介会…
LIANGGE = "2024-gongjian-liangge-shengtai"  # caption “厂BA”决赛现场。
ZIGUI = "2024-zhuzhou-ziguiju-gongzuo-xiangmuhua"  # 株洲市自然资源和规划局 (资规局)


def slugs(query, params=None):
    return [hit.article.slug for hit in search(query, params, page_size=100).hits]


# -- plain terms find every visible text -------------------------------------------------------


@pytest.mark.parametrize("name, slug", [("陈旭尧", ERFENFA), ("宋长征", REPLY), ("毛腾飞", G135)])
def test_a_name_in_a_byline_ranks_its_report_first(name, slug):
    assert slugs(name)[0] == slug


def test_a_phrase_printed_only_in_a_caption_finds_its_report():
    assert GUOZI25 in slugs("国有企业改革")
    assert slugs("现场推介会") == [GUOZI25]


def test_a_position_printed_in_a_byline_finds_its_report():
    assert slugs("承办负责人") == [REPLY]


def test_a_report_found_by_its_caption_shows_the_caption_marked():
    hit = next(h for h in search("现场推介会").hits)
    assert str(hit.snippet).startswith("图片说明：") and "<mark>现场推介会</mark>" in str(hit.snippet)


def test_department_series_and_source_names_as_printed_find_their_reports(make_article):
    department = Department.objects.create(name="测验甲乙局", kind="government", slug="test-jiayi")
    source = Source.objects.create(name="测验丙丁日报", kind="newspaper", slug="test-bingding")
    series = Series.objects.create(name="测验戊己专栏", slug="test-wuji")
    article = make_article(title="测验报道", sections=[("", "正文里没有那些名字。")], source=source, series=series)
    ArticleDepartment.objects.create(article=article, department=department, role="subject")
    for printed in ("测验甲乙局", "丙丁日报", "戊己专栏"):
        assert slugs(printed) == [article.slug], printed


def test_a_subtitle_and_a_document_number_find_their_report(make_article):
    article = make_article(title="测验标题", subtitle="测验副标题庚辛", doc_number="测验发〔2024〕9号")
    assert slugs("副标题庚辛") == [article.slug]
    assert slugs("测验发") == [article.slug]
    assert slugs("docno:测验发") == [article.slug] and slugs("title:副标题庚辛") == [article.slug]


def test_a_printed_text_and_a_section_word_combine_in_one_query():
    assert slugs("陈旭尧 市场化") == [ERFENFA]
    assert slugs("陈旭尧 光伏") == []
    assert ERFENFA not in slugs("市场化 -陈旭尧")


# -- field terms ---------------------------------------------------------------------------------


def test_title_field_finds_only_reports_with_the_word_in_their_title():
    assert len(slugs("二分法")) > 1
    assert slugs("title:二分法") == [ERFENFA]
    assert slugs('title:"二分法"') == [ERFENFA]


def test_author_field_finds_the_byline_and_not_the_text():
    assert slugs("author:毛腾飞") == [G135]
    assert slugs("author:市委书记") == [G135]  # the position as printed
    assert slugs("author:株洲") == []  # in every text, in no byline


def test_dept_field_takes_any_name_or_alias_of_a_department():
    assert slugs("dept:资规局") == [ZIGUI]
    assert slugs("dept:株洲市自然资源和规划局") == [ZIGUI]
    assert slugs("dept:自然资源") == [ZIGUI]


def test_docno_field_finds_a_document_number_fragment():
    assert slugs("docno:株工信字") == [REPLY]
    assert slugs("docno:株工信字〔2022〕21号") == [REPLY]
    assert slugs("docno:二分法") == []


def test_caption_field_finds_only_captions():
    assert slugs("caption:卫星") == [GUOZI25]
    assert slugs('caption:"厂BA"') == [LIANGGE] == slugs("caption:厂ba")
    assert slugs("caption:二分法") == []


def test_field_terms_combine_exclude_and_alternate():
    assert slugs("author:陈旭尧 市场化") == [ERFENFA]
    assert G135 not in slugs("园区 -author:毛腾飞") and G135 in slugs("园区")
    assert set(slugs("author:毛腾飞 OR author:陈旭尧")) == {G135, ERFENFA}


def test_chinese_field_names_and_a_full_width_colon_work_too():
    assert slugs("作者：毛腾飞") == slugs("author:毛腾飞") == [G135]
    assert slugs("文号:株工信字") == [REPLY]


def test_an_unknown_field_or_an_empty_field_is_not_an_error():
    assert search("foo:二分法").total >= 0
    assert search("title:").total == search("").total
    assert search('title:"').total == search("").total


def test_a_field_term_for_a_name_nowhere_finds_nothing():
    assert slugs("author:无此人名字") == [] and slugs("caption:无此说明文字") == []


# -- the page, the API and the command -------------------------------------------------------------


@pytest.mark.parametrize("query, slug", [("title:二分法", ERFENFA), ("author:毛腾飞", G135), ("docno:株工信字", REPLY)])
def test_field_terms_work_in_the_page_the_api_and_the_command(client, capsys, query, slug):
    page = client.get("/search/", {"q": query})
    assert page.status_code == 200 and f"/articles/{slug}/" in page.content.decode()
    data = client.get("/api/search", {"q": query}).json()
    assert [r["article"]["url"] for r in data["results"]] == [f"/articles/{slug}/"]
    call_command("search", query, "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"] == 1 and printed["results"][0]["article"]["url"] == f"/articles/{slug}/"


# -- edits are found at once ---------------------------------------------------------------------


def test_a_new_byline_is_found_at_once_and_a_removed_one_no_longer(make_article):
    article = make_article(sections=[("", "测验正文。")])
    person = Person.objects.create(name="测验庚辛", slug="test-gengxin")
    byline = Authorship.objects.create(article=article, person=person, position="测验壬癸主任")
    assert slugs("测验庚辛") == [article.slug] == slugs("author:壬癸主任")
    byline.delete()
    assert slugs("测验庚辛") == [] and slugs("author:壬癸主任") == []


def test_a_renamed_person_is_found_by_the_new_name(make_article):
    article = make_article(sections=[("", "测验正文。")])
    person = Person.objects.create(name="测验子丑", slug="test-zichou")
    Authorship.objects.create(article=article, person=person)
    person.name = "测验寅卯"
    person.save()
    assert slugs("测验寅卯") == [article.slug] and slugs("测验子丑") == []


def test_a_caption_edit_is_found_at_once(make_article):
    article = make_article(sections=[("", "测验正文。")])
    caption = Caption.objects.create(article=article, text="测验辰巳图片。")
    assert slugs("caption:辰巳") == [article.slug]
    caption.text = "测验午未图片。"
    caption.save()
    assert slugs("辰巳") == [] and slugs("caption:午未") == [article.slug]


def test_a_department_link_a_new_alias_and_a_renamed_series_are_found_at_once(make_article):
    department = Department.objects.create(name="测验申酉局", kind="government", slug="test-shenyou")
    series = Series.objects.create(name="测验戌亥专栏", slug="test-xuhai")
    article = make_article(sections=[("", "测验正文。")], series=series)
    ArticleDepartment.objects.create(article=article, department=department, role="author")
    assert slugs("dept:申酉局") == [article.slug]
    department.aliases = ["甲子局"]
    department.save()
    assert slugs("dept:甲子局") == [article.slug]
    series.name = "测验乙丑专栏"
    series.save()
    assert slugs("乙丑专栏") == [article.slug] and slugs("戌亥专栏") == []


def test_a_deleted_series_or_report_leaves_nothing_behind(make_article):
    series = Series.objects.create(name="测验丙寅专栏", slug="test-bingyin")
    article = make_article(sections=[("", "测验正文。")], series=series)
    Caption.objects.create(article=article, text="测验丁卯图片。")
    Authorship.objects.create(article=article, person=Person.objects.create(name="测验戊辰", slug="test-wuchen"))
    series.delete()
    assert slugs("丙寅专栏") == [] and slugs("丁卯") == [article.slug]
    pk = article.pk
    article.delete()
    assert not ArticleDocument.objects.filter(article_id=pk).exists()
    assert indexing.drift() == []


def test_drafts_printed_texts_are_never_found(make_article):
    article = make_article(sections=[("", "测验正文。")], status="draft")
    Caption.objects.create(article=article, text="测验己巳图片。")
    assert slugs("己巳") == [] and not ArticleDocument.objects.filter(article=article).exists()
    article.status = "published"
    article.save()
    assert slugs("己巳") == [article.slug]


def test_the_index_of_printed_texts_is_in_step_after_the_corpus_loads_and_drift_names_a_stale_one():
    assert indexing.drift() == []
    document = ArticleDocument.objects.first()
    document.caption_canon = "stale"
    document.save()
    assert any("署名、图片说明等" in problem for problem in indexing.drift())
