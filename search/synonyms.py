"""The reformers' vocabulary: a plain query term also finds the other forms of its groups.

A clerk types 资规局 and means the reports that print 株洲市自然资源和规划局; 国企 and 国有企业 are
one word, 十四五 and 第十四个五年规划 one plan. The groups are the synonym catalog
(archive.models.Synonym, seeded from fixtures/synonyms.json) and, without being copied into it,
each department's and initiative's names (name, short name, aliases).

    tree, expansions = expand(parsed.tree, q, live)

- An unquoted term (PlainText) that is, as a whole, a form of a group becomes
  Or(term, Alternative(form), …) for the group's other forms. Forms that contain the term are left
  out: the term as typed finds them already. Quoted terms (Phrase) and excluded terms (-term)
  stay literal, so the literal match of every string is never lost and an exclusion never grows.
- An Alternative is found exactly, like a phrase, and ranked below the term as typed
  (search.ranking.SYNONYM_WEIGHT).
- `expansions` says what was also searched, for the page (同时检索了：…, with a link that
  searches the term as typed by quoting it) and the API; traditional characters folded to
  simplified (search.normalize does it silently) are announced the same way (已按简体检索).

The vocabulary is read once per state of the live index: a synonym, department or initiative save
logs a catalog change (search.signals), which moves every process's live index to a new epoch,
and with it the vocabulary and the remembered results (search.memo). No rebuild: the index holds
text, not synonyms.
"""

import threading
from dataclasses import dataclass, replace

from archive.models import Department, Initiative, Synonym
from archive.text import is_cjk
from search.normalize import normalize
from search.parsing import TOKEN, clean
from search.query import And, Or, Phrase, PlainText
from search.tokens import canonical, contains, searchable

MAX_FORMS = 12  # other forms searched for one term, at most (a department may have many aliases)


@dataclass(frozen=True)
class Alternative(Phrase):
    """Another form of a typed term, from its vocabulary group: found exactly, like a phrase,
    and ranked below the term as typed."""

    of: str = ""  # the term as typed (normalised)


@dataclass(frozen=True)
class Expansion:
    """What a search did besides the terms as typed."""

    term: str  # the term as the reader typed it
    forms: tuple[str, ...]  # what was searched too, as the vocabulary (or the folding) writes it
    literal_query: str = ""  # the query with this term quoted: the term as typed only ("" if none)
    kind: str = "synonym"  # "synonym" | "simplified"

    @property
    def message(self) -> str:
        if self.kind == "simplified":
            return f"已按简体检索：{'、'.join(self.forms)}"
        return f"同时检索了：{'、'.join(self.forms)}"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "term": self.term, "forms": list(self.forms),
            "message": self.message, "literal_query": self.literal_query,
        }


class Vocabulary:
    """Groups of forms, looked up by a term's canonical text (search.tokens: case, width,
    traditional characters, spaces and quotation marks do not count)."""

    def __init__(self, groups):
        self.groups: list[list[str]] = []
        self.by_key: dict[str, list[int]] = {}
        for group in groups:
            forms = [f.strip() for f in group if isinstance(f, str) and searchable(normalize(f))]
            keys = list(dict.fromkeys(canonical(normalize(f)) for f in forms))
            if len(keys) < 2:
                continue
            index = len(self.groups)
            self.groups.append(forms)
            for key in keys:
                self.by_key.setdefault(key, []).append(index)

    def forms_of(self, text: str) -> list[str]:
        """The other forms of the groups `text` (normalised) is a form of, in group order, without
        those that contain it (the term finds them itself)."""
        key = canonical(text)
        seen, out = {key}, []
        for index in self.by_key.get(key, ()):
            for form in self.groups[index]:
                form_key = canonical(normalize(form))
                if form_key in seen or contains(form_key, key):
                    continue
                seen.add(form_key)
                out.append(form)
        return out[:MAX_FORMS]


def load_vocabulary() -> Vocabulary:
    groups = [s.terms for s in Synonym.objects.order_by("slug")]
    groups += [d.names for d in Department.objects.order_by("slug")]
    groups += [i.names for i in Initiative.objects.order_by("slug")]
    return Vocabulary(groups)


_lock = threading.Lock()
_cached: dict = {}


def vocabulary(live) -> Vocabulary:
    """The vocabulary for this state of the live index (a catalog change moves its epoch; a
    transaction's private view, or the fall-back's, is an index of its own)."""
    key = (live.serial, live.epoch)
    with _lock:
        if _cached.get("key") == key:
            return _cached["vocabulary"]
    loaded = load_vocabulary()
    with _lock:
        _cached.update(key=key, vocabulary=loaded)
    return loaded


def expand(tree, q: str | None, live) -> tuple[object, list[Expansion]]:
    """The tree with each plain term that has other forms ORed with them, and what was searched
    besides the terms as typed."""
    expansions = simplified(q)
    if tree is None:
        return None, expansions
    words = vocabulary(live)
    found: dict[str, Expansion] = {}

    def walk(node):
        if type(node) is PlainText:
            forms = words.forms_of(node.text)
            if not forms:
                return node
            found.setdefault(node.text, Expansion(node.text, tuple(forms), literal_query(q, node.text)))
            return Or((node, *(Alternative(normalize(f).strip(), of=node.text) for f in forms)))
        if isinstance(node, (And, Or)):
            return replace(node, children=tuple(walk(child) for child in node.children))
        return node  # Phrase, Not and anything else: as typed

    return walk(tree), expansions + list(found.values())


def literal_query(q: str | None, term: str) -> str:
    """The query with each unquoted, not excluded occurrence of `term` quoted, which searches it
    as typed only (quoted terms are never expanded)."""
    tokens = TOKEN.findall(clean(q or ""))
    out = [
        f'"{token}"' if not token.startswith(("-", '"')) and normalize(token).strip() == term else token
        for token in tokens
    ]
    return " ".join(out)


def simplified(q: str | None) -> list[Expansion]:
    """Terms typed with traditional characters, which are searched in simplified ones (the
    index holds every text folded so: search.normalize)."""
    out = []
    for token in TOKEN.findall(clean(q or "")):
        typed = token.lstrip("-").strip('"')
        folded = normalize(typed)
        if any(is_cjk(a) and a != b for a, b in zip(typed, folded)):
            out.append(Expansion(typed, (folded,), kind="simplified"))
    return out


def term_groups(terms, weight: float) -> list[tuple[int, float, bool]]:
    """For ranking, each positive term's (group, weight, whole only): an Alternative joins the
    term it was found for, with `weight`, and counts only where it occurs whole (its words
    elsewhere in a section say nothing: 高新技术产业开发区's 产业 is in every other report); a
    term as typed is a group of its own, with weight 1. A section scores the best of each group,
    so a literal match outranks the same match by another form."""
    groups, typed = [], {}
    for n, term in enumerate(terms):
        if isinstance(term, Alternative) and term.of in typed:
            groups.append((typed[term.of], weight, True))
        else:
            typed[term.text] = n
            groups.append((n, 1.0, False))
    return groups
