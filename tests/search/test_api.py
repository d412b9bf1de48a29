"""The interfaces: the search page, /api/search, /api/suggest and the search command agree,
keep their contract, escape everything and never answer 500."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def api(client, **params):
    response = client.get("/api/search", params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_api_returns_the_documented_shape(client):
    data = api(client, q="二分法")
    assert set(data) == {"query", "total", "page", "pages", "results", "facets", "expansions", "did_you_mean", "notices"}
    assert data["query"] == "二分法" and data["total"] >= 3 and data["page"] == 1
    first = data["results"][0]
    assert set(first) == {"article", "section", "snippet", "score", "more_sections"}
    assert set(first["article"]) == {"id", "title", "url", "date", "date_inferred", "kind", "departments", "initiatives"}
    assert set(first["section"]) == {"heading", "url"}
    assert "<mark>二分法</mark>" in first["snippet"]
    assert "二分法" in first["article"]["initiatives"]
    assert set(data["facets"]) == {"department", "initiative", "year", "kind", "source", "author"}
    for value in data["facets"]["department"]:
        assert set(value) == {"value", "label", "count", "selected"}


def test_section_urls_carry_the_terms_and_the_anchor(client):
    url = api(client, q="金钥匙")["results"][0]["section"]["url"]
    assert url.startswith("/articles/") and "hl=" in url and "#s" in url


def test_facet_values_are_the_slugs_the_filters_take(client):
    data = api(client, q="改革")
    slug = data["facets"]["department"][0]["value"]
    filtered = api(client, q="改革", department=slug)
    assert filtered["total"] == data["facets"]["department"][0]["count"]


def test_command_json_is_identical_to_the_api(client, capsys):
    call_command("search", "园区", "--json", "--limit", "10")
    printed = json.loads(capsys.readouterr().out)
    assert printed == api(client, q="园区")


def test_command_filters_by_department_and_year(capsys):
    call_command("search", "改革", "--year", "2019", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["total"] > 0 and all(
        r["article"]["date"] == "[2019年]" and r["article"]["date_inferred"] for r in printed["results"]
    )


def test_empty_query_browses_everything(client):
    data = api(client, q="")
    from archive.models import Article

    assert data["total"] == Article.objects.published().count()


def test_pages_and_page_numbers_are_clamped(client):
    data = api(client, q="改革", page="999999")
    assert data["page"] == data["pages"]
    for page in ["-3", "0", "abc", "1e9", "", "９"]:
        assert api(client, q="改革", page=page)["page"] >= 1


def test_markup_in_a_query_is_escaped_in_the_page(client, make_article):
    make_article(title="测验标记", sections=[("", "正文里写着<script>alert(1)</script>和</mark>。")])
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    data = api(client, q="</mark>")
    snippet = data["results"][0]["snippet"]
    assert "&lt;/mark&gt;" in snippet and snippet.count("<mark>") == snippet.count("</mark>")


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"'}, {"q": "a-b x:y AND OR NOT ( * NEAR"}, {"q": "'; DROP TABLE archive_article; --"},
        {"q": "改革" * 5000}, {"q": "😀\x00\u200b"}, {"q": "改革", "sort": "bogus"}, {"q": "改革", "page": "-1"},
        {"q": "改革", "year": "abc"}, {"q": "改革", "department": ["a", "b", "' OR 1=1"]}, {"unknown": "x"},
        {"q": "{grams}: 改革"}, {"q": "'改革':* & !x"},
    ],
)
def test_hostile_requests_get_answers_not_errors(client, params):
    assert client.get("/search/", params).status_code == 200
    assert client.get("/api/search", params).status_code == 200


def test_search_page_shows_results_facets_and_marks(client):
    body = client.get("/search/", {"q": "二分法"}).content.decode()
    assert "<mark>二分法</mark>" in body
    assert "部门" in body and "改革举措" in body
    assert "2024-zhuzhou-gaoke-erfenfa" in body


def test_suggest_offers_initiatives_departments_and_titles(client):
    data = client.get("/api/suggest", {"q": "五好"}).json()
    assert data["suggestions"][0]["label"] == "五好园区"
    kinds = {s["kind"] for s in client.get("/api/suggest", {"q": "株洲"}).json()["suggestions"]}
    assert "department" in kinds
    assert client.get("/api/suggest", {"q": ""}).json()["suggestions"] == []

