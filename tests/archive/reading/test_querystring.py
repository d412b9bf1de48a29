"""Links that change the current query string: templates use Django's {% querystring %}, links
built in Python use archive.querystring, and the two give the same link."""

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from archive.querystring import querystring

CURRENT = "/search/?q=%E6%94%B9%E9%9D%A9&department=a&department=b&page=3&sort=oldest"


@pytest.mark.parametrize(
    "path, changes",
    [
        (CURRENT, {"page": 4}),
        (CURRENT, {"sort": "newest", "page": None}),
        (CURRENT, {"department": ["a"], "page": None}),
        (CURRENT, {"department": ["a", "b", "c"]}),
        (CURRENT, {"more": "year"}),
        (CURRENT, {"q": None, "department": None, "page": None, "sort": None}),  # every parameter removed: "?"
        ("/search/", {}),  # none ever: ""
        ("/search/", {"page": 2}),
        ("/search/", {"page": None}),
    ],
)
def test_the_helper_gives_the_link_the_template_tag_gives(path, changes):
    request = RequestFactory().get(path)
    names = {key: f"v{i}" for i, key in enumerate(changes)}
    tag = "{% autoescape off %}{% querystring " + " ".join(f"{k}={v}" for k, v in names.items()) + " %}{% endautoescape %}"
    rendered = Template(tag).render(RequestContext(request, {names[k]: v for k, v in changes.items()}))
    assert querystring(request.GET, **changes) == rendered


def test_the_helper_leaves_the_request_alone():
    request = RequestFactory().get(CURRENT)
    before = request.GET.urlencode()
    querystring(request.GET, page=None, department=["z"])
    assert request.GET.urlencode() == before


def test_without_parameters_the_helper_starts_from_none():
    assert querystring(q="改革 园区") == "?q=%E6%94%B9%E9%9D%A9+%E5%9B%AD%E5%8C%BA"
    assert querystring() == ""


@pytest.mark.django_db
def test_the_search_pages_links_keep_the_query_and_start_again_from_the_first_page(client):
    html = client.get("/search/?q=&page=2&sort=oldest").content.decode()
    assert 'href="?q=&amp;page=1&amp;sort=oldest" rel="prev"' in html
    assert 'href="?q=&amp;page=3&amp;sort=oldest" rel="next"' in html
    assert 'href="?q=&amp;sort=newest"' in html  # another order starts again at page 1
    html = client.get("/search/?q=%E6%94%B9%E9%9D%A9&page=2&year=2024").content.decode()
    q = "q=%E6%94%B9%E9%9D%A9"
    assert f'href="?{q}"' in html  # clearing the filters keeps the query
    assert f'href="?{q}&amp;year=2024&amp;year=' in html  # a second year is added to the first
    assert f'href="?{q}&amp;page=2&amp;year=2024&amp;more=department"' in html
    assert f'/search/feed/?{q}&amp;page=2&amp;year=2024"' in html


@pytest.mark.django_db
def test_a_lists_page_links_keep_its_sort(client):
    html = client.get("/articles/?sort=oldest").content.decode()
    assert 'href="?sort=oldest&amp;page=2"' in html
    assert 'href="?sort=newest"' in html
