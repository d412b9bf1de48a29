from django.urls import path, register_converter

from archive.reading import feeds, views


class FormatConverter:
    """The download formats of a list: reports.csv, reports.json."""

    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "archive"
urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("articles/", views.article_list, name="articles"),
    path("articles.<fmt:fmt>", views.reports_export, {"listing": "all"}, name="articles_export"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/original/", views.article_original, name="article_original"),
    path("departments/", views.department_list, name="departments"),
    path("departments.<fmt:fmt>", views.departments_export, name="departments_export"),
    path("departments/<slug:slug>/", views.department_detail, name="department"),
    path("departments/<slug:slug>/reports.<fmt:fmt>", views.reports_export, {"listing": "department"}, name="department_export"),
    path("departments/<slug:slug>/feed/", feeds.DepartmentFeed(), name="department_feed"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives.<fmt:fmt>", views.initiatives_export, name="initiatives_export"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("initiatives/<slug:slug>/reports.<fmt:fmt>", views.reports_export, {"listing": "initiative"}, name="initiative_export"),
    path("initiatives/<slug:slug>/mentions.<fmt:fmt>", views.initiative_mentions_export, name="initiative_mentions_export"),
    path("initiatives/<slug:slug>/feed/", feeds.InitiativeFeed(), name="initiative_feed"),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("years/<int:year>/reports.<fmt:fmt>", views.reports_export, {"listing": "year"}, name="year_export"),
    path("kinds/", views.kind_list, name="kinds"),
    path("kinds/<slug:kind>/", views.kind_detail, name="kind"),
    path("kinds/<slug:kind>/reports.<fmt:fmt>", views.reports_export, {"listing": "kind"}, name="kind_export"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/reports.<fmt:fmt>", views.reports_export, {"listing": "source"}, name="source_export"),
    path("series/", views.series_list, name="series_list"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("series/<slug:slug>/reports.<fmt:fmt>", views.reports_export, {"listing": "series"}, name="series_export"),
    path("people/", views.person_list, name="people"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("people/<slug:slug>/reports.<fmt:fmt>", views.reports_export, {"listing": "person"}, name="person_export"),
]
