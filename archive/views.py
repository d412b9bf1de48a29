from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Article, Department, Initiative, Person, Series, Source

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request):
    articles = selectors.published_articles()
    return render(
        request,
        "archive/home.html",
        {
            "newest": articles.newest_first()[:10],
            "article_count": articles.count(),
            "departments": selectors.departments_with_counts().filter(report_count__gt=0).order_by("-report_count")[:12],
            "initiatives": selectors.initiatives_with_counts().filter(mention_count__gt=0).order_by("-report_count")[:12],
        },
    )


def article_detail(request, slug):
    try:
        article = selectors.article_for_page(slug)
    except Article.DoesNotExist:
        raise Http404("没有这篇报道")
    return render(request, "archive/article_detail.html", {"article": article})


def department_list(request):
    return render(request, "archive/department_list.html", {"departments": selectors.departments_with_counts()})


def department_detail(request, slug):
    department = get_object_or_404(Department, slug=slug)
    articles = selectors.published_articles().for_department(department).newest_first()
    return render(request, "archive/department_detail.html", {"department": department, "page": _page(request, articles)})


def initiative_list(request):
    return render(request, "archive/initiative_list.html", {"initiatives": selectors.initiatives_with_counts()})


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative, slug=slug)
    return render(
        request,
        "archive/initiative_detail.html",
        {"initiative": initiative, "mentions": selectors.mentions_of(initiative)},
    )


def _articles_page(request, template_name, obj, articles):
    return render(request, template_name, {"object": obj, "page": _page(request, articles.newest_first())})


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    return _articles_page(request, "archive/person_detail.html", person, selectors.published_articles().filter(authors=person))


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return _articles_page(request, "archive/source_detail.html", source, selectors.published_articles().filter(source=source))


def series_detail(request, slug):
    series = get_object_or_404(Series, slug=slug)
    return _articles_page(request, "archive/series_detail.html", series, selectors.published_articles().filter(series=series))
