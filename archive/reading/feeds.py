"""Atom feeds of the newest reports: the whole archive's, and a department's, an initiative's,
a year's, a kind's, a series', a source's and a person's (each list's Listing names its feed;
the search app adds one per search in search.feeds, built on ArticleFeed).

Each entry's summary is the subtitle and the opening paragraph, HTML-escaped before Django's
feed writer XML-escapes it again: Atom's summary is declared type="html", so a reader unescapes
it twice and must then find text, not markup. The whole text follows as <content type="html">.

Dates: Atom's `published` is a full timestamp, so it is given (midnight in China) only for a
report dated to the day; a date known to the year or month is not turned into 1 January or the
1st, it is stated as precisely as it is known in a category whose scheme is Dublin Core's date
(term 2024 or 2024-11, label 2024年 or 2024年11月, as every export writes it). `updated`, which
Atom requires, is the entry's last change by the archive's history (archive/reading/selectors/
changes.py), not the time it was loaded or the feed was read.

Every entry has an author: the byline, or the issuing unit when nobody signed the report
(archive.reading.citation.creators, the rule the citation follows); a report with neither is marked 未署名.
"""

import datetime
import zoneinfo

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import Promise
from django.utils.html import escape

from archive.models import Article, format_date
from archive.reading import citation, listings
from archive.reading.selectors.articles import initiatives_named, with_relations
from archive.reading.selectors.changes import last_changes
from archive.text import xml_safe

FEED_SIZE = 20
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
SUMMARY_CHARS = 200
DC_DATE = "http://purl.org/dc/elements/1.1/date"
UNSIGNED = "未署名"


def _xml_safe(value):
    if isinstance(value, (str, Promise)):
        return xml_safe(str(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_xml_safe(v) for v in value)
    return value


class XMLSafeAtom1Feed(Atom1Feed):
    """Atom whose every text passes through archive.text.xml_safe on its way into the writer:
    a control character stored before the archive cleaned its input (or U+FFFE) is dropped
    instead of failing the whole feed (Django refuses C0 controls with a 500) or making it
    invalid XML (U+FFFE passes Django's check)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})


class ArticleAtomFeed(XMLSafeAtom1Feed):
    """Atom with each entry's full text as <content> and its date at its precision."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("date_term"):
            handler.addQuickElement(
                "category", "", {"term": item["date_term"], "scheme": DC_DATE, "label": item["date_label"]}
            )
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticleFeed(Feed):
    feed_type = ArticleAtomFeed
    language = "zh-CN"

    def get_object(self, request, **kwargs):
        return listings.everything()

    def title(self, listing):
        return f"{listing.title} · 改革报道档案"

    def subtitle(self, listing):
        return f"改革报道档案中{listing.title}，最新的{FEED_SIZE}篇。"

    def link(self, listing):
        return listing.page_url

    def feed_url(self, listing):
        return listing.feed_url

    def items(self, listing):
        return dated(list(with_relations(listing.articles.newest_first())[:FEED_SIZE]))

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return escape(summary(article))

    def item_link(self, article):
        return article.get_absolute_url()

    def item_pubdate(self, article):
        if article.date is None or article.date_precision != Article.DatePrecision.DAY:
            return None
        return datetime.datetime.combine(article.date, datetime.time(), tzinfo=CHINA)

    def item_updateddate(self, article):
        return getattr(article, "last_change", None) or article.updated_at

    def item_author_name(self, article):
        return "、".join(citation.creators(article)) or UNSIGNED

    def item_extra_kwargs(self, article):
        return {
            "content": content_html(article),
            "date_term": format_date(article.date, article.date_precision, iso=True, unknown=""),
            "date_label": article.display_date,
        }

    def item_categories(self, article):
        return [article.get_kind_display(), *(i.name for i in initiatives_named(article))]


class DepartmentFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_department(slug)


class InitiativeFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_initiative(slug)


class YearFeed(ArticleFeed):
    def get_object(self, request, year):
        return listings.for_year(year)


class KindFeed(ArticleFeed):
    def get_object(self, request, kind):
        return listings.for_kind(kind)


class SeriesFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_series(slug)


class SourceFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_source(slug)


class PersonFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_person(slug)


def summary(article) -> str:
    first = ""
    for section in article.sections_with_mentions:
        if section.body.strip():
            first = section.body.strip().split("\n", 1)[0]
            break
    text = "——".join(part for part in (article.subtitle, first) if part) if article.subtitle else first
    return text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")


def dated(articles: list) -> list:
    """The articles, each with `last_change` read from the history (one query per history table)."""
    changes = last_changes([a.pk for a in articles])
    for article in articles:
        article.last_change = max(filter(None, (changes.get(article.pk), article.updated_at)))
    return articles


def content_html(article) -> str:
    """The report's text as HTML: the subtitle, each section's heading and paragraphs, escaped."""
    parts = [f"<p><strong>{escape(article.subtitle)}</strong></p>"] if article.subtitle else []
    for section in article.sections_with_mentions:
        if section.heading:
            parts.append(f"<h3>{escape(section.heading)}</h3>")
        parts += [f"<p>{escape(paragraph)}</p>" for paragraph in section.paragraphs]
    return "\n".join(parts)
