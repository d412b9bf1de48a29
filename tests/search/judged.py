"""Judged queries over the curated corpus (fixtures/corpus/), for nDCG@10.

Each query was written and graded by reading the 25 reports as a reform-office clerk, a
journalist or a researcher would search them, not from what the engine returns:

    2  the report that answers the query (several when several answer it equally);
    1  relevant: the report treats the subject in at least a substantive sentence or paragraph;
    unlisted  0: not relevant, or a passing mention in a list.

A query is (id, kind, q, grades, params): `q` is the text typed in the search box, `params` the
other parameters of the search page and of /api/search (facets, `date_from`/`date_to` as ISO dates).
Queries that ask the same thing in two forms (国企改革 / 国有企业改革, 十四五 / 第十四个五年规划,
資規局 / 资规局) carry the same grades. Field queries (`title:`, `author:`, `dept:`, `docno:`,
`caption:`) and date ranges are graded as the reader means them: only reports whose field, or
whose date, fits are relevant.

Used by tests/search/test_judged.py (floor and per-query guard) and `python -m bench.ndcg`.
"""

import math
from typing import NamedTuple

# The reports, by slug (fixtures/corpus/*.json).
XIEZAI = "2024-zhuzhou-gaige-jinxingshi-xiezai-qianmian"  # 写在前面 (editor's note, 全面深化改革株洲进行时)
JINYAOSHI = "2024-gaige-jinyaoshi"  # 用好改革“金钥匙”… (市委改革办; caption 株洲神农城, 易跃跃 摄)
ZIGUI = "2024-zhuzhou-ziguiju-gongzuo-xiangmuhua"  # “工作项目化”改革… (株洲市自然资源和规划局, 郭淑珍)
SHIDA = "2024-zhuzhou-guoziwei-shida-zhuanxiang-xingdong"  # 实施十大专项行动… (株洲市国资委, 柳杨)
ERFENFA = "2024-zhuzhou-gaoke-erfenfa"  # “‘二分法’破题+市场化破局”推进国企改革 (高科集团, 陈旭尧)
SANGE = "2024-zhuzhou-sange-gaodi-zouzaiqian"  # 在打造“三个高地”上走在前 (市委全面深化改革委员会办公室)
GUOZI25 = "2025-zhuzhou-guozi-guoqi-shisiwu-guancha"  # 株洲国资国企“十四五”… (吴文奕, 张建平; three captions)
ANREN = "2025-anren-zhizao-xinqu-chuangxin"  # 「制造新区」创新潮涌 (安仁县“十四五”; 谭利炳…)
CHENZHOU = "2025-chenzhou-renmin-jianyi-zhuanhua"  # 郴州…人民建议转化新机制 (郴州市委社会工作部)
XINTIAN = "2025-xintian-fengguang-xiangmu-shiqi-ge"  # 新田“十四五”实施风光项目十七个 (undated; 钟伟锋, 盘程)
REPLY = "2022-zhuzhou-gongxinju-reply-1022"  # 第1022号建议的答复, 株工信字〔2022〕21号 (宋长征, 杨帆)
LIANGGE = "2024-gongjian-liangge-shengtai"  # 共建“两个生态” (株洲高新区、天元区; 邵凌云; captions 厂BA, CTCC)
BIANZHEAN = "2019-changwei-zhuti-jiaoyu-diaoyan-zhaideng-bianzhean"  # 主题教育调研报告摘登, 编者按
G135 = "2019-yuanqu-135-gongcheng-shengjiban-zhuzhou-fangan"  # 园区“135”工程升级版 (毛腾飞)
SHIJIUDA = "2019-guanche-shijiuda-tuidong-gaozhiliang-fazhan"  # 贯彻十九大精神 (阳卫国)
JIZHEN = "2019-jizhen-xiangcun-zhenxing-zhanlue-zhichengdian"  # 集镇…乡村振兴 (王洪斌; cites 株办发﹝2018﹞32号)
ZHIZAO = "2019-chuangxin-qudong-zhizao-qiangshi-diaoyan"  # 制造强市 (蔡溪, 市政协主席)
RENDA = "2019-renda-gongzuo-gaozhiliang-fazhan-diaoyan"  # 新时代人大工作 (刘光跃)
LUODI = "2019-jiakuai-tuidong-quanshi-xiangmu-luodi"  # 全市项目落地 (何剑波)
JIJIAN = "2019-zuoshi-zuoxi-jijian-jiancha-jiandu-zhize"  # 纪检监察监督职责 (邓为民, 市纪委)
WENLV = "2019-zhuzhou-wenhua-lvyou-chanye-fazhan-duice"  # 文化旅游产业 (聂方红)
HUIQI = "2019-huiqi-zhengce-luodi-minying-jingji"  # 惠企政策…民营经济 (覃万成)
BANZI = "2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe"  # 园区领导班子和干部队伍 (羊贵平, 市委组织部)
JINRONG = "2019-xiangcun-zhenxing-jinrong-zhicheng"  # 乡村振兴…金融支撑 (左琳)
SHIYU = "2019-shiyu-shehui-zhili-chuangxin-diaocha"  # 市域社会治理创新 (杨玉芳)

ALL_SLUGS = (
    XIEZAI, JINYAOSHI, ZIGUI, SHIDA, ERFENFA, SANGE, GUOZI25, ANREN, CHENZHOU, XINTIAN, REPLY, LIANGGE,
    BIANZHEAN, G135, SHIJIUDA, JIZHEN, ZHIZAO, RENDA, LUODI, JIJIAN, WENLV, HUIQI, BANZI, JINRONG, SHIYU,
)

# The kinds, in the order the figures are printed.
KINDS = {
    "words": "plain words and phrases",
    "initiative": "named initiatives",
    "department": "departments, full names and abbreviations",
    "person": "people named in bylines (and in the text)",
    "caption": "words printed only in photo captions",
    "docno": "文号 fragments",
    "variant": "abbreviation vs full form",
    "traditional": "traditional characters",
    "field": "field syntax (title: author: dept: docno: caption:)",
    "date": "date ranges (date_from / date_to)",
    "facet": "facet parameters",
}


class Judged(NamedTuple):
    id: str
    kind: str
    q: str
    grades: dict  # slug -> 2 or 1
    params: dict = {}  # further GET parameters of the search page / API


J = Judged

# Same needs in two forms share their grades.
_GUOQI_GAIGE = {SHIDA: 2, ERFENFA: 2, GUOZI25: 2, JINYAOSHI: 1, LIANGGE: 1, REPLY: 1}
_SHISIWU = {GUOZI25: 2, ANREN: 2, XINTIAN: 2, ZHIZAO: 1, LUODI: 1}
_ZIGUIJU = {ZIGUI: 2, JINYAOSHI: 1}  # jinyaoshi: 在资规部门大力推行“工作项目化”改革
_GUOZIWEI = {SHIDA: 2, GUOZI25: 2, JINYAOSHI: 1}
_GAIGEBAN = {JINYAOSHI: 2, SANGE: 2}  # both written by the reform office (one name each)
_GAOXINQU = {LIANGGE: 2, JINYAOSHI: 1, SANGE: 1, REPLY: 1, G135: 1}
_JINGKAIQU = {REPLY: 2, JINYAOSHI: 1, G135: 1, RENDA: 1}
_RENDA = {RENDA: 2, REPLY: 1}
_JIJIAN = {JIJIAN: 2}
_XIANGCUN_ZHENXING = {JIZHEN: 2, JINRONG: 2, GUOZI25: 1}
_YUANQU_GANBU = {BANZI: 2, G135: 1, JINYAOSHI: 1}

JUDGED: list[Judged] = [
    # --- plain words and phrases -------------------------------------------------------------
    J("w-yongdi-baopi", "words", "用地报批", {ZIGUI: 2, JINYAOSHI: 1, LUODI: 1}),
    J("w-yanglao-fuwu", "words", "养老服务", {LIANGGE: 2, GUOZI25: 1}),
    J("w-guangfu-dianzhan", "words", "光伏电站", {XINTIAN: 2}),
    J("w-kaigonglv", "words", "招商项目 开工率", {LUODI: 2}),
    J("w-shenong-daikuan", "words", "涉农贷款", {JINRONG: 2}),
    J("w-biaozhunhua-changfang", "words", "标准化厂房", {G135: 2, LUODI: 1}),
    J("w-shehui-zhili", "words", "社会治理", {SHIYU: 2, CHENZHOU: 1, LIANGGE: 1, JINYAOSHI: 1}),
    J("w-weixinqun", "words", "监督与服务微信群", {JIJIAN: 2, JINYAOSHI: 1}),
    J("w-minqi-rongzi", "words", "民营企业 融资", {HUIQI: 2}),
    J("w-chanye-shengtai", "words", "产业生态", {LIANGGE: 2, G135: 1, GUOZI25: 1}),
    J("w-rongzi-huazhai", "words", "融资化债", {ERFENFA: 2, JINYAOSHI: 1, LIANGGE: 1, GUOZI25: 1}),
    J("w-yuanqu-ganbu", "words", "园区干部", _YUANQU_GANBU),
    J("w-feiyi", "words", "非物质文化遗产", {WENLV: 2}),
    J("w-dianti", "words", "电梯", {JINYAOSHI: 2, LIANGGE: 1}),
    J("w-motuoche", "words", "摩托车炸街", {CHENZHOU: 2}),
    J("w-lidianchi", "words", "锂离子电池", {ANREN: 2}),
    J("w-rendadaibiao", "words", "人大代表", {RENDA: 2, REPLY: 1}),
    J("w-diankong-jingji", "words", "低空经济", {GUOZI25: 2, SANGE: 1}),
    # --- named initiatives -------------------------------------------------------------------
    J("i-erfenfa", "initiative", "二分法", {ERFENFA: 2, JINYAOSHI: 1, GUOZI25: 1}),
    J("i-gongzuo-xiangmuhua", "initiative", "工作项目化", {ZIGUI: 2, JINYAOSHI: 1, BANZI: 1}),
    J("i-wuhao-yuanqu", "initiative", "五好园区", {REPLY: 2, LIANGGE: 1, JINYAOSHI: 1, ANREN: 1}),
    J("i-shida-zhuanxiang", "initiative", "十大专项行动", {SHIDA: 2}),
    J("i-sanxiang-zhidu", "initiative", "三项制度改革", {SHIDA: 2, GUOZI25: 1, JINYAOSHI: 1, LIANGGE: 1, ERFENFA: 1}),
    J("i-zichan-chaoshi", "initiative", "资产超市", {GUOZI25: 2}),
    J("i-135", "initiative", "135工程", {G135: 2}),
    J("i-sange-gaodi", "initiative", "三个高地", {SANGE: 2}),
    J("i-renmin-jianyi", "initiative", "人民建议", {CHENZHOU: 2}),
    J("i-qianyue-gongdi", "initiative", "签约即供地", {JINYAOSHI: 2, ZIGUI: 1}),
    J("i-jungong-jiaozheng", "initiative", "竣工即交证", {REPLY: 2}),
    J("i-sanwei-liuwei", "initiative", "三微六位", {JINYAOSHI: 2}),
    J("i-zhizao-xinqu", "initiative", "制造新区", {ANREN: 2}),
    J("i-liangge-shengtai", "initiative", "两个生态", {LIANGGE: 2}),
    J("i-sibu-liangzhi", "initiative", "四不两直", {BIANZHEAN: 2}),
    # --- departments, full names and abbreviations --------------------------------------------
    J("d-ziguiju", "department", "资规局", _ZIGUIJU),
    J("d-ziguiju-full", "department", "株洲市自然资源和规划局", _ZIGUIJU),
    J("d-guoziwei", "department", "国资委", _GUOZIWEI),
    J("d-guoziwei-full", "department", "国有资产监督管理委员会", _GUOZIWEI),
    J("d-gaigeban", "department", "市委改革办", _GAIGEBAN),
    J("d-gaigeban-full", "department", "市委全面深化改革委员会办公室", _GAIGEBAN),
    J("d-gaoxinqu", "department", "高新区", _GAOXINQU),
    J("d-gaoxinqu-full", "department", "株洲高新技术产业开发区", _GAOXINQU),
    J("d-gongxinju", "department", "工信局", {REPLY: 2}),
    J("d-jiwei", "department", "市纪委", _JIJIAN),
    J("d-zuzhibu", "department", "市委组织部", {BANZI: 2}),
    J("d-shehui-gongzuobu", "department", "郴州市委社会工作部", {CHENZHOU: 2}),
    J("d-gaoke", "department", "高科集团", {ERFENFA: 2, LIANGGE: 1}),
    J("d-chantou", "department", "产投集团", {GUOZI25: 2, JINYAOSHI: 1}),
    # --- people -------------------------------------------------------------------------------
    J("p-chenxuyao", "person", "陈旭尧", {ERFENFA: 2}),
    J("p-songchangzheng", "person", "宋长征", {REPLY: 2}),
    J("p-maotengfei", "person", "毛腾飞", {G135: 2}),
    J("p-guoshuzhen", "person", "郭淑珍", {ZIGUI: 2}),
    J("p-liuyang", "person", "柳杨", {SHIDA: 2}),
    J("p-wuwenyi", "person", "吴文奕", {GUOZI25: 2}),
    J("p-yangweiguo", "person", "阳卫国", {SHIJIUDA: 2}),
    J("p-nie-fanghong", "person", "聂方红", {WENLV: 2}),
    J("p-zhongweifeng", "person", "钟伟锋", {XINTIAN: 2}),
    J("p-yiyueyue", "person", "易跃跃", {JINYAOSHI: 2}),
    J("p-shaolingyun", "person", "邵凌云", {LIANGGE: 2}),
    J("p-chendailu", "person", "陈代陆", {REPLY: 2}),
    # --- words printed only in photo captions -------------------------------------------------
    J("c-jiuquan", "caption", "酒泉卫星发射中心", {GUOZI25: 2}),
    J("c-weixing", "caption", "卫星 发射", {GUOZI25: 2}),
    J("c-tuijiehui", "caption", "现场推介会", {GUOZI25: 2}),
    J("c-ctcc", "caption", "中国汽车场地职业联赛", {LIANGGE: 2}),
    J("c-shennongcheng", "caption", "株洲神农城", {JINYAOSHI: 2, LIANGGE: 1}),
    # --- 文号 ----------------------------------------------------------------------------------
    J("n-zhugongxinzi", "docno", "株工信字", {REPLY: 2}),
    J("n-full", "docno", "株工信字〔2022〕21号", {REPLY: 2}),
    J("n-gongxinzi", "docno", "工信字", {REPLY: 2}),
    J("n-year-number", "docno", "〔2022〕21号", {REPLY: 2}),
    J("n-zhubanfa", "docno", "株办发", {JIZHEN: 2}),
    # --- abbreviation vs full form ------------------------------------------------------------
    J("v-guoqi-gaige", "variant", "国企改革", _GUOQI_GAIGE),
    J("v-guoyou-qiye-gaige", "variant", "国有企业改革", _GUOQI_GAIGE),
    J("v-shisiwu", "variant", "十四五", _SHISIWU),
    J("v-shisiwu-full", "variant", "第十四个五年规划", _SHISIWU),
    J("v-renda", "variant", "人大", _RENDA),
    J("v-renda-full", "variant", "人民代表大会", _RENDA),
    J("v-jingkaiqu", "variant", "株洲经开区", _JINGKAIQU),
    J("v-jingkaiqu-full", "variant", "株洲经济开发区", _JINGKAIQU),
    J("v-jiwei-full", "variant", "纪律检查委员会", _JIJIAN),
    # --- traditional characters ---------------------------------------------------------------
    J("t-guozi", "traditional", "國資", {GUOZI25: 2, SHIDA: 2, JINYAOSHI: 1}),
    J("t-guoqi-gaige", "traditional", "國企改革", _GUOQI_GAIGE),
    J("t-xiangcun-zhenxing", "traditional", "鄉村振興", _XIANGCUN_ZHENXING),
    J("t-jijian", "traditional", "紀檢監察", _JIJIAN),
    J("t-ziguiju", "traditional", "資規局", _ZIGUIJU),
    J("t-yuanqu-ganbu", "traditional", "園區幹部", _YUANQU_GANBU),
    # --- field syntax -------------------------------------------------------------------------
    J("f-title-erfenfa", "field", "title:二分法", {ERFENFA: 2}),
    J("f-title-shisiwu", "field", "title:十四五", {XINTIAN: 2, GUOZI25: 2, ANREN: 2}),
    J("f-title-xiangcun", "field", "title:乡村振兴", {JIZHEN: 2, JINRONG: 2}),
    J("f-author-mao", "field", "author:毛腾飞", {G135: 2}),
    J("f-author-chen", "field", "author:陈旭尧", {ERFENFA: 2}),
    J("f-author-song", "field", "author:宋长征", {REPLY: 2}),
    J("f-dept-ziguiju", "field", "dept:资规局", {ZIGUI: 2}),
    J("f-dept-guoziwei", "field", "dept:国资委", {SHIDA: 2, GUOZI25: 2}),
    J("f-dept-gaoxinqu", "field", "dept:高新区", {LIANGGE: 2, JINYAOSHI: 1, SANGE: 1, REPLY: 1, G135: 1}),
    J("f-docno", "field", "docno:株工信字", {REPLY: 2}),
    J("f-caption-weixing", "field", "caption:卫星", {GUOZI25: 2}),
    J("f-caption-changba", "field", "caption:厂BA", {LIANGGE: 2}),
    # --- date ranges --------------------------------------------------------------------------
    J("r-guoqi-2025", "date", "国企改革", {GUOZI25: 2}, {"date_from": "2025-01-01"}),
    J("r-yuanqu-2025", "date", "园区", {ANREN: 2}, {"date_from": "2025-01-01"}),
    J("r-yuanqu-2019", "date", "园区", {G135: 2, BANZI: 2, LUODI: 1, ZHIZAO: 1, WENLV: 1}, {"date_to": "2019-12-31"}),
    J("r-gaoxinqu-2024", "date", "高新区", {LIANGGE: 2, JINYAOSHI: 1, SANGE: 1}, {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
    J("r-gaige-2022", "date", "改革", {REPLY: 2}, {"date_from": "2022-01-01", "date_to": "2022-12-31"}),
    J("r-renda-since-2022", "date", "人大", {REPLY: 2}, {"date_from": "2022-01-01"}),
    # --- facet parameters (the page's existing filters) ---------------------------------------
    J("x-gaige-sasac", "facet", "改革", {SHIDA: 2, GUOZI25: 2}, {"department": "zhuzhou-sasac"}),
    J("x-yuanqu-research", "facet", "园区", {G135: 2, BANZI: 2, LUODI: 1, ZHIZAO: 1, WENLV: 1}, {"kind": "research"}),
]

# Queries whose judged "2" report the landed engine (main at 7d50486) ranks first, measured with
# `python -m bench.ndcg --ranks-first` on that tree: each must keep a "2" report first.
RANKS_FIRST_TODAY: list[str] = [
    "w-yongdi-baopi", "w-yanglao-fuwu", "w-guangfu-dianzhan", "w-kaigonglv", "w-shenong-daikuan",
    "w-biaozhunhua-changfang", "w-weixinqun", "w-minqi-rongzi", "w-chanye-shengtai",
    "w-rongzi-huazhai", "w-yuanqu-ganbu", "w-feiyi", "w-dianti", "w-motuoche", "w-lidianchi",
    "w-rendadaibiao", "i-erfenfa", "i-gongzuo-xiangmuhua", "i-wuhao-yuanqu", "i-shida-zhuanxiang",
    "i-zichan-chaoshi", "i-135", "i-sange-gaodi", "i-renmin-jianyi", "i-qianyue-gongdi",
    "i-jungong-jiaozheng", "i-sanwei-liuwei", "i-zhizao-xinqu", "i-liangge-shengtai",
    "i-sibu-liangzhi", "d-ziguiju", "d-ziguiju-full", "d-guoziwei", "d-gaigeban-full",
    "d-gaoxinqu", "d-jiwei", "d-zuzhibu", "d-shehui-gongzuobu", "d-chantou", "p-shaolingyun",
    "p-chendailu", "n-zhugongxinzi", "n-full", "n-gongxinzi", "n-year-number", "n-zhubanfa",
    "v-guoqi-gaige", "v-shisiwu", "v-renda", "v-jingkaiqu", "t-guozi", "t-guoqi-gaige",
    "t-xiangcun-zhenxing", "t-jijian", "t-ziguiju", "t-yuanqu-ganbu", "f-title-erfenfa",
    "f-title-shisiwu", "f-title-xiangcun", "r-yuanqu-2019", "r-gaoxinqu-2024", "x-gaige-sasac",
    "x-yuanqu-research",
]


# ---------------------------------------------------------------------------------------------
# The measure


def dcg(gains) -> float:
    """Discounted cumulative gain of grades in rank order: (2^g - 1) / log2(rank + 1)."""
    return sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(gains, 1))


def ndcg_at(ranked_slugs, grades: dict, k: int = 10) -> float:
    """nDCG@k of a ranked list of article slugs against graded judgments (unlisted = 0)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(slug, 0) for slug in list(ranked_slugs)[:k]]) / ideal


def by_kind(scores: dict[str, float]) -> dict[str, float]:
    """Mean nDCG per kind (KINDS order) from per-query scores keyed by query id."""
    kinds = {j.id: j.kind for j in JUDGED}
    out = {}
    for kind in KINDS:
        values = [s for qid, s in scores.items() if kinds.get(qid) == kind]
        if values:
            out[kind] = sum(values) / len(values)
    return out


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# ---------------------------------------------------------------------------------------------
# Running a query as the search page does: GET /api/search with q and the same parameters.


def article_slug(url: str) -> str:
    """The slug in an article URL (/articles/<slug>/)."""
    parts = [p for p in url.split("#", 1)[0].split("?", 1)[0].split("/") if p]
    return parts[parts.index("articles") + 1] if "articles" in parts else parts[-1]


def ranked_slugs(client, judged: Judged, k: int = 10) -> list[str]:
    """The top k articles /api/search returns for the query, in order (following pages when a page
    holds fewer than k)."""
    from django.urls import reverse

    url = reverse("search:api_search")
    slugs: list[str] = []
    page = 1
    while len(slugs) < k:
        response = client.get(url, {"q": judged.q, **judged.params, "page": page})
        assert response.status_code == 200, f"{judged.id}: /api/search answered {response.status_code}"
        data = response.json()
        for item in data["results"]:
            slug = article_slug(item["article"]["url"])
            if slug not in slugs:
                slugs.append(slug)
        if not data["results"] or page >= data.get("pages", 1):
            break
        page += 1
    return slugs[:k]


def run_all(client, k: int = 10) -> dict[str, list[str]]:
    """Every judged query's top k slugs, keyed by query id."""
    return {j.id: ranked_slugs(client, j, k) for j in JUDGED}


def scores_of(rankings: dict[str, list[str]], k: int = 10) -> dict[str, float]:
    grades = {j.id: j.grades for j in JUDGED}
    return {qid: ndcg_at(slugs, grades[qid], k) for qid, slugs in rankings.items()}


def first_is_a_two(judged: Judged, slugs: list[str]) -> bool:
    return bool(slugs) and judged.grades.get(slugs[0], 0) == 2


def summary_lines(scores: dict[str, float], label: str = "") -> list[str]:
    """The figures as printed by the test's summary and by bench.ndcg."""
    counts = {kind: sum(1 for j in JUDGED if j.kind == kind and j.id in scores) for kind in KINDS}
    head = f"judged nDCG@10{(' ' + label) if label else ''}: {mean(scores.values()):.3f} over {len(scores)} queries"
    lines = [head]
    for kind, value in by_kind(scores).items():
        lines.append(f"  {kind:<12} {value:.3f}  ({counts[kind]:>2} queries: {KINDS[kind]})")
    return lines
