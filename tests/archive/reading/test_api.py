"""The JSON of one article (/api/articles/<slug>) and the OpenAPI description of every JSON
endpoint, checked by schemathesis against the live test server: every response conforms to the
description, none is a server error."""

import collections
import datetime
import json

import pytest
import schemathesis
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from archive.models import Article, Mention

EXAMPLES_PER_OPERATION = 25
CASES: collections.Counter = collections.Counter()
REAL_SLUGS = {
    "api": "article",
    "articles": "article",
    "departments": "zhuzhou-sasac",
    "initiatives": "erfenfa",
    "people": "yi-yue-yue",
    "sources": "wei-shu-chu-chu",
    "series": "quan-mian-shen-hua-gai-ge-zhu-zhou-jin-xing-shi",
}


@pytest.mark.django_db
def test_an_article_as_json_has_its_metadata_sections_with_anchors_and_mentions(client):
    article = Article.objects.published().filter(sections__mentions__isnull=False).distinct().first()
    response = client.get(f"/api/articles/{article.slug}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["title"] == article.title and data["kind"] == article.kind
    assert (
        data["date"]
        == {"year": str(article.date.year), "month": article.date.strftime("%Y-%m"), "day": article.date.isoformat()}[
            article.date_precision
        ]
    )
    sections = list(article.sections.order_by("order"))
    assert [s["anchor"] for s in data["sections"]] == [s.anchor for s in sections]
    page = f"http://testserver{article.get_absolute_url()}"
    assert data["sections"][0]["url"] == f"{page}#{sections[0].anchor}"
    assert data["links"]["page"] == page
    for section, described in zip(sections, data["sections"], strict=True):
        assert described["paragraphs"] == section.paragraphs
        expected = {(m.initiative.slug, m.count) for m in Mention.objects.filter(section=section)}
        assert {(m["initiative"]["slug"], m["count"]) for m in described["mentions"]} == expected
        for mention in described["mentions"]:  # offsets point at the name in the text
            for spot in mention["offsets"]:
                text = section.body if spot["field"] == "body" else section.heading
                assert spot["end"] > spot["start"] and text[spot["start"] : spot["end"]]
    total = collections.Counter()
    for mention in Mention.objects.filter(section__article=article):
        total[mention.initiative.slug] += mention.count
    assert {i["slug"]: i["count"] for i in data["initiatives"]} == dict(total)


@pytest.mark.django_db
def test_an_article_without_a_byline_is_credited_to_its_issuing_unit(client):
    article = Article.objects.published().filter(authorships__isnull=True, department_roles__role="author").first()
    data = client.get(f"/api/articles/{article.slug}").json()
    assert data["creators"] == [r.department.name for r in article.department_roles.filter(role="author")]
    assert data["authors"] == []


@pytest.mark.django_db
def test_a_reply_is_credited_to_its_issuing_body_in_the_json_the_feed_and_the_oai_record_as_cited(client):
    """The handling staff are named on the reply's page, but every copy credits the issuing body."""
    slug = "2022-zhuzhou-gongxinju-reply-1022"
    article = Article.objects.get(slug=slug)
    assert article.authorships.exists()  # staff who handled it: not its authors
    assert client.get(f"/api/articles/{slug}").json()["creators"] == ["株洲市工业和信息化局"]
    feed = client.get("/feed/").content.decode()
    entry = feed[feed.index(f"/articles/{slug}/"):]
    entry = entry[: entry.index("</entry>")]
    assert "<name>株洲市工业和信息化局</name>" in entry
    record = client.get("/oai", {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                 "identifier": f"oai:reform-archive:article/{article.pk}"}).content.decode()
    assert "<dc:creator>株洲市工业和信息化局</dc:creator>" in record


@pytest.mark.django_db
def test_a_draft_or_unknown_article_is_a_json_404(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, date=datetime.date(2024, 3, 1), precision="month")
    for slug in (draft.slug, "no-such-article", "中文"):
        response = client.get(f"/api/articles/{slug}")
        assert response.status_code == 404
        assert response.json() == {"error": "没有这篇报道。"}


def json_routes() -> set[str]:
    """Every route that answers JSON: the API's and each download in .json or .csl.json (the fmt
    and rfmt converters), as OpenAPI path templates."""
    found = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                if "<rfmt:fmt>" in route:  # a list's: json and csl.json; one article's: csl.json alone
                    formats = ["csl.json"] if "cite." in route else ["json", "csl.json"]
                    paths = [route.replace("<rfmt:fmt>", fmt) for fmt in formats]
                elif route.startswith("api/") or route.endswith(".json") or "<fmt:fmt>" in route:
                    paths = [route.replace("<fmt:fmt>", "json")]
                else:
                    continue
                for path in paths:
                    for converter in ("slug", "int", "str"):
                        path = path.replace(f"<{converter}:", "{")
                    found.add("/" + path.replace(">", "}"))

    walk(get_resolver().url_patterns)
    return found - {"/api/openapi.json"}


@pytest.mark.django_db
def test_the_openapi_description_covers_every_json_endpoint(client):
    description = client.get("/api/openapi.json").json()
    assert description["openapi"] == "3.1.0"
    assert json_routes() == set(description["paths"])


@pytest.fixture
def api_server(live_server, django_db_blocker):
    from archive.ingest.corpus import load_all
    from search.indexing import rebuild

    with django_db_blocker.unblock():
        if not Article.objects.exists():
            load_all(settings.FIXTURES_DIR)
            rebuild()
    return live_server


def test_every_json_endpoint_conforms_to_its_description(api_server):
    """schemathesis generates requests from the description (EXAMPLES_PER_OPERATION each, the
    slugs and kinds of the corpus among them) and checks every response: status code, content
    type, headers and body as described, and never a 5xx."""
    schema = schemathesis.openapi.from_url(api_server.url + "/api/openapi.json")
    article = Article.objects.published().first()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            CASES[operation.label] += 1
            case.call_and_validate()

        try:
            check()
            # Real objects too, not only generated names (which are mostly 404s).
            real = REAL_SLUGS.get(operation.path.split("/")[1]) if "{slug}" in operation.path else None
            if real:
                case = operation.Case(path_parameters={"slug": real if real != "article" else article.slug})
                CASES[operation.label] += 1
                assert case.call_and_validate().status_code == 200
        except BaseException as error:  # noqa: BLE001 (collected, then reported together)
            failures.append(f"{operation.label}: {error}")
    print(f"\nschemathesis: {sum(CASES.values())} cases over {len(CASES)} operations")
    assert not failures, "\n\n".join(failures)
    assert len(CASES) == len(json_routes())
