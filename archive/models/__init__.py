"""The archive's domain: reports (articles) in sections, the units and people behind them,
and the named reform initiatives they mention.

Each group lives in its own module; they are all re-exported here, so that
`from archive.models import Article` works and Django finds every model of the app."""

from archive.models.accounts import LoginFailure
from archive.models.catalogs import Department, Initiative, Person, Series, Source, Synonym, validate_alias_list
from archive.models.mentions import Mention
from archive.models.reports import (
    Article,
    ArticleDepartment,
    ArticleQuerySet,
    Authorship,
    Caption,
    RawDocument,
    Section,
    format_date,
    next_anchor,
    parse_partial_date,
    published_q,
)
from archive.models.stamps import HistoryStamp, tracked

__all__ = [
    "Article",
    "ArticleDepartment",
    "ArticleQuerySet",
    "Authorship",
    "Caption",
    "Department",
    "HistoryStamp",
    "Initiative",
    "LoginFailure",
    "Mention",
    "Person",
    "RawDocument",
    "Section",
    "Series",
    "Source",
    "Synonym",
    "format_date",
    "next_anchor",
    "parse_partial_date",
    "published_q",
    "tracked",
    "validate_alias_list",
]
