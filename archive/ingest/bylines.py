"""Bylines and signatures: personal names, positions, roles, and the department names that
stand in for an author."""

import re

from archive.ingest.drafts import DraftAuthor
from archive.ingest.tidy import CJK, SPACE, is_cjk
from archive.models import (
    Authorship,
)

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
    "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连"
    "芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖"
    "巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权"
    "强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄计索宣晋相初门云容敬扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修"
    "邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇哈湛宾戎勾茅利於呼居揭干但尉冶斯束檀衣信展阴昝智幸奉植衡富"
    "尧闭由粱晏蹇禄"
)


COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "公孙", "慕容", "尉迟", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "端木", "百里", "呼延", "西门", "南宫", "独孤", "申屠", "闻人", "万俟", "澹台", "钟离",
}


POSITION_ENDINGS = (
    "书记", "长", "主席", "主任", "委员", "常委", "人选", "负责人", "承办人", "经理", "董事", "代表", "专员",
    "干部", "编辑", "记者", "通讯员", "研究员", "教授", "秘书", "助理", "主编", "顾问", "巡视员", "调研员",
)


ROLE_WORDS = {
    "记者": Authorship.Role.REPORTER,
    "本报记者": Authorship.Role.REPORTER,
    "见习记者": Authorship.Role.REPORTER,
    "特约记者": Authorship.Role.REPORTER,
    "融媒体记者": Authorship.Role.REPORTER,
    "通讯员": Authorship.Role.CORRESPONDENT,
    "本报通讯员": Authorship.Role.CORRESPONDENT,
    "摄影": Authorship.Role.PHOTOGRAPHER,
    "摄": Authorship.Role.PHOTOGRAPHER,
    "文": Authorship.Role.AUTHOR,
    "作者": Authorship.Role.AUTHOR,
    "撰稿": Authorship.Role.AUTHOR,
    "执笔": Authorship.Role.AUTHOR,
}


SIGNATURE_LABELS = {"承办负责人", "承办人", "联系人", "作者", "撰稿", "执笔", "记者", "通讯员", "摄影", "编辑", "责任编辑"}


META_LABELS = {"联系电话", "电话", "传真", "邮箱", "电子邮箱", "地址", "邮编", "抄送", "主送", "印发"}


DEPARTMENT_ENDING = re.compile(
    r"(?:局|委员会|委|办公室|办|部|厅|院|署|集团|公司|政府|中心|管委会|工委|党委|党组|支队|大队|协会|联合会|商会|工会|妇联|团委|政协|银行|学校|大学)$"
)


PLACE_ENDING = re.compile(r"(?:市|区|县|镇|乡|街道|园区|开发区|高新区|经开区)$")


_NAME_CHARS = re.compile(f"[{CJK}]{{2,4}}")


BRACKETED = re.compile(r"[（(]\s*(.+?)\s*[)）]")


TRAILING_BYLINE = re.compile(r"^(?P<body>.*?[。！？!?”\"…）)])\s*(?P<byline>[（(][^()（）]{2,24}[)）])$")


LABEL = re.compile(f"([{CJK}\\s]{{2,16}}?)\\s*[:：]\\s*(.*)")


def is_name(token: str) -> bool:
    """A personal name: two to four Chinese characters after a known surname (four only after a
    compound one, so that a pair of four-character phrases is not read as two names)."""
    if not _NAME_CHARS.fullmatch(token):
        return False
    if token[:2] in COMPOUND_SURNAMES:
        return len(token) >= 3
    return len(token) <= 3 and token[0] in SURNAMES


def _merge_lone_characters(tokens: list[str]) -> list[str]:
    """柳 杨 → 柳杨: a name typeset with a space between its characters."""
    merged, run = [], []
    for token in tokens + [""]:
        if len(token) == 1 and is_cjk(token) and token not in ROLE_WORDS:
            run.append(token)
            continue
        if run:
            merged.append("".join(run))
            run = []
        if token:
            merged.append(token)
    return merged


def _is_position(token: str) -> bool:
    return (
        len(token) <= 30
        and bool(re.fullmatch(f"[{CJK}、，,·]+", token))
        and token.endswith(POSITION_ENDINGS)
    )


def parse_byline(text: str) -> list[DraftAuthor] | None:
    """The people a byline names, or None when the line is not a byline. Understands
    吴文奕 张建平 / (柳 杨) / 市委副书记、市长 阳卫国 / 本报记者 张三 通讯员 李四 / 承办人： 杨 帆."""
    text = text.strip()
    bracketed = BRACKETED.fullmatch(text)
    if bracketed:
        text = bracketed.group(1)
    label = LABEL.fullmatch(text)
    if label and label.group(2).strip():
        name = re.sub(SPACE, "", label.group(2))
        position = re.sub(SPACE, "", label.group(1))
        if position in SIGNATURE_LABELS and is_name(name):
            role = ROLE_WORDS.get(position, Authorship.Role.AUTHOR)
            return [DraftAuthor(name, role, "" if position in ROLE_WORDS else position)]
        return None
    tokens = _merge_lone_characters(re.split(SPACE, text))
    authors, role, position = [], Authorship.Role.AUTHOR, ""
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if token in ROLE_WORDS:
            role = ROLE_WORDS[token]
        elif not last and _is_position(token) and not position:
            position = token
        elif is_name(token):
            authors.append(DraftAuthor(token, role, position))
            position = ""
        else:
            return None
    if not authors or position:
        return None
    if not bracketed and len(authors) == 1 and not authors[0].position and authors[0].role == Authorship.Role.AUTHOR:
        return None  # one bare name on a line is as likely a heading
    return authors


def looks_like_department(name: str) -> bool:
    return bool(re.fullmatch(f"[{CJK}（）()·]{{3,30}}", name)) and bool(DEPARTMENT_ENDING.search(name))
