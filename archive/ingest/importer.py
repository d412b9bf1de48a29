"""Importing raw text files as draft reports for an editor to finish (docs/corpus.md, "The importer").

The work is done by plain functions, so that an upload form can reuse them:

    decode(data) -> (text, encoding)      strict UTF-8 (with or without BOM), then strict GB18030
    split_lines(text) -> [RawLine]        CRLF, CR and LF alike; numbered from 1
    clean_lines(lines) -> [Unit]          classify lines, re-join broken paragraphs, drop spurious spaces
    parse(text) -> [DraftReport]          split into reports and fill each one in
    import_file(path) -> ImportResult     one file, one transaction; the sha256 of its bytes identifies it

Everything here is a guess for an editor to check. Every article is saved as a draft, keeps the
verbatim lines it came from in original_text, and lists what the importer changed in its
editorial note; whatever the importer could not place or was unsure about is listed, line by line,
in RawDocument.report["uncertain"]. Nothing is dropped: every non-blank line of the file lies in
the original text of exactly one draft.
"""

import codecs
import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from archive import services
from archive.ingest.corpus import CorpusError, DepartmentResolver
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Person,
    RawDocument,
    Section,
    parse_partial_date,
)
from archive.slugs import unique_slug

EDITORIAL_NOTE = "由导入程序自动生成，待编辑审校。"


class ImporterError(Exception):
    """A file the importer refuses as a whole (not text, empty, unreadable); nothing was written."""


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class DraftAuthor:
    name: str
    role: str = Authorship.Role.AUTHOR
    position: str = ""


@dataclass
class DraftSection:
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class DraftReport:
    title: str = ""
    subtitle: str = ""
    kind: str = Article.Kind.NEWS
    sections: list[DraftSection] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    authors: list[DraftAuthor] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    doc_number: str = ""
    date: datetime.date | None = None
    date_precision: str = Article.DatePrecision.UNKNOWN
    first_line: int = 0
    last_line: int = 0
    original: str = ""
    changes: list[str] = field(default_factory=list)
    uncertain: list[dict] = field(default_factory=list)

    @property
    def editorial_note(self) -> str:
        if not self.changes:
            return EDITORIAL_NOTE
        return EDITORIAL_NOTE + "；".join(self.changes) + "。"

    def unsure(self, line: int, text: str, why: str):
        self.uncertain.append({"line": line, "text": text.strip(), "why": why})


@dataclass
class ImportResult:
    filename: str
    sha256: str
    encoding: str = ""
    reports: list[DraftReport] = field(default_factory=list)
    already_imported: bool = False
    dry_run: bool = False
    raw_document: RawDocument | None = None
    articles: list[Article] = field(default_factory=list)
    unresolved_departments: list[str] = field(default_factory=list)

    @property
    def uncertain(self) -> list[dict]:
        return sorted((item for report in self.reports for item in report.uncertain), key=lambda i: i["line"])


# ---------------------------------------------------------------------------------------------
# Decoding


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was in: UTF-8 with or without BOM, else GB18030,
    both strictly. Raises ImporterError for anything that is not plain text."""
    if not data.strip():
        raise ImporterError("the file is empty")
    if b"\x00" in data:
        raise ImporterError("the file holds binary data (NUL bytes), not text")
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec, errors="strict")
        except UnicodeDecodeError:
            continue
        if codec == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        else:
            encoding = "gb18030"
        break
    else:
        raise ImporterError("the file is neither UTF-8 nor GB18030 text")
    if not text.strip():
        raise ImporterError("the file holds only whitespace")
    odd = sum(
        1
        for ch in text
        if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v") or unicodedata.category(ch) in ("Co", "Cn", "Cs")
    )
    if odd > max(2, len(text) // 200):
        raise ImporterError(f"the file holds {odd} control or unassigned characters: it looks like binary data, not text")
    return text, encoding


@dataclass
class RawLine:
    number: int
    text: str  # verbatim, without its line ending
    ending: str = ""

    @property
    def stripped(self) -> str:
        return self.text.strip()


def split_lines(text: str) -> list[RawLine]:
    """Lines split at CRLF, CR or LF, each keeping its ending, so joining them gives the text back."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    lines = []
    for i in range(0, len(parts), 2):
        ending = parts[i + 1] if i + 1 < len(parts) else ""
        if parts[i] or ending:
            lines.append(RawLine(len(lines) + 1, parts[i], ending))
    return lines


# ---------------------------------------------------------------------------------------------
# Character classes and small text helpers

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WIDE_PUNCT = (  # CJK and full-width punctuation, curly quotes, ellipsis, dash, middle dot
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    "\u2018\u2019\u201c\u201d\u2026\u2014\u00b7\ufe10-\ufe1f\ufe30-\ufe4f"
)
SPACE = "[ \t\u3000\u00a0]+"
SENTENCE_END = "。！？；…!?;"
LINE_END = SENTENCE_END + "：:"
CLOSERS = "”」』）)】〕]\"'’"
STARTS_CLOSED = "，。、；：？！,.;:?!）)】」』”’》"
CONTINUES_AFTER = "，、,（(“「『《【"
# A line ending in one of these words stops mid-phrase: 乡村振兴的 / 战略支撑点.
FUNCTION_WORDS = set("的和与及或在对从把被将向为以于并而之其让使由同按据")

_CJK_RE = re.compile(f"[{CJK}]")
_SPACE_WIDE = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[{CJK}{WIDE_PUNCT}])")
_SPACE_BEFORE_NUMBER = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[0-9A-Za-z])")
_SPACE_AFTER_NUMBER = re.compile(f"(?<=[0-9A-Za-z%]){SPACE}(?=[{CJK}{WIDE_PUNCT}])")
# Straight quotes and ASCII punctuation in Chinese text (、 "制造名城"; '核', 株洲) attract spaces too.
_SPACE_QUOTE = re.compile(f"(?<=[{CJK}{WIDE_PUNCT}]){SPACE}(?=[\"'])|(?<=[\"']){SPACE}(?=[{CJK}{WIDE_PUNCT}])")
_SPACE_AFTER_ASCII_PUNCT = re.compile(f"(?<=[{CJK}\"'][,;:?!]){SPACE}(?=[{CJK}\"'])")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.fullmatch(ch))


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def tidy_body(text: str) -> tuple[str, int]:
    """Spurious spaces out of running text: between Chinese characters (市属国 企), between a
    Chinese character and a number or Latin word (512 万). Returns the text and how many went."""
    count = 0
    text = text.strip()
    for pattern in (_SPACE_WIDE, _SPACE_BEFORE_NUMBER, _SPACE_AFTER_NUMBER, _SPACE_QUOTE, _SPACE_AFTER_ASCII_PUNCT):
        text, n = pattern.subn("", text)
        count += n
    return text, count


def tidy_heading(text: str) -> tuple[str, int]:
    """Headings keep the spaces that separate phrases (向改革要动力 发展难题加力破解) and lose those
    around a lone character (建议的 答 复) or a number (2022 年)."""
    tokens = [t for t in re.split(SPACE, text.strip()) if t]
    if not tokens:
        return "", 0
    out, count = tokens[0], 0
    for previous, token in zip(tokens, tokens[1:]):
        lone = (len(token) == 1 and is_cjk(token)) or (len(previous) == 1 and is_cjk(previous))
        number = (previous[-1].isascii() and previous[-1].isalnum() and not token[0].isascii()) or (
            token[0].isascii() and token[0].isalnum() and not previous[-1].isascii()
        )
        if lone or number:
            out += token
            count += 1
        else:
            out += " " + token
    return out, count


def ends_sentence(text: str, *, wrapped: bool = False) -> bool:
    """Whether a line ends where a sentence may end. A closing quote or bracket counts after
    sentence-final punctuation; in hard-wrapped text (fixed-width columns) only then, since a
    column can end right after a quotation (“中国制造 2025”/建设制造强市…)."""
    t = text.rstrip()
    if not t or t[-1] in LINE_END or t.endswith("——"):
        return True
    if t[-1] in CLOSERS:
        core = t.rstrip(CLOSERS)
        if core and core[-1] in SENTENCE_END:
            return True
        return not wrapped
    return False


# ---------------------------------------------------------------------------------------------
# Names, bylines, departments, dates

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
_BRACKETED = re.compile(r"[（(]\s*(.+?)\s*[)）]")
_TRAILING_BYLINE = re.compile(r"^(?P<body>.*?[。！？!?”\"…）)])\s*(?P<byline>[（(][^()（）]{2,24}[)）])$")
_LEADIN = re.compile(f"([{CJK}（）()·]{{2,20}})\\s*[:：]")
_LABEL = re.compile(f"([{CJK}\\s]{{2,16}}?)\\s*[:：]\\s*(.*)")
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［﹝【(（]\s*(?:19|20)\d{2}\s*[〕\]］﹞】)）]\s*\d{1,4}\s*号"
)
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[〇○零Ｏ一二三四五六七八九]{{4}})\s*年(?:\s*(?P<m>{_NUM})\s*月(?:\s*(?P<d>{_NUM})\s*日)?)?"
)
_DATE_LINE = re.compile(rf"{_DATE.pattern}\s*(?:[（(]?\s*星期[一二三四五六日天]\s*[)）]?)?")
_DATE_START = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?[，,]")


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
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        text = bracketed.group(1)
    label = _LABEL.fullmatch(text)
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


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):  # 二〇二二
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(text, 0)


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """A date written the Chinese way, as precisely as it is given: 2022年6月28日 → day,
    2024年11月 → month, 2024年 → year; 二〇二二年六月二十八日 too. None if it is not a valid date."""
    match = _DATE.search(text)
    if not match:
        return None
    parts = [f"{_cn_number(match.group('y')):04d}"]
    for key in ("m", "d"):
        if match.group(key):
            parts.append(f"{_cn_number(match.group(key)):02d}")
    try:
        return parse_partial_date("-".join(parts))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Line classification

_MARKDOWN = re.compile(r"(#{1,6})\s*(.*)")
_NUMBERED = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}\s*[.．、]\s*(?=[\u4e00-\u9fff])|第[一二三四五六七八九十]{1,3}[部分章节条])"
)
_BRACKET_HEADING = re.compile(r"【[^】]{1,20}】")
_SUBTITLE = re.compile(r"(?:——|—|--|－－)\s*(?P<text>[^。！？!?]{2,80})")
_EDITOR = re.compile(r"[【\[]?\s*(?P<marker>编者按|编者的话|编后|写在前面)\s*[】\]]?\s*[:：]?\s*")
_CAPTION_CREDIT = re.compile(
    f"(?:^|[\\s（(/]|记者|通讯员)(?P<name>[{CJK}]{{2,4}})\\s*摄(?:影)?\\s*[)）]?$"
)
_CAPTION_MARKS = [
    re.compile(r"图片?由.{1,30}提供"),
    re.compile(r"供图\s*[)）]?$"),
    re.compile(r"^[（(]\s*图"),
    re.compile(r"[（(]\s*图[片为：:\s]"),
    re.compile(r"资料图片?\s*[)）]?$"),
]
_PAGE_HEADER = [
    re.compile(r"第\s*[0-9一二三四五六七八九十]{1,3}\s*版.*"),
    re.compile(r"[-—－–]\s*\d{1,3}\s*[-—－–]"),
    re.compile(r"\d{1,3}(?:\s*/\s*\d{1,3})?"),
    re.compile(r".{0,12}(?:日报|晚报|时报|商报)\s*.{0,30}"),
]
_PAGE_HEADER_WORDS = re.compile(r"责任编辑|版式设计|美编|校对|组版")


@dataclass
class LineKind:
    name: str  # blank, text, markdown, caption, pageheader, docnum, date, leadin, byline, department, meta
    level: int = 0
    text: str = ""
    authors: list[DraftAuthor] = field(default_factory=list)
    department: str = ""
    bracketed: bool = False
    why: str = ""


def classify_line(text: str) -> LineKind:
    """What one line is on its own; lines that need their neighbours to decide are "text"."""
    s = text.strip()
    if not s:
        return LineKind("blank")
    md = _MARKDOWN.fullmatch(s)
    if md:
        return LineKind("markdown", level=len(md.group(1)), text=md.group(2).strip())
    if len(s) <= 120 and (_CAPTION_CREDIT.search(s) or any(p.search(s) for p in _CAPTION_MARKS)):
        credit = _CAPTION_CREDIT.search(s)
        authors = []
        if credit and is_name(credit.group("name")):
            authors = [DraftAuthor(credit.group("name"), Authorship.Role.PHOTOGRAPHER)]
        return LineKind("caption", text=s, authors=authors)
    if len(s) <= 40 and (any(p.fullmatch(s) for p in _PAGE_HEADER) or _PAGE_HEADER_WORDS.search(s)):
        return LineKind("pageheader", text=s)
    if _DOC_NUMBER.fullmatch(s):
        return LineKind("docnum", text=re.sub(SPACE, "", s))
    if _DATE_LINE.fullmatch(s) and parse_date(s):
        return LineKind("date", text=s)
    leadin = _LEADIN.fullmatch(s)
    if leadin and (looks_like_department(leadin.group(1)) or PLACE_ENDING.search(leadin.group(1))):
        return LineKind("leadin", text=s, department=leadin.group(1))
    label = _LABEL.fullmatch(s)
    if label and re.sub(SPACE, "", label.group(1)) in META_LABELS:
        return LineKind("meta", text=s)
    authors = parse_byline(s)
    if authors:
        return LineKind("byline", text=s, authors=authors, bracketed=bool(_BRACKETED.fullmatch(s)))
    bracketed = _BRACKETED.fullmatch(s)
    if bracketed and looks_like_department(re.sub(SPACE, "", bracketed.group(1))):
        return LineKind("byline", text=s, department=re.sub(SPACE, "", bracketed.group(1)), bracketed=True)
    plain = re.sub(SPACE, "", s)
    if plain.endswith("文件") and looks_like_department(plain[:-2]):
        return LineKind("department", text=s, department=plain[:-2], why="发文机关版头")
    if looks_like_department(plain):
        return LineKind("department", text=s, department=plain, why="单位署名")
    return LineKind("text", text=s)


# ---------------------------------------------------------------------------------------------
# Units: classified lines, with broken paragraphs joined


@dataclass
class Unit:
    kind: str  # para, heading, subtitle, kicker, editor, byline, leadin, department, docnum, date, caption, pageheader, meta
    text: str
    lines: list[int]
    level: int = 0  # markdown '#' count for headings
    numbered: bool = False
    authors: list[DraftAuthor] = field(default_factory=list)
    department: str = ""
    bracketed: bool = False
    title_block: bool = False
    orphan: bool = False
    marker: str = ""
    joins: list[tuple[int, int, str]] = field(default_factory=list)
    spaces: int = 0
    bold: int = 0
    why: str = ""
    seq: int = 0


@dataclass
class Layout:
    markdown: bool  # headings are marked with '#': unmarked lines are never headings
    wrapped: bool  # hard-wrapped at a fixed column width: most text lines have a text neighbour
    full: set[int]  # line numbers that fill their column


def _layout(lines: list[RawLine], kinds: list[LineKind]) -> Layout:
    text_idx = [i for i, k in enumerate(kinds) if k.name == "text"]
    markdown = sum(1 for k in kinds if k.name == "markdown") >= 2
    adjacent = [i for i in text_idx if i + 1 < len(kinds) and kinds[i + 1].name == "text"]
    wrapped = len(text_idx) >= 10 and len(adjacent) >= 0.3 * len(text_idx)
    full = set()
    if wrapped:
        # A line followed directly by more text of its paragraph fills the column; the median of
        # those nearby is the column width (neighbouring articles may be set in other widths).
        widths = {i: display_width(lines[i].stripped) for i in adjacent if lines[i].stripped.count(" ") <= 2}
        for i in text_idx:
            near = sorted(w for j, w in widths.items() if abs(j - i) <= 10)
            if near and display_width(lines[i].stripped) >= 0.85 * near[len(near) // 2]:
                full.add(lines[i].number)
    return Layout(markdown, wrapped, full)


def _mark_captions(lines: list[RawLine], kinds: list[LineKind]):
    """Captions the line alone cannot show: a short line next to a credit line (株洲神农城 before
    易跃跃 摄), and a short sentence standing alone after two or more blank lines."""

    def neighbour(i, step):
        j = i + step
        while 0 <= j < len(kinds) and kinds[j].name == "blank":
            j += step
        return j if 0 <= j < len(kinds) else None

    def standalone(i):
        return (i == 0 or kinds[i - 1].name == "blank") and (i + 1 == len(kinds) or kinds[i + 1].name == "blank")

    for i, kind in enumerate(kinds):
        if kind.name == "caption" and (j := neighbour(i, -1)) is not None:
            s = lines[j].stripped
            if kinds[j].name == "text" and standalone(j) and len(s) <= 40 and not _NUMBERED.match(s) and s[-1] not in "，、,：:":
                kinds[j] = LineKind("caption", text=s, why="图片说明旁的短行，判为图片说明")
    for i, kind in enumerate(kinds):
        if kind.name != "text" or not standalone(i):
            continue
        blanks_before = 0
        j = i - 1
        while j >= 0 and kinds[j].name == "blank":
            blanks_before, j = blanks_before + 1, j - 1
        s = lines[i].stripped
        if j >= 0 and blanks_before >= 2 and len(s) <= 50 and s.endswith("。") and not _NUMBERED.match(s):
            kinds[i] = LineKind("caption", text=s, why="前有多个空行的孤立短句，判为图片说明")


def _splits_word(left: str, right: str) -> bool:
    """Whether the break between two lines falls inside a word (打造国/家重要 → 国家)."""
    left, right = re.sub(r"\s", "", left)[-6:], re.sub(r"\s", "", right)[:6]
    if not (left and right and is_cjk(left[-1]) and is_cjk(right[0])):
        return False
    from search import segmentation  # the one jieba wrapper

    position = 0
    for word in segmentation.tokenizer().cut(left + right):
        if position < len(left) < position + len(word):
            return True
        position += len(word)
    return False


def heading_like(text: str, line_count: int = 1) -> bool:
    """Short, no sentence punctuation inside, not stopping on a comma: a heading or a title."""
    t = text.strip()
    if not t or t[-1] in "，、,；;：:" or any(ch in t for ch in "。！？!?"):
        return False
    if _NUMBERED.match(t):
        return len(t) <= 60 and line_count <= 3
    if _BRACKET_HEADING.fullmatch(t):
        return True
    return len(t) <= 40 and line_count <= 2


@dataclass
class _Paragraph:
    lines: list[RawLine]
    joins: list[tuple[int, int, str]] = field(default_factory=list)
    subtitle: bool = False  # a ——… line right under a heading: complete as it is

    @property
    def text(self) -> str:
        out = ""
        for line in self.lines:
            s = line.stripped
            out += (" " if out and out[-1].isascii() and out[-1].isalpha() and s[:1].isascii() and s[:1].isalpha() else "") + s
        return out


def _join_reason(paragraph: _Paragraph, line: RawLine, blank_between: bool, layout: Layout) -> str | None:
    """Why the next text line continues the paragraph, or None when it starts a new one."""
    text, last, nxt = paragraph.text, paragraph.lines[-1], line.stripped
    if ends_sentence(text, wrapped=layout.wrapped) or paragraph.subtitle:
        return None
    if nxt[0] in STARTS_CLOSED or text[-1] in CONTINUES_AFTER:
        return "punctuation"
    if _SUBTITLE.fullmatch(nxt) or _EDITOR.match(nxt):
        return None
    if _NUMBERED.match(nxt) and heading_like(text, len(paragraph.lines)):
        return None  # 一、… under a heading starts an item; mid-paragraph it can be 一、二类乡镇
    if _DATE_START.match(nxt):
        return None
    if text[-1] in FUNCTION_WORDS:
        return "function word"
    if (text[-1].isdigit() or text[-1] in "年月") and nxt[0].isdigit():
        return "number"
    if text[-1].isdigit() and nxt[0] in "万亿千百个位年月日%":
        return "number"
    if _splits_word(last.stripped, nxt):
        return "word"
    if layout.markdown:
        return "markdown"
    heading = heading_like(text, len(paragraph.lines))
    if layout.wrapped and last.number in layout.full and not (heading and _NUMBERED.match(text)):
        return "column"
    if heading:
        return None
    return "long line"


def _paragraph_units(paragraph: _Paragraph, layout: Layout) -> list[Unit]:
    numbers = [line.number for line in paragraph.lines]
    text, bold = _BOLD.subn(r"\1", paragraph.text)
    base = dict(lines=numbers, joins=paragraph.joins, bold=bold)
    editor = _EDITOR.match(text)
    if editor:
        body, spaces = tidy_body(text[editor.end() :])
        return [Unit("editor", body, marker=editor.group("marker"), spaces=spaces, **base)]
    subtitle = _SUBTITLE.fullmatch(text)
    if subtitle:
        clean, spaces = tidy_heading(subtitle.group("text"))
        return [Unit("subtitle", clean, spaces=spaces, **base)]
    numbered = bool(_NUMBERED.match(text))
    if heading_like(text, len(numbers)) and not ends_sentence(text.rstrip(CLOSERS)) and (not layout.markdown or numbered):
        clean, spaces = tidy_heading(text)
        return [Unit("heading", clean, numbered=numbered, spaces=spaces, **base)]
    if numbered and "。" in text:
        head, _, rest = text.partition("。")
        if len(head) < 60 and rest.strip():
            heading, spaces = tidy_heading(head + "。")
            units = [Unit("heading", heading, numbered=True, spaces=spaces, **base)]
            return units + _body_units(rest, dict(base, joins=[], bold=0))
    return _body_units(text, base)


def _body_units(text: str, base: dict) -> list[Unit]:
    """A paragraph, and the byline printed at its end if there is one: ……澎湃动力。 (郭淑珍)."""
    trailing = _TRAILING_BYLINE.match(text.strip())
    if trailing:
        inner = re.sub(SPACE, "", trailing.group("byline")[1:-1])
        authors = parse_byline(trailing.group("byline"))
        department = inner if not authors and looks_like_department(inner) else ""
        if authors or department:
            body, spaces = tidy_body(trailing.group("body"))
            return [
                Unit("para", body, spaces=spaces, **base),
                Unit("byline", trailing.group("byline"), lines=base["lines"][-1:], authors=authors or [],
                     department=department, bracketed=True),
            ]
    body, spaces = tidy_body(text)
    return [Unit("para", body, spaces=spaces, **base)]


def _line_unit(line: RawLine, kind: LineKind) -> Unit:
    common = dict(lines=[line.number], authors=kind.authors, department=kind.department, bracketed=kind.bracketed, why=kind.why)
    if kind.name == "markdown":
        subtitle = _SUBTITLE.fullmatch(kind.text)
        text, spaces = tidy_heading(subtitle.group("text") if subtitle else kind.text)
        return Unit("subtitle" if subtitle else "heading", text, level=kind.level, spaces=spaces, **common)
    if kind.name == "caption":
        text, spaces = tidy_body(kind.text)
        if re.search(f"[{CJK}]{SPACE}摄", kind.text):
            text, spaces = re.sub(f"(?<=[{CJK}])摄", " 摄", text), spaces - 1  # 易跃跃 摄: the credit keeps its space
        return Unit("caption", text, spaces=spaces, **common)
    return Unit(kind.name, kind.text, **common)


def clean_lines(lines: list[RawLine]) -> list[Unit]:
    """The lines as units in file order: paragraphs re-joined where a line was broken, spurious
    spaces removed, and every other line classified (heading, byline, caption, …)."""
    kinds = [classify_line(line.text) for line in lines]
    _mark_captions(lines, kinds)
    layout = _layout(lines, kinds)
    units: list[Unit] = []
    paragraph: _Paragraph | None = None
    blank_between = False

    def close():
        nonlocal paragraph
        if paragraph is not None:
            units.extend(_paragraph_units(paragraph, layout))
        paragraph = None

    for line, kind in zip(lines, kinds):
        if kind.name == "blank":
            blank_between = paragraph is not None
            continue
        if kind.name != "text":
            if kind.name in ("caption", "pageheader") and paragraph is not None:
                units.append(_line_unit(line, kind))  # a paragraph may go on after a caption
                blank_between = True
                continue
            close()
            units.append(_line_unit(line, kind))
            continue
        if paragraph is not None:
            reason = _join_reason(paragraph, line, blank_between, layout)
            if reason:
                # Joins across a blank line are listed in the editorial note; a join on no
                # evidence but a long line without final punctuation also goes to "uncertain".
                noted = reason if blank_between or reason == "long line" else ""
                paragraph.joins.append((paragraph.lines[-1].number, line.number, noted))
                paragraph.lines.append(line)
                blank_between = False
                continue
            close()
        paragraph = _Paragraph([line])
        paragraph.subtitle = bool(_SUBTITLE.fullmatch(line.stripped)) and bool(units) and units[-1].kind == "heading"
        blank_between = False
    close()
    for seq, unit in enumerate(units):
        unit.seq = seq
    units.sort(key=lambda u: (u.lines[0], u.seq))
    return units


# ---------------------------------------------------------------------------------------------
# Splitting into reports

_AUX = ("caption", "pageheader", "meta")


def _title_block_end(units: list[Unit], i: int, *, subtitle_is_enough: bool) -> int | None:
    """If a title block starts at units[i] (title lines, then a subtitle and/or a byline), the
    index of its last unit."""
    k = i
    while k < len(units) and units[k].kind == "heading" and not units[k].numbered and units[k].level <= 1:
        k += 1
    if k == i:
        return None
    has_subtitle = k < len(units) and units[k].kind == "subtitle"
    k += has_subtitle
    bylines = 0
    while k < len(units) and units[k].kind == "byline" and units[k].authors:
        bylines, k = bylines + 1, k + 1
    if bylines or (has_subtitle and subtitle_is_enough):
        return k - 1
    return None


def _has_body(group: list[Unit]) -> bool:
    return any(u.kind in ("para", "editor") for u in group)


def titles_follow_bodies(units: list[Unit]) -> bool:
    """Some extracted pages print each title and byline after its text (a page of summaries set
    in columns). Then the file opens with body text and closes with a byline."""
    core = [u for u in units if u.kind not in _AUX + ("editor",)]
    if not core or core[0].kind != "para" or core[-1].kind != "byline" or core[-1].bracketed:
        return False
    blocks = sum(1 for i in range(len(units)) if _title_block_end(units, i, subtitle_is_enough=False) is not None)
    return blocks >= 2


def _next_index(units, i):
    j = i + 1
    while j < len(units) and units[j].kind in _AUX:
        j += 1
    return j if j < len(units) else None


def _split_titles_first(units: list[Unit]) -> list[list[Unit]]:
    """The usual layout: a report begins at its head (lead-in, kicker, '#' title, a title with a
    byline, an editor's note) or after a byline that closed the report before."""
    groups: list[list[Unit]] = []
    current: list[Unit] | None = None
    closed = False
    for i, unit in enumerate(units):
        start = False
        if unit.kind in ("editor", "leadin"):
            start = True
        elif unit.kind == "heading" and unit.level == 1:
            start = True
        elif unit.kind == "heading" and unit.level >= 2:
            j = _next_index(units, i)
            if j is not None and units[j].kind == "heading" and units[j].level == 1:
                unit.kind = "kicker"
                start = True
        elif unit.kind == "heading" and not unit.numbered and _title_block_end(units, i, subtitle_is_enough=False) is not None:
            start = True
        if closed and unit.kind not in _AUX:
            start = True
        if start and current is not None and not closed and not _has_body(current) and unit.kind != "editor":
            start = False  # still the head of the current report: lead-in, kicker, title, byline
        if start or current is None:
            current, closed = [], False
            groups.append(current)
        current.append(unit)
        closed = closed or _editor_done(current)
        if unit.kind == "byline" and unit.bracketed and _has_body(current[:-1]):
            closed = True  # a bracketed byline after text ends the report: ……动力。（郭淑珍）
    return groups


def _editor_done(group: list[Unit]) -> bool:
    """An editor's note is one paragraph: after it, the next report begins."""
    if group[0].kind != "editor":
        return False
    return bool(group[0].text) or any(u.kind == "para" for u in group)


def _split_titles_last(units: list[Unit]) -> list[list[Unit]]:
    """Titles after their text: each title block (title lines, subtitle, byline) ends the report
    whose text came before it; one with no text before it is an orphan, kept and reported."""
    groups: list[list[Unit]] = []
    current: list[Unit] | None = None
    closed = False
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "editor":
            current = [unit]
            closed = _editor_done(current)
            groups.append(current)
            i += 1
            continue
        end = _title_block_end(units, i, subtitle_is_enough=True)
        if end is not None:
            block = units[i : end + 1]
            for u in block:
                u.title_block = True
            if current is not None and not closed and _has_body(current):
                current.extend(block)
                closed = True
            elif groups:
                for u in block:
                    u.orphan = True
                groups[-1].extend(block)
            else:
                current, closed = list(block), False
                groups.append(current)
            i = end + 1
            continue
        if current is None or (closed and unit.kind not in _AUX):
            current, closed = [], False
            groups.append(current)
        current.append(unit)
        closed = closed or _editor_done(current)
        if unit.kind == "byline" and unit.bracketed and _has_body(current[:-1]):
            closed = True  # a bracketed byline after text ends the report: ……动力。（郭淑珍）
        i += 1
    return groups


def _merge_bodiless(groups: list[list[Unit]]) -> list[list[Unit]]:
    """A stretch with no text of its own (a stray title, a caption after the last byline) goes
    with the report before it, or the one after it at the start of the file."""
    merged: list[list[Unit]] = []
    carry: list[Unit] = []
    for group in groups:
        if _has_body(group):
            merged.append(carry + group)
            carry = []
        elif merged:
            for u in group:
                u.orphan = True
            merged[-1].extend(group)
        else:
            carry.extend(group)
    if carry:
        merged.append(carry)
    return merged


# ---------------------------------------------------------------------------------------------
# Filling in one report


def _join_title(parts: list[Unit]) -> str:
    text = ""
    for previous, unit in zip([None] + parts, parts):
        if previous is not None and previous.lines[-1] + 1 == unit.lines[0]:
            text += (" " if " " in previous.text else "") + unit.text
        elif previous is not None:
            text += " " + unit.text
        else:
            text = unit.text
    return text


def _title_runs(parts: list[Unit]) -> list[list[Unit]]:
    """Title lines printed on consecutive lines belong to one title."""
    runs: list[list[Unit]] = []
    for unit in parts:
        if runs and runs[-1][-1].lines[-1] + 1 == unit.lines[0]:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def _line_list(numbers) -> str:
    numbers = sorted(set(numbers))
    shown = "、".join(str(n) for n in numbers[:8])
    return f"第{shown}行" + ("等" if len(numbers) > 8 else "")


def _assemble(group: list[Unit], *, titles_last: bool, raw: dict[int, str]) -> DraftReport:
    report = DraftReport()
    title_parts: list[Unit] = []
    kicker = ""
    body_started = False
    seen_paragraphs: dict[str, int] = {}
    joins, spaces, bold, moved_captions, bylines_moved = [], 0, 0, [], []
    headed_sections = 0
    skip = set()

    def section(heading=""):
        report.sections.append(DraftSection(heading))
        return report.sections[-1]

    for index, unit in enumerate(group):
        if index in skip:
            continue
        spaces += unit.spaces
        bold += unit.bold
        joins += [(a, b, why) for a, b, why in unit.joins]
        first = unit.lines[0]
        if unit.orphan:
            report.unsure(first, raw[first], "不属于任何一篇正文的标题、署名或图片说明，暂归本篇，请核对归属")
            if unit.kind != "caption":
                continue
            unit.why = ""
        if unit.kind == "editor":
            report.kind = Article.Kind.EDITOR_NOTE
            title_parts = title_parts or [Unit("heading", unit.marker, unit.lines)]
            if unit.text:
                section().paragraphs.append(unit.text)
            body_started = True
        elif unit.kind == "para":
            body_started = True
            if not report.sections:
                section()
            report.sections[-1].paragraphs.append(unit.text)
            if len(unit.text) >= 15:
                if unit.text in seen_paragraphs:
                    report.unsure(first, raw[first], f"与第{seen_paragraphs[unit.text]}行起的段落完全相同（疑为重复排印）")
                seen_paragraphs.setdefault(unit.text, first)
        elif unit.kind == "heading" and (
            unit.title_block or (not titles_last and not body_started and not unit.numbered and unit.level <= 1)
        ):
            title_parts.append(unit)
        elif unit.kind == "heading":
            after = group[index + 1] if index + 1 < len(group) else None
            if (
                not titles_last
                and headed_sections == 0
                and not unit.numbered
                and after is not None
                and after.kind == "subtitle"
                and not report.subtitle
            ):
                # A title with its subtitle inside the lead: the earlier "title" was a column name.
                for old in title_parts:
                    report.unsure(old.lines[0], raw[old.lines[0]], "先出现的标题行，其后另有带副题的标题，疑为栏目名或引题")
                title_parts = [unit]
                report.subtitle = after.text
                skip.add(index + 1)
                report.changes.append(f"标题及副题取自第{unit.lines[0]}、{after.lines[0]}行")
                continue
            previous = report.sections[-1] if report.sections else None
            if previous is not None and previous.heading and not previous.paragraphs and (
                previous.heading.startswith("【") and previous.heading.endswith("】")
                or (not unit.numbered and group[index - 1].kind == "heading" and group[index - 1].lines[-1] + 1 == first)
            ):
                previous.heading += unit.text  # a heading printed on two lines
                continue
            section(unit.text)
            headed_sections += 1
        elif unit.kind == "kicker":
            kicker = unit.text
        elif unit.kind == "subtitle":
            if title_parts and not report.subtitle and (unit.title_block or not body_started):
                report.subtitle = unit.text
            else:
                if not report.sections:
                    section()
                report.sections[-1].paragraphs.append("——" + unit.text)
        elif unit.kind == "byline":
            for author in unit.authors:
                if author.name not in {a.name for a in report.authors}:
                    report.authors.append(author)
            if unit.department and unit.department not in report.departments:
                report.departments.append(unit.department)
            bylines_moved.append(first)
        elif unit.kind in ("leadin", "department"):
            if unit.department not in report.departments:
                report.departments.append(unit.department)
            label = "单位引题" if unit.kind == "leadin" else unit.why or "单位署名"
            report.changes.append(f"{label}“{unit.department}”（第{first}行）记为撰稿单位")
        elif unit.kind == "docnum":
            if not report.doc_number:
                report.doc_number = unit.text
        elif unit.kind == "date":
            found = parse_date(unit.text)
            if found and report.date is None:
                report.date, report.date_precision = found
                report.changes.append(f"日期取自第{first}行")
        elif unit.kind == "caption":
            report.captions.append(unit.text)
            moved_captions.append(first)
            for author in unit.authors:
                if author.name not in {a.name for a in report.authors}:
                    report.authors.append(author)
            if unit.why:
                report.unsure(first, raw[first], unit.why)
        elif unit.kind == "pageheader":
            report.unsure(first, raw[first], "疑为页眉或页码，未收入正文")
        elif unit.kind == "meta":
            report.unsure(first, raw[first], "联系方式等公文附注，未收入正文")

    runs = _title_runs([u for u in title_parts if not u.orphan])
    if runs:
        title_run = runs[0] if titles_last else runs[-1]
        report.title = _join_title(title_run)
        for run in runs:
            if run is not title_run:
                for u in run:
                    report.unsure(u.lines[0], raw[u.lines[0]], "标题区另有一行，疑为栏目名或引题")
        where = title_run[0].lines[0]
        if titles_last and report.kind != Article.Kind.EDITOR_NOTE:
            report.changes.append(f"标题（第{where}行）原排在正文之后，移作标题")
    if kicker:
        if report.subtitle:
            report.changes.append(f"引题“{kicker}”未收入")
        else:
            report.subtitle = kicker
    if not report.title:
        report.title = _fallback_title(report)
        report.unsure(group[0].lines[0], raw[group[0].lines[0]], f"未找到标题，暂以“{report.title}”为题")
    if report.kind != Article.Kind.EDITOR_NOTE and report.doc_number and "答复" in report.title + "".join(
        s.body for s in report.sections[:1]
    ):
        report.kind = Article.Kind.REPLY
    if report.date is None and report.doc_number:
        year = re.search(r"(?:19|20)\d{2}", report.doc_number)
        report.date, report.date_precision = parse_partial_date(year.group(0))
        report.changes.append(f"日期据文号{report.doc_number}定为{year.group(0)}年")

    uncertain_joins = [a for a, b, why in joins if why == "long line"]
    across = [(a, b) for a, b, why in joins if why]
    if across:
        shown = "、".join(f"{a}/{b}" for a, b in across[:6]) + ("等" if len(across) > 6 else "")
        report.changes.append(f"断行接合{len(across)}处（第{shown}行）")
    for a in uncertain_joins:
        report.unsure(a, raw[a], "行末没有句末标点，已与下一行接成一段，请核对")
    if spaces:
        report.changes.append(f"删去字间多余空格{spaces}处")
    if bold:
        report.changes.append(f"删去加粗标记**{bold}处")
    if any(u.level for u in group if u.kind in ("heading", "subtitle", "kicker")):
        report.changes.append("去掉标题前的“#”标记")
    if moved_captions:
        report.changes.append(f"图片说明（{_line_list(moved_captions)}）移出正文")
    if bylines_moved:
        report.changes.append(f"署名（{_line_list(bylines_moved)}）移出正文")
    return report


def _fallback_title(report: DraftReport) -> str:
    for section in report.sections:
        if section.heading:
            return section.heading
        for paragraph in section.paragraphs:
            sentence = re.split(r"[。！？!?；;]", paragraph)[0]
            return sentence[:30] + ("…" if len(sentence) > 30 else "")
    return "（无标题）"


def parse(text: str) -> list[DraftReport]:
    """The reports in a raw text, each with the verbatim lines it came from."""
    lines = split_lines(text)
    units = clean_lines(lines)
    if not units:
        return []
    titles_last = titles_follow_bodies(units)
    groups = _split_titles_last(units) if titles_last else _split_titles_first(units)
    groups = _merge_bodiless([g for g in groups if g])
    raw = {line.number: line.text for line in lines}
    last_text_line = max(line.number for line in lines if line.stripped)
    reports = []
    starts = [min(n for u in g for n in u.lines) for g in groups]
    for k, group in enumerate(groups):
        report = _assemble(group, titles_last=titles_last, raw=raw)
        first = starts[k]
        last = starts[k + 1] - 1 if k + 1 < len(groups) else last_text_line
        last = max([last] + [n for u in group for n in u.lines])
        while last > first and not raw[last].strip():
            last -= 1
        report.first_line, report.last_line = first, last
        report.original = "".join(line.text + line.ending for line in lines[first - 1 : last])
        report.uncertain.sort(key=lambda item: item["line"])
        reports.append(report)
    return reports


# ---------------------------------------------------------------------------------------------
# Writing drafts


def import_file(path, *, dry_run: bool = False) -> ImportResult:
    """Import one raw text file as draft articles, in one transaction. A file whose bytes were
    imported before is left alone (result.already_imported). Raises ImporterError, with the file
    name, for a file that is not text; nothing is written then."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImporterError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    digest = hashlib.sha256(data).hexdigest()
    result = ImportResult(filename=path.name, sha256=digest, dry_run=dry_run)
    existing = RawDocument.objects.filter(sha256=digest).first()
    if existing is not None:
        result.already_imported, result.raw_document, result.encoding = True, existing, existing.encoding
        return result
    try:
        text, result.encoding = decode(data)
    except ImporterError as exc:
        raise ImporterError(f"{path.name}: {exc}") from exc
    result.reports = parse(text)
    resolver = DepartmentResolver()
    resolved = []
    for report in result.reports:
        found = []
        for name in report.departments:
            try:
                found.append(resolver.resolve(name))
            except CorpusError:
                result.unresolved_departments.append(name)
                report.unsure(report.first_line, name, "单位未能在单位目录中找到（名称、简称或别名），未关联")
        resolved.append(found)
    if dry_run:
        return result
    with transaction.atomic(), services.bulk_changes():
        raw = RawDocument.objects.create(
            filename=path.name, sha256=digest, encoding=result.encoding, text=text, report=_report_json(result)
        )
        for report, departments in zip(result.reports, resolved):
            result.articles.append(_save_draft(report, raw, departments))
        services.sections_relink(sections=Section.objects.filter(article__raw_document=raw))
    result.raw_document = raw
    return result


def _report_json(result: ImportResult) -> dict:
    return {
        "uncertain": result.uncertain,
        "reports": [{"title": r.title, "lines": [r.first_line, r.last_line]} for r in result.reports],
        "unresolved_departments": sorted(set(result.unresolved_departments)),
    }


def _save_draft(report: DraftReport, raw: RawDocument, departments) -> Article:
    article = Article(
        title=report.title[:300],
        subtitle=report.subtitle[:300],
        kind=report.kind,
        date=report.date,
        date_precision=report.date_precision,
        doc_number=report.doc_number[:80],
        original_text=report.original,
        editorial_note=report.editorial_note,
        raw_document=raw,
        status=Article.Status.DRAFT,
        slug=unique_slug(Article, f"draft-{report.title}", max_length=100),
    )
    article.full_clean()
    article.save()
    order = 0
    for section in report.sections:
        if section.heading or section.paragraphs:
            order += 1
            Section.objects.create(
                article=article, order=order, heading=section.heading[:300], body=section.body, anchor=f"s{order}"
            )
    for order, text in enumerate(report.captions, 1):
        Caption.objects.create(article=article, order=order, text=text)
    for order, author in enumerate(report.authors):
        Authorship.objects.create(
            article=article, person=_person(author.name), order=order, role=author.role, position=author.position[:120]
        )
    for department in {d.pk: d for d in departments}.values():
        ArticleDepartment.objects.create(article=article, department=department, role=ArticleDepartment.Role.AUTHOR)
    return article


def _person(name: str) -> Person:
    person = Person.objects.filter(name=name).order_by("pk").first()
    if person is None:
        person = Person.objects.create(name=name, slug=unique_slug(Person, name))
    return person
