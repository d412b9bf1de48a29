"""Atom feeds of the newest reports: the whole archive, a department's, an initiative's (the
search app adds one per search in search.feeds, built on ArticleFeed).

Each entry's summary is the subtitle and the opening paragraph, HTML-escaped before Django's
feed writer XML-escapes it again: Atom's summary is declared type="html", so a reader unescapes
it twice and must then find text, not markup. Entries are dated with the report's date (at
midnight in China) where it is known and always carry the time the entry last changed, which
Atom requires.
"""

import datetime
import zoneinfo

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from archive.reading import listings
from archive.reading.selectors.articles import initiatives_named, with_relations

FEED_SIZE = 20
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
SUMMARY_CHARS = 200


class ArticleFeed(Feed):
    feed_type = Atom1Feed
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
        return list(with_relations(listing.articles.newest_first())[:FEED_SIZE])

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return escape(summary(article))

    def item_link(self, article):
        return article.get_absolute_url()

    def item_pubdate(self, article):
        if article.date is None:
            return None
        return datetime.datetime.combine(article.date, datetime.time(), tzinfo=CHINA)

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        names = [a.person.name for a in article.authorships.all()]
        return "、".join(names) or None

    def item_categories(self, article):
        return [article.get_kind_display(), *(i.name for i in initiatives_named(article))]


class DepartmentFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_department(slug)


class InitiativeFeed(ArticleFeed):
    def get_object(self, request, slug):
        return listings.for_initiative(slug)


def summary(article) -> str:
    first = ""
    for section in article.sections_with_mentions:
        if section.body.strip():
            first = section.body.strip().split("\n", 1)[0]
            break
    text = "——".join(part for part in (article.subtitle, first) if part) if article.subtitle else first
    return text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")
