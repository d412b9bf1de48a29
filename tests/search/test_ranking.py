"""Ranking expectations for real queries, judged by reading the reports: the report a reader
wants is at (or near) the top. Each line: query, the slug expected, the worst acceptable rank."""

import pytest

from search.engine import search

pytestmark = pytest.mark.django_db

JUDGED = [
    # named initiatives: the report about the initiative beats reports that mention it in passing
    ("二分法", "2024-zhuzhou-gaoke-erfenfa", 1),
    ("工作项目化", "2024-zhuzhou-ziguiju-gongzuo-xiangmuhua", 1),
    ("项目化", "2024-zhuzhou-ziguiju-gongzuo-xiangmuhua", 1),
    ("十大专项行动", "2024-zhuzhou-guoziwei-shida-zhuanxiang-xingdong", 1),
    ("资产超市", "2025-zhuzhou-guozi-guoqi-shisiwu-guancha", 1),
    ("两个生态", "2024-gongjian-liangge-shengtai", 1),
    ("135工程", "2019-yuanqu-135-gongcheng-shengjiban-zhuzhou-fangan", 1),
    ("五好园区", "2022-zhuzhou-gongxinju-reply-1022", 3),
    ("三个高地", "2024-zhuzhou-sange-gaodi-zouzaiqian", 1),
    ("金钥匙", "2024-gaige-jinyaoshi", 1),
    ("人民建议", "2025-chenzhou-renmin-jianyi-zhuanhua", 1),
    # places, people, units
    ("安仁", "2025-anren-zhizao-xinqu-chuangxin", 1),
    ("新田", "2025-xintian-fengguang-xiangmu-shiqi-ge", 1),
    ("邵凌云", "2024-gongjian-liangge-shengtai", 1),
    ("株工信字", "2022-zhuzhou-gongxinju-reply-1022", 1),
    ("第1022号建议", "2022-zhuzhou-gongxinju-reply-1022", 1),
    ("高科集团", "2024-zhuzhou-gaoke-erfenfa", 2),
    # topics of the research reports (title words)
    ("集镇", "2019-jizhen-xiangcun-zhenxing-zhanlue-zhichengdian", 1),
    ("乡村振兴 金融", "2019-xiangcun-zhenxing-jinrong-zhicheng", 1),
    ("纪检监察", "2019-zuoshi-zuoxi-jijian-jiancha-jiandu-zhize", 1),
    ("文化旅游", "2019-zhuzhou-wenhua-lvyou-chanye-fazhan-duice", 1),
    ("民营经济", "2019-huiqi-zhengce-luodi-minying-jingji", 1),
    ("惠企政策", "2019-huiqi-zhengce-luodi-minying-jingji", 1),
    ("市域社会治理", "2019-shiyu-shehui-zhili-chuangxin-diaocha", 1),
    ("人大工作", "2019-renda-gongzuo-gaozhiliang-fazhan-diaoyan", 1),
    ("项目落地", "2019-jiakuai-tuidong-quanshi-xiangmu-luodi", 1),
    ("制造强市", "2019-chuangxin-qudong-zhizao-qiangshi-diaoyan", 1),
    ("园区领导班子", "2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe", 1),
    ("风光项目", "2025-xintian-fengguang-xiangmu-shiqi-ge", 1),
    ("光伏", "2025-xintian-fengguang-xiangmu-shiqi-ge", 1),
    ("国资国企 十四五", "2025-zhuzhou-guozi-guoqi-shisiwu-guancha", 1),
    ("主题教育 调研报告", "2019-changwei-zhuti-jiaoyu-diaoyan-zhaideng-bianzhean", 2),
    ("建议答复", "2022-zhuzhou-gongxinju-reply-1022", 3),
]


def rank_of(query, slug):
    results = search(query, page_size=100)
    slugs = [hit.article.slug for hit in results.hits]
    return (slugs.index(slug) + 1 if slug in slugs else None), slugs[:5]


@pytest.mark.parametrize("query, slug, worst", JUDGED)
def test_judged_report_ranks_near_the_top(query, slug, worst):
    rank, top = rank_of(query, slug)
    assert rank is not None and rank <= worst, f"{query}: {slug} at rank {rank}; top five {top}"


def test_a_title_match_ranks_above_a_body_only_match():
    results = search("乡村振兴", page_size=100)
    in_title = [i for i, hit in enumerate(results.hits) if "乡村振兴" in hit.article.title]
    body_only = [i for i, hit in enumerate(results.hits) if "乡村振兴" not in hit.article.title]
    assert in_title and body_only
    assert max(in_title) < min(body_only)



def test_ties_are_broken_newest_first():
    results = search("改革", page_size=100)
    for a, b in zip(results.hits, results.hits[1:]):
        if a.score == b.score and a.article.date and b.article.date:
            assert a.article.date >= b.article.date


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_order_by_date(sort):
    results = search("改革", sort=sort, page_size=100)
    dates = [hit.article.date for hit in results.hits if hit.article.date]
    assert dates == sorted(dates, reverse=(sort == "newest"))
    assert results.sort == sort


@pytest.mark.parametrize(
    "placement",
    [
        dict(title="测验区推进项目化管理", sections=[("", "测验区的做法。")]),
        dict(title="测验区报道", sections=[("推进项目化管理", "测验区的做法。")]),
        dict(title="测验区报道", sections=[("", "测验区推进项目化管理。")]),
    ],
    ids=["title", "heading", "body"],
)
def test_the_query_as_a_word_ranks_above_it_inside_a_longer_word(make_article, placement):
    # jieba reads 推进项目化管理 as 推进/项目/化/管理, but 探索工作项目化管理 as 探索/工作项目化/管理.
    word = make_article(**placement)
    inside = make_article(title="测验区报道", sections=[("", "测验区探索工作项目化管理。")])
    slugs = [hit.article.slug for hit in search("项目化", page_size=100).hits]
    assert slugs.index(word.slug) < slugs.index(inside.slug)


def test_naming_an_initiative_ranks_above_a_passing_substring(make_article):
    named = make_article(title="测验区报道", sections=[("", "测验区实施二分法，成效明显。")])
    inside = make_article(title="测验区报道", sections=[("", "测验区讨论了十二分法定程序。")])
    hits = search("二分法", page_size=100).hits
    slugs = [hit.article.slug for hit in hits]
    assert slugs.index(named.slug) < slugs.index(inside.slug)


def test_the_node_index_picks_candidates_by_the_rankings_field_weights():
    from search import ranking, tantivy_index, weights

    assert ranking.FIELD_WEIGHTS is weights.FIELD_WEIGHTS
    assert tantivy_index.SECTION_WORD_FIELDS == {f"w_{f}": weights.FIELD_WEIGHTS[f] for f in ("title", "init", "heading", "body")}


@pytest.mark.parametrize("field", ["heading", "body"])
def test_the_node_index_and_the_ranking_agree_that_a_title_outweighs_another_field(make_article, field, tmp_path):
    import tantivy

    from search import tantivy_index
    from search.matching import term_words

    placed = ("璇玑测评", "测验区的做法。") if field == "heading" else ("", "测验区璇玑测评的做法。")
    in_title = make_article(title="测验区璇玑测评", sections=[("", "测验区的做法。")])
    elsewhere = make_article(title="测验区报道", sections=[placed])
    slugs = [hit.article.slug for hit in search("璇玑测评", page_size=100).hits]
    assert slugs.index(in_title.slug) < slugs.index(elsewhere.slug)
    title_section, other_section = in_title.sections.get().pk, elsewhere.sections.get().pk
    # the index's BM25 (both reports in it), and the pending reports' weighted count (no index)
    state = tantivy_index.rebuild(tmp_path)
    index = tantivy.Index.open(str(tmp_path / state["directory"]))
    in_index = tantivy_index.Lookup(index.searcher(), index.schema, frozenset())
    from_text = tantivy_index.Lookup(None, None, None)
    for lookup in (in_index, from_text):
        best = lookup.best_sections(term_words("璇玑测评"), 10)
        assert best.index(title_section) < best.index(other_section)


@pytest.mark.django_db
def test_word_and_report_frequencies_from_the_node_index_equal_the_texts():
    """BM25's frequencies come from the node's index; deciding every report on its text (no index)
    counts the same: a word's sections, and the reports that print a word once per report."""
    import random

    from search import tantivy_index
    from search.models import ArticleDocument, SearchDocument

    rng = random.Random(5)
    section_words = sorted({w for row in SearchDocument.objects.values_list("body_words", flat=True) for w in row.split()})
    printed = sorted({
        w for row in ArticleDocument.objects.values_list("author_words", "dept_words", "series_words", "caption_words")
        for w in " ".join(row).split()
    })
    index, text = tantivy_index.current_lookup(), tantivy_index.Lookup(None, None, None)
    assert index.complete and not index.pending
    for word in rng.sample(section_words, 25):
        assert index.document_frequency(word) == text.document_frequency(word) > 0, word
    for word in rng.sample(printed, 25):
        assert index.report_frequency(word) == text.report_frequency(word) > 0, word
