"""User text → query tree. Never raises: whatever is not query syntax is text.

    >>> parse('二分法 "国企改革" -保交楼 五好园区 OR 园区体制机制改革')
    ParsedQuery(tree=And(children=(PlainText(text='二分法'), Phrase(text='国企改革'), Not(child=PlainText(text='保交楼')), Or(children=(PlainText(text='五好园区'), PlainText(text='园区体制机制改革'))))), notices=())

Syntax: terms separated by spaces must all match; "a phrase" matches exactly; -term excludes;
A OR B matches either; field:term or field:"a phrase" must occur in that field of the report
(title: 标题 and subtitle, author: bylines, dept: any name or alias of its departments, docno: 文号,
caption: captions; the Chinese names 标题: 作者: 部门: 机关: 文号: 图说: and a full-width colon
work too). An unbalanced quote, a dangling OR, a lone minus or an unknown field is plain text; FTS
or tsquery operators, SQL and markup are text too (they become terms or vanish as punctuation).

    >>> parse('author:毛腾飞 title:"135 工程"').tree
    And(children=(Field(field='author', text='毛腾飞'), Field(field='title', text='135 工程')))
"""

import re
import unicodedata
from dataclasses import dataclass

from search.normalize import normalize
from search.query import And, Field, Not, Or, Phrase, PlainText
from search.tokens import searchable

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
TOKEN = re.compile(r'-?(?:[^\s":：]+[:：])?"[^"]*"|\S+')  # one term of a query, as typed
# field names as typed (lower-cased) → the field (search.documents.FIELDS)
FIELD_NAMES = {
    "title": "title", "author": "author", "dept": "dept", "docno": "docno", "caption": "caption",
    "标题": "title", "作者": "author", "部门": "dept", "机关": "dept", "文号": "docno", "图说": "caption",
}
_FIELD = re.compile(r"([^\s\":：]+)[:：](.*)", re.S)


@dataclass(frozen=True)
class ParsedQuery:
    tree: object | None  # None: nothing searchable (browse instead)
    notices: tuple = ()


def clean(text: str) -> str:
    """Control and format characters (NUL, zero-width…) turned into spaces, lone surrogates
    dropped, curly and full-width quotes made plain. Case and width are left for normalize()."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Zs"} else ch for ch in text)
    return text.replace("“", '"').replace("”", '"').replace("＂", '"')


def parse(raw: str | None) -> ParsedQuery:
    notices = []
    text = clean(raw or "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"检索词过长，只按前 {MAX_QUERY_CHARS} 个字符检索。")
    if text.count('"') % 2:
        # An unbalanced quote is text: drop the last one so the rest pairs up.
        cut = text.rfind('"')
        gap = "" if text[cut - 1 : cut] in (":", "：") else " "  # title:"二分法 is title:二分法
        text = text[:cut] + gap + text[cut + 1 :]
    items: list = []  # leaves, Not(leaf) and the marker "OR"
    for token in TOKEN.findall(text):
        negate = token.startswith("-") and len(token) > 1
        body = token[1:] if negate else token
        if body in ("OR", "ＯＲ"):
            if not negate:
                items.append("OR")
            continue
        field = _FIELD.fullmatch(body)
        if field and field.group(1).lower() in FIELD_NAMES:
            leaf = _field_leaf(FIELD_NAMES[field.group(1).lower()], field.group(2))
            if leaf is None:
                continue
        elif body.startswith('"') and body.endswith('"') and len(body) >= 2:
            inner = normalize(body[1:-1]).strip()
            leaf = Phrase(inner) if searchable(inner) else None
        else:
            body = normalize(body.replace('"', " ")).strip()
            leaf = PlainText(body) if searchable(body) else None
        if leaf is None:
            continue
        items.append(Not(leaf) if negate else leaf)
    tree = _combine(items)
    leaves = [i for i in items if i != "OR"]
    if len(leaves) > MAX_TERMS:
        notices.append(f"检索词过多，只用前 {MAX_TERMS} 个。")
        tree = _combine(_first_terms(items, MAX_TERMS))
    if tree is not None and not _has_positive(tree):
        notices.append("只有排除词，已显示排除后的浏览结果。")
    return ParsedQuery(tree, tuple(notices))


def _field_leaf(field: str, value: str):
    """field:word or field:"a phrase" (quotes and spaces do not count, as in any term)."""
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        value = value[1:-1]
    text = normalize(value.replace('"', " ")).strip()
    return Field(field, text) if searchable(text) else None


def _first_terms(items, limit):
    kept, count = [], 0
    for item in items:
        if item != "OR":
            count += 1
            if count > limit:
                break
        kept.append(item)
    return kept


def _combine(items):
    """Group "A OR B OR C" runs into Or nodes; everything else is ANDed."""
    groups: list[list] = []
    pending_or = False
    for item in items:
        if item == "OR":
            pending_or = bool(groups)
            continue
        if pending_or and not isinstance(item, Not) and not isinstance(groups[-1][-1], Not):
            groups[-1].append(item)
        else:
            groups.append([item])
        pending_or = False
    nodes = [g[0] if len(g) == 1 else Or(tuple(g)) for g in groups]
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _has_positive(node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    return True
