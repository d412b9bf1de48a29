"""Names of reform programmes that the initiative catalog does not know yet.

find_candidates() reads texts and lists what looks like the name of a programme:

- quoted phrases: “一区五园”, "揭榜挂帅", 「制造新区」 (sentences in quotes, i.e. speech, are skipped);
- programme-shaped phrases: X工程, X行动, X计划, X改革, X制 (链长制), N+X模式 (1+4+N), parallel
  slogans 三X一X (一企一策, 四升级一加强) and numbered slogans (四个意识, 六大改革).

A phrase is left out when, with quotation marks and spaces removed (archive.linking.fold), it is
an initiative's name or alias, or when it lies inside a stretch of text that already matches one
(so “五好”园区 does not suggest 五好). What remains is a list for an editor, not a verdict: most
entries are ordinary words that happen to be quoted.
"""

import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from archive import linking

CJK = "\u4e00-\u9fff"
NUMERALS = "一二三四五六七八九十两百千万"
CONTEXT = 20

_QUOTED = re.compile(r"“([^“”\n]{2,24})”|\"([^\"\n]{2,24})\"|「([^「」\n]{2,24})」")
_SPEECH = re.compile(r"[。！？!?；;，,：:]")
_SUFFIX = "专项行动|三年行动|工程|行动|计划|改革|模式|制"
_AFTER_QUOTE = re.compile(f"(?:{_SUFFIX})")
_PROGRAMME = re.compile(f"({_SUFFIX})")
_N_PLUS_X = re.compile(r"(?<![\d+])\d{1,2}(?:\+(?:\d{1,2}|[A-Za-z]))+(?![\d+])")
# 四个意识, 六大改革; not 一个… (too common) nor 十九大 (a number, not a slogan).
_NUMBERED_SLOGAN = re.compile(f"(?<![{NUMERALS}第])[两三四五六七八九十](?:个|大|项)[{CJK}]{{2}}")
# Words after which a programme's own name begins (实施|重点产业倍增计划), longest first.
_BOUNDARIES = sorted(
    "实施 开展 推进 推行 深化 启动 打造 建立 健全 探索 落实 创新 推动 实行 持续 全面 加快 大力 深入 通过 围绕 "
    "推广 聚焦 完成 参与 作为 列入 纳入 入选 获评 按照 根据 结合 坚持 着力 积极 以及 各项 进一步 以 和 与 及 的 在 为 "
    "是 把 将 对 等 了 并 中 到 从 向 由 被 也 都 还 就 又 或 这 该 此 其 各".split(),
    key=len,
    reverse=True,
)
# 机制, 体制, 编制 … end in 制 without being a 链长制-style system; 制造, 制宜, 制度 … go on.
_NOT_A_SYSTEM = set("机体编控限管抑牵压研克复印定强专节建法税学旧新币帮自宪兵绘")
_NOT_AFTER_SYSTEM = set("造宜度定订作品约衡裁服图式药剂冷热备成止胜高动")
_NOT_IN_SLOGANS = set("届年月日次号个点名位倍成岁之的了是在和与为以")


@dataclass
class Candidate:
    phrase: str  # as first written, without quotation marks
    kind: str  # "quoted" or "programme"
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Hit:
    start: int  # the stretch of text the hit takes, quotation marks and suffix included
    end: int
    phrase: str
    kind: str
    core: tuple[int, int] | None = None  # where the phrase itself is, when not the whole stretch


def _key(phrase: str) -> str:
    return linking.fold(phrase)[0]


def _quoted(text: str) -> list[_Hit]:
    hits = []
    for match in _QUOTED.finditer(text):
        content = next(g for g in match.groups() if g is not None)
        if _SPEECH.search(content) or not re.search(f"[{CJK}0-9A-Za-z]", content):
            continue
        # “揭榜挂帅”改革 and “揭榜挂帅”机制 name one thing: counted under the quoted words, with the
        # suffix inside the hit so that 揭榜挂帅改革 is not counted again as X改革.
        suffix = _AFTER_QUOTE.match(text, match.end())
        core = next((match.start(g), match.end(g)) for g in (1, 2, 3) if match.group(g) is not None)
        hits.append(_Hit(match.start(), suffix.end() if suffix else match.end(), content.strip(), "quoted", core))
    return hits


def _programmes(text: str) -> list[_Hit]:
    hits = []
    for match in _PROGRAMME.finditer(text):
        start = match.start()
        j = start
        while j > 0 and start - j < 14 and re.match(f"[{CJK}0-9A-Za-z+·]", text[j - 1]):
            j -= 1
        name = text[j:start]
        cut = max((name.rfind(b) + len(b) for b in _BOUNDARIES if b in name), default=0)
        name, suffix = name[cut:], match.group(1)
        following = text[match.end() : match.end() + 1]
        if suffix == "制" and (not name or name[-1] in _NOT_A_SYSTEM or following in _NOT_AFTER_SYSTEM or len(name) > 6):
            continue
        if suffix in ("改革", "模式") and len(name) < 3 and not re.search(r"[0-9A-Za-z+]", name):
            continue  # 国企改革, 管理模式: too general to be a programme's name
        if re.fullmatch(r"[0-9A-Za-z+]+", name) or _N_PLUS_X.search(name):
            continue  # 135工程 comes from quotes, 1+3+N模式 from the N+X pattern
        if 2 <= len(name) <= 10:
            hits.append(_Hit(start - len(name), match.end(), name + suffix, "programme"))
    for match in _N_PLUS_X.finditer(text):  # 1+3+N模式 and “1+3+N”模式 are both 1+3+N
        end = _AFTER_QUOTE.match(text, match.end())
        hits.append(_Hit(match.start(), end.end() if end else match.end(), match.group(0), "programme"))
    for length in (1, 2, 3):
        segment = f"[{NUMERALS}](?:(?![{NUMERALS}])[{CJK}]){{{length}}}"
        for match in re.finditer(f"(?<![{NUMERALS}])(?:{segment}){{2,4}}", text):
            words = match.group(0)
            if not any(ch in _NOT_IN_SLOGANS for ch in words):
                hits.append(_Hit(match.start(), match.end(), words, "programme"))
    for match in _NUMBERED_SLOGAN.finditer(text):
        if not any(ch in _NOT_IN_SLOGANS for ch in match.group(0)[2:]):
            hits.append(_Hit(match.start(), match.end(), match.group(0), "programme"))
    return hits


def _context(text: str, hit: _Hit) -> str:
    before = text[max(0, hit.start - CONTEXT) : hit.start]
    after = text[hit.end : hit.end + CONTEXT]
    snippet = ("…" if hit.start > CONTEXT else "") + before + text[hit.start : hit.end] + after
    snippet += "…" if hit.end + CONTEXT < len(text) else ""
    return re.sub(r"\s+", " ", snippet)


def find_candidates(texts, known_names, min_count: int = 2) -> list[Candidate]:
    """Phrases in texts that look like programme names and are not in known_names, seen at least
    min_count times: most frequent first, each with up to two example contexts."""
    known = {_key(name) for name in known_names if _key(name)}
    patterns = linking.build_patterns(SimpleNamespace(pk=i, names=[name]) for i, name in enumerate(known_names))
    found: dict[str, Candidate] = {}
    seen_in: dict[str, list[tuple[int, str]]] = {}  # (text number, context) of the first few hits
    for number, text in enumerate(texts):
        if not text:
            continue
        covered = [(m.start, m.end) for m in linking.find_mentions(text, "body", patterns)]
        taken: list[tuple[int, int]] = []
        for hit in sorted(_quoted(text) + _programmes(text), key=lambda h: (-(h.end - h.start), h.start)):
            key = _key(hit.phrase)
            if len(key) < 2 or key in known:
                continue
            if any(a < hit.end and hit.start < b for a, b in taken):
                continue  # one stretch of text is one candidate: the longest reading of it
            inner = hit.core or (hit.start, hit.end)
            if any(a <= inner[0] and inner[1] <= b for a, b in covered):
                continue  # part of a name the catalog knows
            taken.append((hit.start, hit.end))
            found.setdefault(key, Candidate(hit.phrase, hit.kind)).count += 1
            hits = seen_in.setdefault(key, [])
            if len(hits) < 10:
                hits.append((number, _context(text, hit)))
    for key, candidate in found.items():
        # Two examples from two texts where there are two, else the first two.
        first, *rest = seen_in[key]
        other = next((h for h in rest if h[0] != first[0]), rest[0] if rest else None)
        candidate.examples = [first[1]] + ([other[1]] if other else [])
    ranked = [c for c in found.values() if c.count >= min_count]
    return sorted(ranked, key=lambda c: (-c.count, c.phrase))
