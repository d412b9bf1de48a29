"""Existing archives get what the curated corpus now says (fixtures/, docs/corpus.md):
editorial notes in plain Chinese instead of fixture field names (记为series, departments作者,
移入captions, reading_order, author), catalog summaries without the jargon 语料, and the corpus's
inferred dates flagged (Article.date_inferred), the 新田 report dated [2026年].

An editor's work is never overwritten: each note is changed only in the exact phrases below (the
rest of an edited note stays as the editor left it), a date is flagged only while it is still the
corpus's own, and the 新田 report is re-dated only while it is still undated with the corpus's
note. The new values are the fixture's, so load_corpus --update and this migration agree."""

import datetime

from django.db import migrations

NOTE_FIXES = [
    ("专题名记为series", "专题名记为所属专栏"),
    ("不描述本文内容，记为series", "不描述本文内容，记为所属专栏"),
    ("记为撰稿单位（departments作者）", "记为撰稿单位"),
    ("已移入captions", "已移作图片说明"),
    ("移入captions", "移作图片说明"),
    ("摄影者易跃跃记入作者（photographer）", "摄影者易跃跃记入作者，身份记为摄影"),
    ("阅读顺序（reading_order）为", "阅读顺序为"),
    ("原文未注明身份，记为author", "原文未注明身份，身份记为作者"),
    ("未注明身份，记为作者（author）", "未注明身份，身份记为作者"),
    ("且属“不忘初心、牢记使命”主题教育调研报告摘登，定为2019年。", "且属“不忘初心、牢记使命”主题教育调研报告摘登，推定为2019年。"),
]
SUMMARY_FIXES = [("语料收录了", "本馆收录了"), ("语料收录它", "本馆收录了它"), ("语料", "馆藏报道")]

# The corpus entries whose date the text does not print (every one but the 2022 reply, dated by
# its 落款), with that date as the corpus gave it: (slug, year).
INFERRED = [
    ("2024-zhuzhou-gaige-jinxingshi-xiezai-qianmian", 2024),
    ("2024-gaige-jinyaoshi", 2024),
    ("2024-zhuzhou-ziguiju-gongzuo-xiangmuhua", 2024),
    ("2024-zhuzhou-guoziwei-shida-zhuanxiang-xingdong", 2024),
    ("2024-zhuzhou-gaoke-erfenfa", 2024),
    ("2024-zhuzhou-sange-gaodi-zouzaiqian", 2024),
    ("2025-zhuzhou-guozi-guoqi-shisiwu-guancha", 2025),
    ("2025-anren-zhizao-xinqu-chuangxin", 2025),
    ("2025-chenzhou-renmin-jianyi-zhuanhua", 2025),
    ("2024-gongjian-liangge-shengtai", 2024),
    ("2019-changwei-zhuti-jiaoyu-diaoyan-zhaideng-bianzhean", 2019),
    ("2019-yuanqu-135-gongcheng-shengjiban-zhuzhou-fangan", 2019),
    ("2019-guanche-shijiuda-tuidong-gaozhiliang-fazhan", 2019),
    ("2019-jizhen-xiangcun-zhenxing-zhanlue-zhichengdian", 2019),
    ("2019-chuangxin-qudong-zhizao-qiangshi-diaoyan", 2019),
    ("2019-renda-gongzuo-gaozhiliang-fazhan-diaoyan", 2019),
    ("2019-jiakuai-tuidong-quanshi-xiangmu-luodi", 2019),
    ("2019-zuoshi-zuoxi-jijian-jiancha-jiandu-zhize", 2019),
    ("2019-zhuzhou-wenhua-lvyou-chanye-fazhan-duice", 2019),
    ("2019-huiqi-zhengce-luodi-minying-jingji", 2019),
    ("2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe", 2019),
    ("2019-xiangcun-zhenxing-jinrong-zhicheng", 2019),
    ("2019-shiyu-shehui-zhili-chuangxin-diaocha", 2019),
]
XINTIAN = "2025-xintian-fengguang-xiangmu-shiqi-ge"
XINTIAN_OLD = (
    "日期：原文未印发稿日期，日期记为空（不详）。导语首句“2025年12月31日，……圩光伏电站一期光伏项目全容量并网发电”"
    "所记是并网发电这件事的日期，不是发稿日期；报道写于此日或其后，可能已在2026年，文中也没有“今年”等说明报道写于"
    "2025年的词语，连年份都不能确定，故不取2025年12月31日，也不记作2025年。"
)
XINTIAN_NEW = (
    "日期推定：原文未印发稿日期。导语首句“2025年12月31日，……圩光伏电站一期光伏项目全容量并网发电”所记是并网发电"
    "这件事的日期，不是发稿日期；报道以“至此”总结“十四五”期间（到2025年底结束）的全部风光项目，写于此日或其后，"
    "文中也没有“今年”等说明报道写于2025年的词语，故推定为2026年，月日未定（也可能在2025年12月31日当天发稿）。"
)


def _replace_all(text: str, fixes) -> str:
    for old, new in fixes:
        text = text.replace(old, new)
    return text


def forwards(apps, schema_editor):
    Article = apps.get_model("archive", "Article")
    Department = apps.get_model("archive", "Department")
    Initiative = apps.get_model("archive", "Initiative")
    for model in (Department, Initiative):
        for obj in model.objects.filter(summary__contains="语料"):
            model.objects.filter(pk=obj.pk).update(summary=_replace_all(obj.summary, SUMMARY_FIXES))
    for article in Article.objects.only("pk", "editorial_note"):
        fixed = _replace_all(article.editorial_note, NOTE_FIXES)
        if fixed != article.editorial_note:
            Article.objects.filter(pk=article.pk).update(editorial_note=fixed)
    for slug, year in INFERRED:
        Article.objects.filter(
            slug=slug, date=datetime.date(year, 1, 1), date_precision="year"
        ).update(date_inferred=True)
    xintian = Article.objects.filter(slug=XINTIAN, date=None, editorial_note__contains=XINTIAN_OLD).first()
    if xintian is not None:
        Article.objects.filter(pk=xintian.pk).update(
            date=datetime.date(2026, 1, 1),
            date_precision="year",
            date_inferred=True,
            editorial_note=xintian.editorial_note.replace(XINTIAN_OLD, XINTIAN_NEW),
        )


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0009_article_date_inferred"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
