"""Acceptance test of the curated corpus against the five raw texts.

The expectations below were written by hand from a reading of fixtures/seeds/*.txt (cat -n),
not read from fixtures/corpus/*.json: what a careful reader finds in each raw file, report by
report. The corpus is loaded once, published, by tests/conftest.py.
"""

import copy
import difflib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archive.ingest.corpus import DepartmentResolver, check_curated, fold_for_comparison, load_all
from archive.models import Article, Department, Initiative, Mention, Person, Section

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.FIXTURES_DIR)

SEED_000 = "000_681c9cb34ef7a946.txt"  # 专题“全面深化改革株洲进行时”：写在前面 + 5 篇
SEED_001 = "001_de7779e99e103152.txt"  # 四篇“十四五”回顾稿混排
SEED_002 = "002_92def54a1eb8131a.txt"  # 株洲市工信局对第1022号建议的答复
SEED_003 = "003_07f146bfb3fe527f.txt"  # 通讯《共建“两个生态” 锻造新区实力》
SEED_004 = "004_c7aa5b0e9d0683af.txt"  # 市委常委会成员主题教育调研报告摘登：编者按 + 12 篇

REPORTS_PER_SEED = {SEED_000: 6, SEED_001: 4, SEED_002: 1, SEED_003: 1, SEED_004: 13}

# Catalog names (Department.name) as loaded from fixtures/departments.json.
REFORM_OFFICE = "中共株洲市委全面深化改革委员会办公室"
PARTY_COMMITTEE = "中国共产党株洲市委员会"
SASAC = "株洲市人民政府国有资产监督管理委员会"
NATURAL_RESOURCES = "株洲市自然资源和规划局"
INDUSTRY_IT = "株洲市工业和信息化局"
HI_TECH_ZONE = "株洲高新技术产业开发区"
ETDZ = "株洲经济开发区"
GAOKE = "株洲高科集团有限公司"
TIANYUAN = "株洲市天元区"
DISCIPLINE = "中共株洲市纪律检查委员会 株洲市监察委员会"

S, A = "subject", "author"

EXPECTED = {
    # ---- 000: one page of the special report “全面深化改革株洲进行时” ----------------------------
    "2024-zhuzhou-gaige-jinxingshi-xiezai-qianmian": dict(
        seed=SEED_000,
        title="写在前面",
        subtitle="",
        kind="editor_note",
        authors=[],
        departments=set(),
        date="[2024年]",
        first="党的二十届三中全会对进一步全面深化改革、推进中国式现代化作出战略部署。",
        last="为深入贯彻落实全会精神，本报特推出“全面深化改革株洲进行时”专题报道，以充分展示近年来株洲市"
        "聚焦重点领域和关键环节全面深化改革的生动实践和宝贵经验，谋划进一步全面深化改革重大举措，"
        "为全力培育制造名城、建设幸福株洲营造良好氛围。",
    ),
    "2024-gaige-jinyaoshi": dict(
        seed=SEED_000,
        title="用好改革“金钥匙”解锁“制造名城幸福株洲”发展新引擎",
        subtitle="",
        kind="feature",
        authors=["易跃跃"],  # 图片署名“易跃跃 摄”
        departments={
            (REFORM_OFFICE, A),  # 文末“(中共株洲市委改革办)”
            (HI_TECH_ZONE, S),
            (ETDZ, S),
            ("株洲云发集团", S),
            ("株洲清水塘集团", S),
            ("株洲市资源投资集团", S),
            ("株洲产投集团", S),
            ("株洲北斗集团", S),
            ("株洲物流集团", S),
        },
        date="[2024年]",
        first="地区生产总值增长5.4%、规模以上工业增加值增长9.9%、规模以上工业企业利润总额增长23.9%、"
        "高技术制造业增加值增长14.8%……湖南省株洲市今年前三季度经济成绩单“出炉”，一组组“硬核”数据"
        "勾勒出工业株洲蓬勃发展的曲线，折射出株洲“株”多领域的改革发展成果。",
        last="企业、群众尽享改革红利，幸福感、满足感、获得感持续攀升，制造名城株洲更“名副其实”，"
        "幸福株洲越来越“可触可感”。",
    ),
    "2024-zhuzhou-ziguiju-gongzuo-xiangmuhua": dict(
        seed=SEED_000,
        title="“工作项目化”改革助推项目跑出“加速度”",
        subtitle="",
        kind="news",
        authors=["郭淑珍"],
        departments={(NATURAL_RESOURCES, A)},  # 引题“株洲市资规局:”
        date="[2024年]",
        first="本报讯 项目审批提速30%以上；企业直接经济成本下降12%，时间成本缩短57%；向社会公开10项办事承诺，"
        "出台各类创新政策50余项，7项成果在全省领先。",
        last="量身定做的专班服务，全生命周期的管理，全方位的要素保障，为“制造名城”夯实了驶向高质量发展的澎湃动力。",
    ),
    "2024-zhuzhou-guoziwei-shida-zhuanxiang-xingdong": dict(
        seed=SEED_000,
        title="实施十大专项行动，蹚出国企改革新路子",
        subtitle="",
        kind="news",
        authors=["柳杨"],  # 原文“(柳 杨)”
        departments={(SASAC, A)},  # 引题“株洲市国资委:”
        date="[2024年]",
        first="本报讯 投资增效、“三能”建设、资产资源归集、“三资”盘活……今年以来，湖南省株洲市国资委全力实施"
        "“国资国企改革十大专项行动”，坚决打赢打好国资国企改革攻坚战，为高质量发展增动力添活力，"
        "蹚出一条国企改革新路子。",
        last="株洲市国资委相关负责人表示，下一步，将以实施国资国企改革十大专项行动为契机，加快推进国有企业"
        "市场化、实体化、效益化转型，为大力培育制造名城、建设幸福株洲赋能添势。",
    ),
    "2024-zhuzhou-gaoke-erfenfa": dict(
        seed=SEED_000,
        title="“‘二分法’破题+市场化破局”推进国企改革",
        subtitle="",
        kind="news",
        authors=["陈旭尧"],
        departments={(GAOKE, A), ("高科天易公司", S), ("高科村镇公司", S), ("高科产业升级公司", S)},
        date="[2024年]",
        first="本报讯 员工数量压减35%、人工成本下降25.21%、融资化债成效明显……近年来，株洲高科集团有限公司"
        "聚焦融资化债、园区建设、资产管理、市场经营等方面，创新运用“二分法”破题，推进国企战略性重组、"
        "专业化整合、市场化转型取得明显成效。",
        last="该公司有关负责人表示。",
    ),
    "2024-zhuzhou-sange-gaodi-zouzaiqian": dict(
        seed=SEED_000,
        title="株洲：守正创新真抓实改，在打造“三个高地”上走在前作示范",
        subtitle="",
        kind="news",
        authors=[],
        departments={(REFORM_OFFICE, A), (PARTY_COMMITTEE, S), (HI_TECH_ZONE, S)},
        date="[2024年]",
        first="日前，株洲市委十三届九次全会召开，出台关于进一步全面深化改革的实施意见，铺排了10个部分34条改革，"
        "安排了首批24项重点推进的改革事项，形成了改革落地的“路线图”。",
        last="发挥“湘粤非”铁海联运通道等平台作用，加强与国际贸易通道的联动发展，积极发展“一站式”运输，"
        "构建“跨境电商+海外仓+产业带”新模式。",
    ),
    # ---- 001: four reviews of the 14th five-year plan, mixed up ----------------------------------
    "2025-zhuzhou-guozi-guoqi-shisiwu-guancha": dict(
        seed=SEED_001,
        title="以变图变展新姿 向远攀高再出发",
        subtitle="株洲国资国企“十四五”高质量发展观察",
        kind="feature",
        authors=["吴文奕", "张建平"],
        departments={
            (SASAC, S),
            ("株洲产投集团", S),
            ("株洲城发集团", S),
            ("株洲市资源投资集团", S),
            ("株洲北斗集团", S),
            ("株洲千金药业股份有限公司", S),
            ("株洲天桥起重机股份有限公司", S),
            ("株洲水务集团", S),
            ("株洲公交集团", S),
            ("株洲市规划测绘设计院", S),
        },
        date="[2025年]",
        # the opening is missing in the raw file: the text starts mid-way, and is not made up
        first="项目推进到哪里、组织覆盖到哪里；公交线路把党史学习教育延伸到车厢与线路，B60学党史专线、"
        "穿行湘潭的红色专列，让教育走出会场、融入日常；千金药业把支部嵌入产业链条，贯通研发与营销；"
        "天桥起重把廉洁防线前移至境外业务，让“走出去”更稳更实。",
        last="这支向新而行的国资力量，将继续在“制造名城”的征途上，以更强的市场化能力、更稳的风险底线、"
        "更厚的产业生态，把一座城市的动能与信心，推向更辽阔的未来。",
    ),
    "2025-anren-zhizao-xinqu-chuangxin": dict(
        seed=SEED_001,
        title="「制造新区」创新潮涌",
        subtitle="看安仁县“十四五”期间如何推动工业经济从量增到质效跃升",
        kind="feature",
        authors=["谭利炳", "张雨薇", "邓华夫"],
        departments={("安仁县", S), ("安仁产业开发区", S)},
        date="[2025年]",
        first="走进安仁产业开发区的无尘车间，精密制造的气息扑面而来。",
        last="从主要指标增速全市靠后，到多项经济指标增速跃居前列；从工业基础薄弱，到工业税收成为全县支柱财源；"
        "从园区排名靠后，到成为全省进步最快的园区之一——安仁用五年时间，完成了一场精彩的“制造新区”逆袭，"
        "一个创新活力迸发、产业筋骨强健、营商环境优越的现代产业集聚区正在加速崛起，"
        "为安仁的高质量发展注入更为强劲的持久动力。",
    ),
    "2025-chenzhou-renmin-jianyi-zhuanhua": dict(
        seed=SEED_001,
        title="郴州构建“全链式”人民建议转化新机制",
        subtitle="民声所向 治理所往",
        kind="news",
        authors=[],
        departments={("中共郴州市委社会工作部", S)},
        date="[2025年]",
        # the lead is printed in the middle of the raw report; the last section breaks off
        first="在推进社会治理现代化的进程中，如何让民声民意成为发展的“助推器”？",
        last="为提升建议转化的系统性与",
    ),
    "2025-xintian-fengguang-xiangmu-shiqi-ge": dict(
        seed=SEED_001,
        title="新田“十四五”实施风光项目十七个 装机容量达一千三百七十兆瓦",  # printed after the body
        subtitle="",
        kind="news",
        authors=["钟伟锋", "盘程"],
        departments={("新田县", S)},
        date="[2026年]",  # inferred: 2025年12月31日 is the day of the grid connection, the report sums up 十四五 after it
        first="2025年12月31日，永州市新田县新圩镇桐木窝村圩光伏电站一期光伏项目全容量并网发电。",
        last="同时，项目运营期将为本地劳动力提供电站除薪、设备巡检维护等就业岗位，持续带动群众增收，"
        "为当地经济社会高质量发展注入绿色动能。",
    ),
    # ---- 002: a reply to a deputy's proposal ------------------------------------------------------
    "2022-zhuzhou-gongxinju-reply-1022": dict(
        seed=SEED_002,
        title="对市十六届人大一次会议第1022号建议的答复",
        subtitle="",
        kind="reply",
        authors=["宋长征", "杨帆"],
        departments={
            (INDUSTRY_IT, A),
            (HI_TECH_ZONE, S),
            (ETDZ, S),
            ("醴陵经济开发区", S),
            ("茶陵经济开发区", S),
            ("株洲市石峰区", S),
        },
        date="2022年6月28日",
        first="陈代陆代表：",
        last="衷心感谢您对我局工作的关心支持，希望以后多提宝贵意见，督促我们将工作做得更好！",
    ),
    # ---- 003: one feature, title after its lead, a block printed twice ---------------------------
    "2024-gongjian-liangge-shengtai": dict(
        seed=SEED_003,
        title="共建“两个生态” 锻造新区实力",
        subtitle="株洲高新区、天元区构建产业生态和人居生态，奋力推动高质量发展走在前列",
        kind="feature",
        authors=["李永亮", "吴丹", "张弥郁"],
        departments={(HI_TECH_ZONE, S), (TIANYUAN, S), (GAOKE, S)},
        date="[2024年]",  # “1月10日”是会议日期，不是发稿日期
        first="新岁序开，湘江株洲城区段西岸勃发生机。",
        last="沿着走顺的路子，朝着明亮的方向，顾不得疲惫、来不及休整，株洲新区人踏上新征途，开启新篇章。",
    ),
    # ---- 004: the standing committee's research reports; titles and bylines follow the body ------
    "2019-changwei-zhuti-jiaoyu-diaoyan-zhaideng-bianzhean": dict(
        seed=SEED_004,
        title="奔着问题去 对着实情走 带着答案回",
        subtitle="市委常委会成员“不忘初心、牢记使命”主题教育调研报告摘登",
        kind="editor_note",
        authors=[],
        departments=set(),
        date="[2019年]",
        first="“不忘初心、牢记使命”主题教育开展以来，市委常委会成员以习近平新时代中国特色社会主义思想为指导，"
        "围绕贯彻落实党中央、省委重大决策部署，坚持问题导向、目标导向，从株洲发展所需、改革所急、稳定所忧、"
        "群众所盼的问题入手，紧密结合工作实际，采取“四不两直”等形式，沉入基层一线，与干部群众面对面交谈，"
        "广泛听取意见，深入查找问题，提出务实对策，形成了有高度、有深度、有温度、有力度的调研成果，"
        "实现了“奔着问题去，对着实情走、带着答案回”。",
        last="现将调研报告进行摘登，以飨读者。",
    ),
    "2019-yuanqu-135-gongcheng-shengjiban-zhuzhou-fangan": dict(
        seed=SEED_004,
        title="关于打造园区“135”工程升级版株洲方案的调查与思考",  # printed at the very end of the file
        subtitle="",
        kind="research",
        authors=["毛腾飞"],
        departments={(HI_TECH_ZONE, S), (TIANYUAN, S), (ETDZ, S)},
        date="[2019年]",
        first="2015年以来，株洲坚决落实省“135”工程部署，以标准化厂房建设为切入口、优化空间布局为突破口、"
        "产业集群为着力点、提服务优环境为主抓手，大力实施创新创业园区“146”工程，园区综合实力明显增强、"
        "承载能力大幅提升、产业生态不断形成、发展活力得到释放。",
        last="四是严格落实“三个区分开来”，审慎对待涉及园区的违纪违规案件和人员，对因缺乏经验先行先试出现的失误、"
        "国家尚无明确规定时的探索性试验和为推动改革的无意过失等免于追责。",
    ),
    "2019-guanche-shijiuda-tuidong-gaozhiliang-fazhan": dict(
        seed=SEED_004,
        title="贯彻十九大精神 推动高质量发展",
        subtitle="",
        kind="research",
        authors=["阳卫国"],
        departments=set(),
        date="[2019年]",
        first="党的十九大作出“我国经济已由高速增长阶段转向高质量发展阶段”的重大判断。",
        last="贯彻落实《湖南省高质量发展监测评价指标体系（试行）》的部署要求，不断建立完善高质量发展考核体系，"
        "全方位体现高质量发展要求。",
    ),
    "2019-jizhen-xiangcun-zhenxing-zhanlue-zhichengdian": dict(
        seed=SEED_004,
        title="把集镇打造成乡村振兴的战略支撑点",
        subtitle="",
        kind="research",
        authors=["王洪斌"],
        departments=set(),
        date="[2019年]",
        first="集镇是连接城乡的重要桥梁和纽带。",
        last="认真落实省、市关于加强基层建设相关文件要求，除法院、公安、税务等部门实行派驻体制外，"
        "县直部门设在乡镇的机构原则上实行属地管理，进一步扩大乡镇经济社会管理权限，确保权责一致。",
    ),
    "2019-chuangxin-qudong-zhizao-qiangshi-diaoyan": dict(
        seed=SEED_004,
        title="“大力实施创新驱动战略 高质量推进制造强市建设”的调研报告",
        subtitle="",
        kind="research",
        authors=["蔡溪"],
        departments={
            ("中车株洲电力机车有限公司", S),
            ("中车株洲电力机车研究所有限公司", S),
            ("北京汽车股份有限公司株洲分公司", S),
        },
        date="[2019年]",
        first="当前我市制造强市建设，具有产业集聚初具规模、技术创新进程加快、品牌影响逐渐扩大、人才聚集效应明显等优势。",
        last="落实出口信用保险政策。",
    ),
    "2019-renda-gongzuo-gaozhiliang-fazhan-diaoyan": dict(
        seed=SEED_004,
        title="从政治上把握 在大局下行动 扎实推进新时代人大工作高质量发展",
        subtitle="",
        kind="research",
        authors=["刘光跃"],
        departments={("株洲市人民代表大会常务委员会", S), (ETDZ, S)},
        date="[2019年]",
        first="十八大以来，党中央、省委、市委先后出台20余件文件，召开10多次会议，着力推动人大工作和建设。",
        last="加大探索力度，推进街道人大工作。",
    ),
    "2019-jiakuai-tuidong-quanshi-xiangmu-luodi": dict(
        seed=SEED_004,
        title="关于加快推动全市项目落地的思考",
        subtitle="",
        kind="research",
        authors=["何剑波"],
        departments=set(),
        date="[2019年]",
        first="2015－2018年，全市共引进各类项目820个，已开工665个，占比81%；引进工业项目435个，已开工377个，占比86%。",
        last="要严防项目建设形象式，要注重考核具备法律效力合同的签约、主体建设工程的开工、具备试生产条件的竣工"
        "三个节点，可引入第三方考核认定机构。",
    ),
    "2019-zuoshi-zuoxi-jijian-jiancha-jiandu-zhize": dict(
        seed=SEED_004,
        title="关于做实做细纪检监察监督职责的思考",
        subtitle="",
        kind="research",
        authors=["邓为民"],
        departments={(DISCIPLINE, S)},
        date="[2019年]",
        first="监督的目的是让干部少犯错误或不犯错误，落脚点是激励干部履职尽责、担当作为。",
        last="要运用好“一盘棋”的战略思维，进一步健全监督工作内部协作、信息研判、联合检查等机制，通过健全组织网络、"
        "明确职责定位、完善工作制度，推动“四个监督”紧密衔接，同向发力，提高监督整体效能，切实增强监督的有效性。",
    ),
    "2019-zhuzhou-wenhua-lvyou-chanye-fazhan-duice": dict(
        seed=SEED_004,
        title="关于株洲市加快文化旅游产业发展的对策研究",
        subtitle="",
        kind="research",
        authors=["聂方红"],
        departments=set(),
        date="[2019年]",
        first="一是总量有而结构差。",
        last="采取定向培养、高薪聘请、人才引进等多种方式，着力建设一支适应市场需求的宏大专业人才队伍。",
    ),
    "2019-huiqi-zhengce-luodi-minying-jingji": dict(
        seed=SEED_004,
        title="推动惠企政策落地 促进民营经济高质量发展",
        subtitle="",
        kind="research",
        authors=["覃万成"],
        departments=set(),
        date="[2019年]",
        first="为了解惠企政策在全市民营企业的落实情况，今年4月以来，我结合开展“温暖企业行动”，通过走访企业、"
        "召开座谈会、问卷调查等方式进行了深入调研。",
        last="注入发展活力，健全民营企业家参与涉企政策制定机制，完善涉产权保护部门之间的工作协调机制，"
        "构建激发和保护企业家精神的长效机制，探索青年企业家培训新机制。",
    ),
    "2019-yuanqu-lingdao-banzi-ganbu-duiwu-jianshe": dict(
        seed=SEED_004,
        title="加强园区领导班子和干部队伍建设 助力园区转型升级创新发展",
        subtitle="",
        kind="research",
        authors=["羊贵平"],
        departments={("中共株洲市委组织部", A)},  # “市委组织部……深入开展……调研”
        date="[2019年]",
        first="为助力园区转型升级、创新发展，推动组织路线更好地服务政治路线，市委组织部结合“不忘初心、牢记使命”"
        "主题教育，深入开展我市工业（产业）领导班子和干部队伍建设调研，致力于打造一支领导有力、队伍有为的"
        "高素质专业化园区干部队伍。",
        last="加快园区“三定”方案调整，允许园区管委会在机构限额内自主调整内设机构，按规定权限和程序报机构编制部门备案。",
    ),
    "2019-xiangcun-zhenxing-jinrong-zhicheng": dict(
        seed=SEED_004,
        title="为乡村振兴提供有力的金融支撑",  # its title sits after the next report's body
        subtitle="",
        kind="research",
        authors=["左琳"],
        departments=set(),
        date="[2019年]",
        first="从产业需求、政策配套、金融创新和信用环境等方面对金融服务乡村的情况进行全面分析，查摆我市乡村振兴战略"
        "实施中金融支撑存在的不足，提出了对策和建议。",
        last="四是金融机构服务乡村振兴考核评估体系。",
    ),
    "2019-shiyu-shehui-zhili-chuangxin-diaocha": dict(
        seed=SEED_004,
        title="关于推进市域社会治理创新的调查与研究",  # printed after the 金融 body, before its own
        subtitle="",
        kind="research",
        authors=["杨玉芳"],
        departments=set(),
        date="[2019年]",
        first="习近平总书记指出“社会治理是国家治理的重要领域，社会治理现代化是国家治理体系和治理能力现代化的题中之义”。",
        last="推进“智防风险”“智辅决策”“智助司法”“智利服务”，推动市域社会治理体系架构、运行机制、工作流程的"
        "智能化再造，加快推进市域社会治理方式现代化。",
    ),
}

# Seed 004 prints each title and byline after its body, and two of them next to the wrong body:
# every title, its author and a word that only its own body is about.
TOPICS_004 = {
    "关于打造园区“135”工程升级版株洲方案的调查与思考": ("毛腾飞", "标准化厂房"),
    "贯彻十九大精神 推动高质量发展": ("阳卫国", "高质量发展"),
    "把集镇打造成乡村振兴的战略支撑点": ("王洪斌", "集镇"),
    "“大力实施创新驱动战略 高质量推进制造强市建设”的调研报告": ("蔡溪", "制造强市"),
    "从政治上把握 在大局下行动 扎实推进新时代人大工作高质量发展": ("刘光跃", "人大"),
    "关于加快推动全市项目落地的思考": ("何剑波", "项目落地"),
    "关于做实做细纪检监察监督职责的思考": ("邓为民", "纪检监察"),
    "关于株洲市加快文化旅游产业发展的对策研究": ("聂方红", "文化旅游"),
    "推动惠企政策落地 促进民营经济高质量发展": ("覃万成", "惠企政策"),
    "加强园区领导班子和干部队伍建设 助力园区转型升级创新发展": ("羊贵平", "园区干部"),
    "为乡村振兴提供有力的金融支撑": ("左琳", "金融"),
    "关于推进市域社会治理创新的调查与研究": ("杨玉芳", "社会治理"),
}


# ---------------------------------------------------------------------------------------------
# Helpers

SENTENCE = re.compile(r".+?(?:[。！？][”’」』]*|$)", re.S)


def sentences(text: str) -> list[str]:
    """Split on 。！？ (a closing quotation mark stays with its sentence)."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def article(slug: str) -> Article:
    return Article.objects.select_related("raw_document").get(slug=slug)


def sections_of(art: Article) -> list[Section]:
    return list(art.sections.order_by("order"))


def body_text(art: Article) -> str:
    return "\n".join(s.body for s in sections_of(art) if s.body)


def full_text(art: Article) -> str:
    return "\n".join(part for s in sections_of(art) for part in (s.heading, s.body) if part)


def curated_files() -> list[Path]:
    return sorted((FIXTURES / "corpus").glob("*.json"))


def read_curated(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def seed_text(name: str) -> str:
    return (FIXTURES / "seeds" / name).read_text(encoding="utf-8")


def curated_entries() -> dict[str, dict]:
    return {entry["slug"]: entry for path in curated_files() for entry in read_curated(path)["articles"]}


def corpus_state() -> dict:
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Article, Section, Mention, Department, Initiative, Person)
        },
        "updated_at": dict(Article.objects.values_list("slug", "updated_at")),
    }


# ---------------------------------------------------------------------------------------------
# The reports, as a reader of the raw texts finds them


def test_the_expectations_table_covers_every_seed_file_it_counts():
    assert sum(REPORTS_PER_SEED.values()) == len(EXPECTED)
    for seed, count in REPORTS_PER_SEED.items():
        assert sum(1 for e in EXPECTED.values() if e["seed"] == seed) == count, seed


@pytest.mark.parametrize("seed, count", sorted(REPORTS_PER_SEED.items()))
def test_each_seed_file_yields_as_many_reports_as_it_holds(seed, count):
    assert Article.objects.filter(raw_document__filename=seed).count() == count


def test_the_corpus_holds_exactly_the_reports_of_the_raw_texts():
    assert set(Article.objects.values_list("slug", flat=True)) == set(EXPECTED)
    assert set(Article.objects.values_list("raw_document__filename", flat=True)) == set(REPORTS_PER_SEED)


def test_every_loaded_report_is_published():
    assert Article.objects.published().count() == Article.objects.count() == len(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_comes_from_its_own_seed_file(slug):
    assert article(slug).raw_document.filename == EXPECTED[slug]["seed"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_has_the_title_and_subtitle_printed_for_its_body(slug):
    art = article(slug)
    assert (art.title, art.subtitle) == (EXPECTED[slug]["title"], EXPECTED[slug]["subtitle"])


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_has_the_kind_of_text_it_is(slug):
    assert article(slug).kind == EXPECTED[slug]["kind"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_names_its_authors_in_byline_order(slug):
    names = [a.person.name for a in article(slug).authorships.select_related("person").order_by("order")]
    assert names == EXPECTED[slug]["authors"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_names_the_units_behind_it_and_the_units_it_is_about(slug):
    roles = {(r.department.name, r.role) for r in article(slug).department_roles.select_related("department")}
    assert roles == EXPECTED[slug]["departments"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_is_dated_no_more_precisely_than_its_text(slug):
    assert article(slug).display_date == EXPECTED[slug]["date"]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_text_begins_and_ends_as_the_raw_report_does(slug):
    art = article(slug)
    sections = sections_of(art)
    first_paragraph, last_paragraph = sections[0].paragraphs[0], sections[-1].paragraphs[-1]
    assert sentences(first_paragraph)[0] == EXPECTED[slug]["first"]
    assert sentences(last_paragraph)[-1] == EXPECTED[slug]["last"]
    text = body_text(art)
    assert text.startswith(EXPECTED[slug]["first"]) and text.endswith(EXPECTED[slug]["last"])


def test_sentence_helper_splits_on_chinese_stops_and_keeps_closing_quotes():
    assert sentences("“好。”他说。真的吗？是！") == ["“好。”", "他说。", "真的吗？", "是！"]
    assert sentences("为提升建议转化的系统性与") == ["为提升建议转化的系统性与"]


# What a report may leave out of its raw text besides its title, subtitle, captions, bylines,
# source, series and unit names: the reply's contact line and sign-off date.
DROPPED = {"2022-zhuzhou-gongxinju-reply-1022": ["联系电话18807330077", "2022年6月28日"]}


def printed_outside_the_text(art: Article) -> list[str]:
    """Everything a report prints that is not its text, folded, longest first."""
    pieces = [art.title, art.subtitle, art.doc_number, *DROPPED.get(art.slug, [])]
    pieces += [art.source.name if art.source else "", art.series.name if art.series else ""]
    pieces += list(art.captions.values_list("text", flat=True))
    for authorship in art.authorships.select_related("person"):
        pieces += [authorship.person.name, *re.split(r"[、，]", authorship.position)]
    for role in art.department_roles.select_related("department"):
        pieces += role.department.names
    folded = {fold_for_comparison(p) for p in pieces}
    return sorted((p for p in folded if p), key=len, reverse=True)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_report_text_is_its_raw_text_with_nothing_lost_invented_or_repeated(slug):
    """Read in reading order, the raw report and the curated text differ only by what was taken
    out (title, bylines, captions …, or a block printed twice): every raw paragraph is there, once,
    in order, and nothing was added."""
    art = article(slug)
    entry = curated_entries()[slug]
    lines = seed_text(EXPECTED[slug]["seed"]).splitlines(keepends=True)
    raw = "".join("".join(lines[a - 1 : b]) for a, b in entry.get("reading_order") or entry["original"])
    raw = fold_for_comparison(raw)
    for wrong, right in entry.get("corrections", []):
        raw = raw.replace(fold_for_comparison(wrong), fold_for_comparison(right))
    text = fold_for_comparison(full_text(art))
    outside = printed_outside_the_text(art)
    matcher = difflib.SequenceMatcher(None, raw, text, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        assert op == "delete", f"{slug}: text changed or added: {raw[i1:i2]!r} -> {text[j1:j2]!r}"
        left_out = raw[i1:i2]
        if len(left_out) >= 30 and left_out in text:  # a block printed twice, kept once
            continue
        for piece in outside:
            left_out = left_out.replace(piece, "")
        assert left_out == "", f"{slug}: raw text lost: {raw[i1:i2]!r}"


# ---------------------------------------------------------------------------------------------
# The traps of the raw files


def test_every_report_in_seed_004_has_the_title_of_its_own_body():
    reports = {a.title: a for a in Article.objects.filter(raw_document__filename=SEED_004, kind="research")}
    assert set(reports) == set(TOPICS_004)
    texts = {title: full_text(a) for title, a in reports.items()}
    for title, (author, topic) in TOPICS_004.items():
        art = reports[title]
        assert [a.person.name for a in art.authorships.order_by("order")] == [author], title
        own = texts[title].count(topic)
        assert own > 0, f"{title}: its body never speaks of {topic}"
        for other, text in texts.items():
            if other != title:
                assert text.count(topic) < own, f"{title}: {other!r} is more about {topic} than its own body"


def test_the_two_titles_printed_next_to_the_wrong_body_in_seed_004_are_swapped_back():
    finance = article("2019-xiangcun-zhenxing-jinrong-zhicheng")
    governance = article("2019-shiyu-shehui-zhili-chuangxin-diaocha")
    assert "金融" in full_text(finance) and "金融" not in full_text(governance)
    assert "社会治理" in full_text(governance) and "社会治理" not in full_text(finance)


def test_the_block_printed_twice_in_seed_003_is_kept_once():
    art = article("2024-gongjian-liangge-shengtai")
    text = body_text(art)
    for phrase in ("持续开展“机关干部进小区”活动", "“保交楼”攻坚提速", "连续15年保持平安县市区荣誉称号"):
        assert text.count(phrase) == 1, phrase
    headings = [s.heading for s in sections_of(art)]
    kept = headings.index("干部下沉解难题，幸福天元看得见")
    assert "机关干部进小区" in sections_of(art)[kept].body


def test_sentences_split_across_misplaced_raw_lines_are_joined_again():
    assert "明确到2026年，在民生保障、公共服务和社会治理等方面取得成效" in body_text(
        article("2024-gongjian-liangge-shengtai")
    )
    assert "为支持的多元精准匹配体系" in body_text(article("2024-gongjian-liangge-shengtai"))
    assert "在郴州市委社会工作部领导下，安仁县依托干部下沉网格" in body_text(
        article("2025-chenzhou-renmin-jianyi-zhuanhua")
    )
    assert "以三项制度改革为突破口" in body_text(article("2024-gaige-jinyaoshi"))


def test_the_report_printed_out_of_order_reads_collect_handle_transform():
    headings = [s.heading for s in sections_of(article("2025-chenzhou-renmin-jianyi-zhuanhua"))]
    assert headings == ["", "织牢立体网络 广纳多元之声", "闭环办理机制 务求事事回应", "强化智库赋能 推动民意转化"]


def test_photo_captions_are_kept_apart_from_the_text():
    cases = {
        "2024-gaige-jinyaoshi": ["株洲神农城", "易跃跃 摄"],
        "2024-gongjian-liangge-shengtai": ["天元工业软件园。", "2023CTCC中国汽车场地职业联赛在株洲汽博园举行。", "“厂BA”决赛现场。"],
        "2025-zhuzhou-guozi-guoqi-shisiwu-guancha": [
            "国有企业改革深化提升行动现场推介会在株洲市召开。",
            "（本文图片由株洲市国资委提供）",
            "2024年11月9日，株洲产投集团投资企业在酒泉卫星发射中心成功发射4颗卫星。",
        ],
    }
    for slug, captions in cases.items():
        art = article(slug)
        assert list(art.captions.order_by("order").values_list("text", flat=True)) == captions
        pieces = {piece for s in sections_of(art) for piece in (s.heading, *s.paragraphs)}
        for caption in captions:
            assert caption not in pieces, (slug, caption)
    # the caption printed in the middle of a word of seed 000 left no trace in the sentence
    text = body_text(article("2024-gaige-jinyaoshi"))
    assert "易跃跃" not in text and "株洲神农城" not in text
    assert "以三项制度改革为突破口，以市场化、实体化、效益化为方向" in text


def test_bylines_and_unit_lead_ins_stay_out_of_the_text():
    for slug in EXPECTED:
        text = full_text(article(slug))
        for leftover in ("(中共株洲市委改革办)", "（中共株洲市委改革办）", "株洲市资规局:", "承办负责人", "联系电话"):
            assert leftover not in text, (slug, leftover)
        for name in EXPECTED[slug]["authors"]:
            if slug != "2024-gaige-jinyaoshi":  # the photographer's name is in the caption only
                assert name not in text, (slug, name)


# ---------------------------------------------------------------------------------------------
# The curated files and the checker


@pytest.mark.parametrize("path", curated_files(), ids=lambda p: p.name)
def test_every_curated_file_passes_the_checker(path):
    data = read_curated(path)
    assert check_curated(data, seed_text(data["seed"])) == []


def test_checker_reports_a_paragraph_that_is_not_in_the_original():
    data = read_curated(FIXTURES / "corpus" / "002_92def54a1eb8131a.json")
    broken = copy.deepcopy(data)
    broken["articles"][0]["sections"][0]["paragraphs"].append("园区亩均税收较上年翻了三番，全市为之振奋。")
    problems = check_curated(broken, seed_text(SEED_002))
    assert len(problems) == 1
    assert problems[0].startswith("报道“2022-zhuzhou-gongxinju-reply-1022”：第 1 节第 4 段在原文中找不到：“园区亩均税收")


def test_checker_reports_a_raw_line_range_left_uncovered():
    data = read_curated(FIXTURES / "corpus" / "002_92def54a1eb8131a.json")
    broken = copy.deepcopy(data)
    broken["articles"][0]["original"] = [[3, 50]]  # drops the sign-off: 株洲市工业和信息化局 / 2022年6月28日
    assert check_curated(broken, seed_text(SEED_002)) == [
        "原始文本第 51、53 行既不属于任何报道，也没有列为未归入报道的行"
    ]


def test_checker_reports_an_inferred_flag_without_a_date_or_not_a_yes_or_no():
    data = read_curated(FIXTURES / "corpus" / "002_92def54a1eb8131a.json")
    broken = copy.deepcopy(data)
    broken["articles"][0].update(date="", date_inferred=True)
    assert check_curated(broken, seed_text(SEED_002)) == [
        "报道“2022-zhuzhou-gongxinju-reply-1022”：标明了日期系推定，却没有填写日期"
    ]
    broken["articles"][0].update(date="2022", date_inferred="是")
    assert check_curated(broken, seed_text(SEED_002)) == [
        "报道“2022-zhuzhou-gongxinju-reply-1022”：“日期系推定”只能填 true 或 false，即是或否"
    ]


def ascii_words_outside_quotes(message: str) -> list[str]:
    """ASCII words of three or more letters in a message, leaving out values quoted “…” from the
    fixture and the one file a message may name (fixtures/departments.json)."""
    message = re.sub(r"“[^”]*”", "", message).replace("fixtures/departments.json", "")
    return re.findall(r"[A-Za-z_]{3,}", message)


def test_checker_names_every_problem_in_plain_chinese_without_field_names():
    data = read_curated(FIXTURES / "corpus" / "002_92def54a1eb8131a.json")
    broken = copy.deepcopy(data)
    entry = broken["articles"][0]
    entry.update(slug="Reply_1022", kind="letter", date="2022年", title="", editorial_note="")
    entry["sections"].append({"heading": "", "paragraphs": []})
    entry["captions"] = ["一张从未印出的照片"]
    entry["reading_order"] = [[1, 2]]
    second = copy.deepcopy(entry)
    second.update(original=[[0, 9999]])
    broken["articles"].append(second)
    broken["unplaced"] = [{"lines": "51", "why": "页眉"}]
    problems = check_curated(broken, seed_text(SEED_002))
    assert len(problems) >= 10, problems
    for problem in problems:
        assert not ascii_words_outside_quotes(problem), problem
    joined = "\n".join(problems)
    for expected in (
        "网址名只能用小写英文字母和数字",
        "网址名与前面的报道重复",
        "类别“letter”不在可选范围内，可选：“news”（新闻报道）",
        "日期“2022年”写法不对，应写成 2024、2024-11 或 2024-11-05",
        "没有标题",
        "没有编校说明",
        "阅读顺序列出的行必须与原文的行范围一致",
        "第 0—9999 行超出了原始文本",
        "未归入报道的行：行范围应写成 [起始行, 结束行]，现在是 “51”",
    ):
        assert expected in joined, expected


def write_fixtures(folder: Path, departments: list[dict]) -> Path:
    """A fixtures folder of one department catalog and no curated reports."""
    (folder / "corpus").mkdir()
    (folder / "departments.json").write_text(json.dumps(departments, ensure_ascii=False), encoding="utf-8")
    return folder


def test_load_corpus_refuses_an_unknown_department_kind_in_plain_chinese_and_loads_nothing(tmp_path):
    folder = write_fixtures(tmp_path, [{"slug": "ceshi-ju", "name": "测试局", "kind": "bureau"}])
    with pytest.raises(CommandError) as caught:
        call_command("load_corpus", fixtures=str(folder))
    message = str(caught.value)
    assert message.startswith("什么都没有载入：单位“ceshi-ju”：类别“bureau”不在可选范围内"), message
    assert "“government”（政府部门）" in message
    assert not ascii_words_outside_quotes(message), message
    assert not Department.objects.filter(slug="ceshi-ju").exists()


def test_load_corpus_names_a_catalog_entry_the_model_refuses_by_the_admins_words(tmp_path):
    folder = write_fixtures(tmp_path, [{"slug": "ceshi-ju", "name": "", "kind": "government"}])
    with pytest.raises(CommandError) as caught:
        call_command("load_corpus", fixtures=str(folder))
    message = str(caught.value)
    assert "部门/单位“ceshi-ju”：名称：" in message, message
    assert not ascii_words_outside_quotes(message), message


def test_load_corpus_points_at_the_place_of_a_json_mistake(tmp_path):
    folder = write_fixtures(tmp_path, [])
    (folder / "corpus" / "009_broken.json").write_text('{"seed": "009.txt",\n  "articles": [,]}', encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_corpus", fixtures=str(folder))
    assert str(caught.value) == "什么都没有载入：009_broken.json 不是有效的 JSON 文件：第 2 行第 16 列附近格式有误"


def test_load_corpus_says_which_raw_text_a_curated_file_lacks(tmp_path):
    folder = write_fixtures(tmp_path, [])
    (folder / "corpus" / "009_lost.json").write_text('{"seed": "009_lost.txt", "articles": []}', encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_corpus", fixtures=str(folder))
    assert "009_lost.json：找不到它所整理的原始文本“009_lost.txt”" in str(caught.value)


def test_every_date_the_corpus_says_it_inferred_is_explained_in_the_note():
    for path in curated_files():
        for entry in read_curated(path)["articles"]:
            if entry.get("date_inferred"):
                assert "推定" in entry["editorial_note"], entry["slug"]
            else:  # printed: the note names where (the 2022 reply's 落款)
                assert "落款" in entry["editorial_note"], entry["slug"]


def test_every_article_has_an_editorial_note():
    empty = [a.slug for a in Article.objects.all() if not a.editorial_note.strip()]
    assert empty == []


def test_every_article_original_text_contains_its_title():
    entries = curated_entries()
    for art in Article.objects.all():
        original = fold_for_comparison(art.original_text)
        for wrong, right in entries[art.slug].get("corrections", []):
            original = original.replace(fold_for_comparison(wrong), fold_for_comparison(right))
        assert fold_for_comparison(art.title) in original, art.slug


def test_loading_the_corpus_a_second_time_changes_nothing():
    before = corpus_state()
    load_all(settings.FIXTURES_DIR)
    assert corpus_state() == before


def test_every_department_name_used_in_the_corpus_resolves():
    resolver = DepartmentResolver()
    names = set()
    for entry in curated_entries().values():
        names.update(role["name"] for role in entry.get("departments", []))
        names.update(author["department"] for author in entry.get("authors", []) if author.get("department"))
    assert names
    for name in sorted(names):
        assert resolver.resolve(name).pk, name


def test_every_catalog_initiative_is_mentioned_in_the_corpus():
    assert Initiative.objects.count() >= 40
    unmentioned = sorted(Initiative.objects.filter(mentions__isnull=True).values_list("name", flat=True))
    assert unmentioned == []


# ---------------------------------------------------------------------------------------------
# The synonym catalog (fixtures/synonyms.json, read by search.synonyms)


def synonym_entries() -> list[dict]:
    return json.loads((Path(settings.FIXTURES_DIR) / "synonyms.json").read_text(encoding="utf-8"))


def test_the_synonym_catalog_loads_every_group_of_the_fixture():
    from archive.models import Synonym

    entries = synonym_entries()
    assert len(entries) >= 40
    assert len({e["slug"] for e in entries}) == len(entries)
    loaded = {s.slug: s.terms for s in Synonym.objects.all()}
    assert {e["slug"]: e["terms"] for e in entries} == loaded


def test_every_synonym_is_printed_in_the_reports_or_its_note_says_why_a_reader_types_it():
    from search.normalize import normalize
    from search.tokens import canonical, contains

    texts = [
        canonical(normalize(text))
        for entry in curated_entries().values()
        for text in [entry["title"], *entry.get("captions", [])]
        + [part for s in entry["sections"] for part in [s.get("heading", ""), *s["paragraphs"]]]
    ]
    seeds = [canonical(normalize(p.read_text(encoding="utf-8"))) for p in (Path(settings.FIXTURES_DIR) / "seeds").glob("*.txt")]
    for entry in synonym_entries():
        printed = 0
        for term in entry["terms"]:
            key = canonical(normalize(term))
            if any(contains(text, key) for text in texts):
                printed += 1
                assert f"{term}：见《" in entry["note"], (entry["slug"], term)
            else:
                assert f"{term}：" in entry["note"] and "未见" in entry["note"], (entry["slug"], term)
        raw = any(contains(text, canonical(normalize(t))) for t in entry["terms"] for text in seeds)
        assert printed or raw, f"{entry['slug']}: no term of the group is printed in any report or raw text"


def test_no_synonym_group_merely_repeats_a_department_or_an_initiative():
    from archive.text import folded

    catalog = [{folded(n) for n in d.names} for d in Department.objects.all()]
    catalog += [{folded(n) for n in i.names} for i in Initiative.objects.all()]
    for entry in synonym_entries():
        terms = {folded(t) for t in entry["terms"]}
        assert not any(terms <= names for names in catalog), entry["slug"]


def test_an_editors_change_to_a_synonym_group_is_kept_unless_the_fixture_is_loaded_with_update():
    from archive.models import Synonym

    group = Synonym.objects.get(slug="guoqi")
    fixture_terms = list(group.terms)
    group.terms = ["国企", "国有企业", "国营企业"]
    group.save()
    load_all(settings.FIXTURES_DIR)
    group.refresh_from_db()
    assert group.terms == ["国企", "国有企业", "国营企业"]
    load_all(settings.FIXTURES_DIR, update=True)
    group.refresh_from_db()
    assert group.terms == fixture_terms
