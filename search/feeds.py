"""An Atom feed of the newest reports matching a search (query and facets), so a reader can
follow a topic: /search/feed/?q=二分法&department=… . Built on the archive's ArticleFeed."""

import re

from django.urls import reverse

from archive.models import Article
from archive.querystring import querystring
from archive.reading.feeds import FEED_SIZE, ArticleFeed
from archive.reading.listings import Listing
from archive.reading.selectors.articles import with_relations
from search.engine import search
from search.facets import FACETS
from search.filters import DATE_PARAMS

FEED_PARAMS = ("q", *FACETS, *DATE_PARAMS)
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_TITLE_QUERY = 200


class SearchFeed(ArticleFeed):
    def get_object(self, request):
        # The search's own parameters only (no page, sort or facet filter text), blank values left out.
        query = querystring(**{key: [v for v in request.GET.getlist(key) if v.strip()] for key in FEED_PARAMS})
        q = request.GET.get("q", "").strip()
        results = search(q, request.GET, sort="newest", page=1, page_size=FEED_SIZE)
        # The query is echoed in the feed's title: XML 1.0 cannot carry control characters.
        q = XML_FORBIDDEN.sub("", q)[:MAX_TITLE_QUERY]
        order = [hit.article.pk for hit in results.hits]
        listing = Listing(
            name="search",
            obj=order,
            title=f"检索“{q}”" if q else "检索结果",
            articles=Article.objects.filter(pk__in=order),
            page_url=reverse("search:search") + query,
            file_stem="search",
        )
        listing.self_url = reverse("search:search_feed") + query
        return listing

    def feed_url(self, listing):
        return listing.self_url

    def items(self, listing):
        articles = with_relations(listing.articles).in_bulk(listing.obj)
        return [articles[pk] for pk in listing.obj if pk in articles]
