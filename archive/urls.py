from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from archive.reading import api, feeds, oai, sitemaps, views


class FormatConverter:
    """The download formats of a list: reports.csv, reports.json."""

    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")


class ReportsFormatConverter(FormatConverter):
    """A list of reports also downloads as reference-manager files: reports.ris, reports.bib,
    reports.enw, reports.csl.json (archive/reading/references.py)."""

    regex = r"csv|json|ris|bib|enw|csl\.json"


register_converter(ReportsFormatConverter, "rfmt")

app_name = "archive"
urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("oai", oai.endpoint, name="oai"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("api/openapi.json", api.openapi_json, name="api_openapi"),
    path("api/articles/<str:slug>", api.article_json, name="api_article"),
    path("articles/", views.article_list, name="articles"),
    path("articles.<rfmt:fmt>", views.reports_export, {"listing": "all"}, name="articles_export"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/original/", views.article_original, name="article_original"),
    path("articles/<slug:slug>/cite.<rfmt:fmt>", views.article_reference, name="article_reference"),
    path("departments/", views.department_list, name="departments"),
    path("departments.<fmt:fmt>", views.departments_export, name="departments_export"),
    path("departments/<slug:slug>/", views.department_detail, name="department"),
    path("departments/<slug:slug>/reports.<rfmt:fmt>", views.reports_export, {"listing": "department"}, name="department_export"),
    path("departments/<slug:slug>/feed/", feeds.DepartmentFeed(), name="department_feed"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives.<fmt:fmt>", views.initiatives_export, name="initiatives_export"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("initiatives/<slug:slug>/reports.<rfmt:fmt>", views.reports_export, {"listing": "initiative"}, name="initiative_export"),
    path("initiatives/<slug:slug>/mentions.<fmt:fmt>", views.initiative_mentions_export, name="initiative_mentions_export"),
    path("initiatives/<slug:slug>/feed/", feeds.InitiativeFeed(), name="initiative_feed"),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("years/<int:year>/reports.<rfmt:fmt>", views.reports_export, {"listing": "year"}, name="year_export"),
    path("years/<int:year>/feed/", feeds.YearFeed(), name="year_feed"),
    path("kinds/", views.kind_list, name="kinds"),
    path("kinds/<slug:kind>/", views.kind_detail, name="kind"),
    path("kinds/<slug:kind>/reports.<rfmt:fmt>", views.reports_export, {"listing": "kind"}, name="kind_export"),
    path("kinds/<slug:kind>/feed/", feeds.KindFeed(), name="kind_feed"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/reports.<rfmt:fmt>", views.reports_export, {"listing": "source"}, name="source_export"),
    path("sources/<slug:slug>/feed/", feeds.SourceFeed(), name="source_feed"),
    path("series/", views.series_list, name="series_list"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("series/<slug:slug>/reports.<rfmt:fmt>", views.reports_export, {"listing": "series"}, name="series_export"),
    path("series/<slug:slug>/feed/", feeds.SeriesFeed(), name="series_feed"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("people/<slug:slug>/reports.<rfmt:fmt>", views.reports_export, {"listing": "person"}, name="person_export"),
    path("people/<slug:slug>/feed/", feeds.PersonFeed(), name="person_feed"),
]
