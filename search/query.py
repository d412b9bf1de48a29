"""A small query tree that knows nothing of databases (after Wagtail's search.query).

Leaves say "this string occurs"; the engine decides how a backend finds it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlainText:
    """A term as typed: it must occur in the section (spaces and quotes aside); where nothing in
    the archive has it, the engine falls back to sections that have all of its jieba words."""

    text: str  # normalised


@dataclass(frozen=True)
class Phrase:
    """Must occur exactly as typed (spaces inside are ignored, punctuation matches punctuation)."""

    text: str  # normalised


@dataclass(frozen=True)
class Field:
    """Must occur, as typed, in one field of the report (search.documents.FIELDS: title:,
    author:, dept:, docno:, caption:); every section of such a report matches."""

    field: str
    text: str  # normalised


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


def positive_terms(node) -> list:
    """The PlainText, Phrase and Field leaves that are not under a Not: what ranking and marking
    use."""
    if isinstance(node, (PlainText, Phrase, Field)):
        return [node]
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in positive_terms(child)]
    return []


def describe(node) -> str:
    if isinstance(node, PlainText):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Field):
        return f'{node.field}:"{node.text}"'
    if isinstance(node, Not):
        return f"-{describe(node.child)}"
    if isinstance(node, Or):
        return "(" + " OR ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, And):
        return " ".join(describe(c) for c in node.children)
    return ""
