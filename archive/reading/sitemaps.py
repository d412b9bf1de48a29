"""/sitemap.xml (Django's sitemaps framework) and /robots.txt, for search engines.

The sitemap lists the pages worth indexing: the published reports with the time each last
changed (by the history: archive/reading/selectors/changes.py), the departments, the
initiatives, the people who signed a published report, and the archive's list pages. robots.txt points at it and keeps crawlers out of the editors' desk, the
downloads (CSV/JSON exports), the search result pages and the machine interfaces (API, OAI-PMH),
which are endless combinations of the same reports."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive.models import Article, Authorship, Department, Initiative, Person, published_q
from archive.reading.selectors.changes import last_changes


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        articles = list(Article.objects.published().only("slug", "updated_at").order_by("id"))
        changes = last_changes()
        for article in articles:
            article.last_change = max(filter(None, (changes.get(article.pk), article.updated_at)))
        return articles

    def lastmod(self, article):
        return article.last_change


class DepartmentSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Department.objects.only("slug").order_by("id")


class InitiativeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Initiative.objects.only("slug").order_by("id")


class PersonSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        # A person's page lists published reports; one who signed none has nothing to index.
        signed = Authorship.objects.filter(published_q("article"), person=OuterRef("pk"))
        return Person.objects.filter(Exists(signed)).only("slug").order_by("id")


class ListPageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["home", "articles", "departments", "initiatives", "years", "kinds", "sources", "series_list", "people"]

    def location(self, name):
        return reverse(f"archive:{name}")


SITEMAPS = {
    "pages": ListPageSitemap,
    "articles": ArticleSitemap,
    "departments": DepartmentSitemap,
    "initiatives": InitiativeSitemap,
    "people": PersonSitemap,
}

# Prefix rules, which every crawler (and urllib.robotparser) reads; the * patterns catch the
# downloads of every list, for the crawlers that read wildcards (Google, Bing, Baidu).
# An Allow line comes before the Disallow it narrows: the first match wins in the original
# standard, the longest in RFC 9309, and both then agree.
DISALLOWED = [
    "/admin/",
    "/search/",
    "/api/",
    "/oai",
    "/articles.",
    "/departments.",
    "/initiatives.",
    "/*.csv$",
    "/*.json$",
    "/*/reports.",
    "/*/mentions.",
]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /search/help/"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('archive:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
