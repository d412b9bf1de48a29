from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<slug:slug>/", views.department_detail, name="department"),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
]
