from django.urls import path
from django.views.generic import TemplateView

from search import exports, feeds, views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/help/", TemplateView.as_view(template_name="search/help.html"), name="help"),
    path("search/feed/", feeds.SearchFeed(), name="search_feed"),
    path("search/export.csv", exports.search_export, {"fmt": "csv"}, name="search_export_csv"),
    path("search/export.json", exports.search_export, {"fmt": "json"}, name="search_export_json"),
    path("search/export.ris", exports.search_references, {"fmt": "ris"}, name="search_export_ris"),
    path("search/export.bib", exports.search_references, {"fmt": "bib"}, name="search_export_bib"),
    path("search/export.enw", exports.search_references, {"fmt": "enw"}, name="search_export_enw"),
    path("search/export.csl.json", exports.search_references, {"fmt": "csl.json"}, name="search_export_csl"),
    path("api/search", views.api_search, name="api_search"),
    path("api/suggest", views.api_suggest, name="api_suggest"),
]
