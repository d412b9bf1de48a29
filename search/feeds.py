"""An Atom feed of the newest reports matching a search (query and facets), so a reader can
follow a topic: /search/feed/?q=二分法&department=… . Built on the archive's ArticleFeed."""

from django.urls import reverse

from archive.models import Article
from archive.querystring import querystring
from archive.reading.feeds import FEED_SIZE, ArticleFeed, dated
from archive.reading.listings import Listing
from archive.reading.selectors.articles import with_relations
from archive.text import xml_safe
from search.engine import search
from search.facets import FACET_LABELS, FACETS
from search.filters import DATE_PARAMS, date_range

FEED_PARAMS = ("q", *FACETS, *DATE_PARAMS)
MAX_TITLE_QUERY = 200


class SearchFeed(ArticleFeed):
    def get_object(self, request):
        # The search's own parameters only (no page, sort or facet filter text), blank values left out.
        query = querystring(**{key: [v for v in request.GET.getlist(key) if v.strip()] for key in FEED_PARAMS})
        q = request.GET.get("q", "").strip()
        results = search(q, request.GET, sort="newest", page=1, page_size=FEED_SIZE)
        # The query is echoed in the feed's title: XML 1.0 cannot carry control characters.
        q = xml_safe(q)[:MAX_TITLE_QUERY]
        order = [hit.article.pk for hit in results.hits]
        listing = Listing(
            name="search",
            obj=order,
            title=" · ".join([f"检索“{q}”" if q else "检索结果", *active_filters(request, results)]),
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
        return dated([articles[pk] for pk in listing.obj if pk in articles])


def active_filters(request, results) -> list[str]:
    """The filters the search applied, as the feed's title names them: 部门：株洲市国资委、…,
    日期：2023起至2024 (values that do not exist or are not dates were ignored, so are left out)."""
    parts = []
    for facet in FACETS:
        labels = [value["label"] for value in results.facets[facet] if value["selected"]]
        if labels:
            parts.append(f"{FACET_LABELS[facet]}：{'、'.join(labels)}")
    ends = {}
    for name in DATE_PARAMS:  # each end as given, when it is a date (date_range's rule)
        text = ([v.strip() for v in request.GET.getlist(name) if v.strip()] or [""])[-1]
        if text and date_range({name: text})[0] is not None:
            ends[name] = text
    if ends:
        start = f"{ends['date_from']}起" if "date_from" in ends else ""
        parts.append(f"日期：{start}" + (f"至{ends['date_to']}" if "date_to" in ends else ""))
    return parts
