"""The OpenAPI 3.1 description of every JSON endpoint, served at /api/openapi.json.

It describes the responses as they are (search.serializers for /api/search, search.views for
/api/suggest, archive/reading/exports.py for the list downloads, archive/reading/api.py for one
article): those shapes are contracts, so this document follows them and never the other way
round. Objects allow properties not listed here, so adding a field does not break a client;
tests/archive/reading/test_api.py checks every endpoint against it with schemathesis.

A part used in more than one place (a parameter, the 404 answer, a list's response, a schema)
is written once, under components, and referred to by $ref."""

from archive.models import Article
from search.api import FACET_LABELS as FACET_NAMES
from search.api import FACETS


def _string(description="", **extra):
    return {"type": "string", **({"description": description} if description else {}), **extra}


def _array(items, description=""):
    return {"type": "array", "items": items, **({"description": description} if description else {})}


def _object(properties: dict, required=None, description=""):
    schema = {"type": "object", "properties": properties, "required": list(required or properties)}
    if description:
        schema["description"] = description
    return schema


def _integer(**limits):
    return {"type": "integer", **limits}


def _ref(name, group="schemas"):
    return {"$ref": f"#/components/{group}/{name}"}


NAMED = _object({"name": _string(), "slug": _string(), "url": _string("完整网址", format="uri")})


def _named(**properties):
    """A named object (name, slug, url) with properties of its own besides."""
    return {**NAMED, "properties": {**NAMED["properties"], **properties}}


def _list(items, count=None, **properties):
    """A list download (archive/reading/exports.py): its title, page and count, then the results."""
    envelope = {"title": _string(), "url": _string(), "count": count or _integer(minimum=0), **properties}
    return _object({**envelope, "results": _array(items)})

SCHEMAS = {
    "Error": _object({"error": _string("出错原因")}),
    "FacetValue": _object(
        {
            "value": _string("筛选参数的取值"),
            "label": _string(),
            "count": _integer(minimum=0),
            "selected": {"type": "boolean"},
        }
    ),
    "Expansion": _object(
        {
            "kind": _string("synonym 同义词 或 simplified 繁简"),
            "term": _string(),
            "forms": _array(_string()),
            "message": _string(),
            "literal_query": _string("只检索原词的查询"),
        }
    ),
    "DidYouMean": _object({"query": _string(), "url": _string()}),
    "SearchHit": _object(
        {
            "article": _object(
                {
                    "id": _integer(),
                    "title": _string(),
                    "url": _string("站内路径"),
                    "date": _string("按精度书写的日期，如 2024年11月；原文未印、由正文推定的日期加方括号，如 [2026年]"),
                    "date_inferred": {"type": "boolean", "description": "日期是否由正文推定（原文未印）"},
                    "kind": _string("体裁名称"),
                    "departments": _array(_string()),
                    "initiatives": _array(_string()),
                }
            ),
            "section": _object({"heading": _string(), "url": _string("站内路径，带检索词与锚点")}),
            "snippet": _string("摘录，检索词以 <mark> 标出"),
            "score": {"type": "number"},
            "more_sections": _integer(minimum=0),
        }
    ),
    "SearchResults": _object(
        {
            "query": _string(),
            "total": _integer(minimum=0),
            "page": _integer(minimum=1),
            "pages": _integer(minimum=0),
            "results": _array(_ref("SearchHit")),
            "facets": _object({facet: _array(_ref("FacetValue")) for facet in FACETS}),
            "expansions": _array(_ref("Expansion")),
            "did_you_mean": _array(_ref("DidYouMean")),
            "notices": _array(_string()),
        }
    ),
    "Suggestions": _object(
        {
            "query": _string(),
            "suggestions": _array(
                _object(
                    {
                        "kind": _string("department、initiative、person、article…"),
                        "label": _string(),
                        "matched": _string(),
                        "url": _string(),
                        "pinyin": {"type": "boolean"},
                        "detail": _string(),
                    }
                )
            ),
            "did_you_mean": _array(_ref("DidYouMean")),
        }
    ),
    "ArticleRecord": _object(
        {
            "id": _integer(),
            "title": _string(),
            "subtitle": _string(),
            "kind": _string("体裁名称"),
            "date": _string("2024、2024-11 或 2024-11-05；不详时为空"),
            "date_display": _string(),
            "source": _string(),
            "series": _string(),
            "series_order": {"type": ["integer", "null"]},
            "doc_number": _string(),
            "authors": _array(_string()),
            "departments": _array(_string()),
            "initiatives": _array(_string()),
            "url": _string(format="uri"),
        }
    ),
    "ArticleList": _list(_ref("ArticleRecord")),
    "SearchExport": _list(_ref("ArticleRecord"), query=_string(), total=_integer(minimum=0)),
    "DepartmentList": _list(
        _object(
            {
                "slug": _string(),
                "name": _string(),
                "short_name": _string(),
                "aliases": _array(_string()),
                "kind": _string(),
                "region": _string(),
                "parent": _string(),
                "reports": _integer(minimum=0),
                "url": _string(format="uri"),
            }
        ),
        count=_integer(),
    ),
    "InitiativeList": _list(
        _object(
            {
                "slug": _string(),
                "name": _string(),
                "aliases": _array(_string()),
                "category": _string(),
                "lead_departments": _array(_string()),
                "reports": _integer(minimum=0),
                "mentions": _integer(minimum=0),
                "summary": _string(),
                "url": _string(format="uri"),
            }
        ),
        count=_integer(),
    ),
    "MentionList": _list(
        _object(
            {
                "article": _string(),
                "date": _string(),
                "section": _string(),
                "before": _string(),
                "name": _string(),
                "after": _string(),
                "url": _string(format="uri"),
            }
        ),
        count=_integer(),
    ),
    "Named": NAMED,
    "Kind": _string(enum=list(Article.Kind.values)),
    "Article": _object(
        {
            "id": _integer(),
            "slug": _string(),
            "url": _string(format="uri"),
            "title": _string(),
            "subtitle": _string(),
            "kind": _ref("Kind"),
            "kind_label": _string(),
            "date": {"type": ["string", "null"], "description": "2024、2024-11 或 2024-11-05"},
            "date_precision": _string(enum=list(Article.DatePrecision.values)),
            "date_display": _string(),
            "date_inferred": {"type": "boolean"},
            "source": {"oneOf": [_ref("Named"), {"type": "null"}]},
            "series": {"oneOf": [_named(order={"type": ["integer", "null"]}), {"type": "null"}]},
            "doc_number": _string("文号"),
            "page": _string("版次"),
            "creators": _array(_string(), "署名者；没有署名时为发文单位"),
            "authors": _array(_named(role=_string(), role_label=_string(), position=_string())),
            "departments": _array(_named(role=_string(enum=["author", "subject"]), role_label=_string())),
            "initiatives": _array(_named(count=_integer(minimum=1))),
            "captions": _array(_string()),
            "sections": _array(
                _object(
                    {
                        "anchor": _string(),
                        "url": _string(format="uri"),
                        "heading": _string(),
                        "level": _integer(enum=[2, 3]),
                        "paragraphs": _array(_string()),
                        "mentions": _array(
                            _object(
                                {
                                    "initiative": _ref("Named"),
                                    "count": _integer(minimum=1),
                                    "offsets": _array(
                                        _object(
                                            {
                                                "field": _string(enum=["heading", "body"]),
                                                "start": _integer(minimum=0),
                                                "end": _integer(minimum=0),
                                            }
                                        )
                                    ),
                                }
                            )
                        ),
                    }
                )
            ),
            "links": _object(
                {"page": _string(format="uri"), "original": _string(format="uri"), "api": _string(format="uri")}
            ),
        }
    ),
    "CSLItems": _array(
        {
            "type": "object",
            "description": "一条 CSL-JSON 文献（https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html）",
            "properties": {
                "id": _string(),
                "type": _string(),
                "title": _string(),
                "author": _array(
                    {"type": "object", "properties": {"literal": _string(), "family": _string(), "given": _string()}}
                ),
                "issued": {
                    "type": "object",
                    "properties": {"date-parts": _array(_array(_integer())), "circa": {"type": "boolean"}},
                },
                "URL": _string(format="uri"),
            },
            "required": ["id", "type", "title"],
        }
    ),
}

CSL_JSON = "application/vnd.citationstyles.csl+json"


def _param(name, where="query", schema=None, description="", required=False, **extra):
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": schema or _string(),
        **extra,
    }


# Parameters of more than one operation: the search's (q, one per facet, dates, its sort), a
# list's sort and an object's slug.
PARAMETERS = {
    "q": _param("q", description="检索词"),
    **{
        facet: _param(
            facet,
            schema=_array(_string()),
            description=f"按{FACET_NAMES[facet]}筛选，可重复",
            style="form",
            explode=True,
        )
        for facet in FACETS
    },
    "date_from": _param("date_from", description="起始日期：2024、2024-05 或 2024-05-01"),
    "date_to": _param("date_to", description="截止日期"),
    "search_sort": _param("sort", schema=_string(enum=["relevance", "newest", "oldest"])),
    "sort": _param("sort", schema=_string(enum=["newest", "oldest", "series"]), description="排序：最新、最早或系列顺序"),
    "slug": _param("slug", "path", description="网址名"),
}
SEARCH_PARAMS = [_ref(name, "parameters") for name in ("q", *FACETS, "date_from", "date_to")]
SEARCH_SORT, SORT, SLUG = (_ref(name, "parameters") for name in ("search_sort", "sort", "slug"))


def _json_response(schema_name, description="成功"):
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


RESPONSES = {
    "NotFound": {"description": "没有这个对象", "content": {"text/html": {"schema": _string()}}},
    "ArticleList": _json_response("ArticleList"),
    "CSLItems": {"description": "成功", "content": {CSL_JSON: {"schema": _ref("CSLItems")}}},
}


def _get(summary, ok, parameters=(), not_found=False, operation_id=""):
    """One GET operation: ok is its 200 response, a not_found one may also answer 404."""
    responses = {"200": ok}
    if not_found:
        responses["404"] = _ref("NotFound", "responses")
    return {
        "get": {"summary": summary, "operationId": operation_id, "parameters": list(parameters), "responses": responses}
    }


def paths() -> dict:
    lists = {
        "/articles.json": ("全部报道", [SORT], "listAll"),
        "/departments/{slug}/reports.json": ("一个单位的相关报道", [SLUG, SORT], "listDepartmentReports"),
        "/initiatives/{slug}/reports.json": ("提及一项改革举措的报道", [SLUG, SORT], "listInitiativeReports"),
        "/years/{year}/reports.json": (
            "一年的报道",
            [_param("year", "path", {"type": "integer", "minimum": 1, "maximum": 9999}), SORT],
            "listYearReports",
        ),
        "/kinds/{kind}/reports.json": (
            "一种体裁的报道",
            [_param("kind", "path", _ref("Kind")), SORT],
            "listKindReports",
        ),
        "/sources/{slug}/reports.json": ("一个出处的报道", [SLUG, SORT], "listSourceReports"),
        "/series/{slug}/reports.json": ("一个专栏的报道", [SLUG, SORT], "listSeriesReports"),
        "/people/{slug}/reports.json": ("一个人署名的报道", [SLUG, SORT], "listPersonReports"),
    }
    result = {
        "/api/search": _get(
            "全文检索",
            _json_response("SearchResults"),
            [
                *SEARCH_PARAMS,
                SEARCH_SORT,
                _param("page", schema=_integer(minimum=1)),
                *[_param(f"{facet}_filter", description=f"在{FACET_NAMES[facet]}的取值中筛选") for facet in FACETS],
            ],
            operation_id="search",
        ),
        "/api/suggest": _get(
            "检索框的提示",
            _json_response("Suggestions"),
            [_param("q", description="已输入的文字，汉字或拼音")],
            operation_id="suggest",
        ),
        "/api/articles/{slug}": {
            "get": {
                "summary": "一篇报道：著录信息、各节正文及锚点、提及的改革举措、链接",
                "operationId": "article",
                "parameters": [SLUG],
                "responses": {
                    "200": _json_response("Article"),
                    "404": {
                        "description": "没有这篇报道",
                        "content": {"application/json": {"schema": _ref("Error")}, "text/html": {"schema": _string()}},
                    },
                },
            }
        },
        "/search/export.json": _get(
            "检索结果全部导出", _json_response("SearchExport"), [*SEARCH_PARAMS, SEARCH_SORT], operation_id="searchExport"
        ),
        "/departments.json": _get("全部单位", _json_response("DepartmentList"), operation_id="listDepartments"),
        "/initiatives.json": _get("全部改革举措", _json_response("InitiativeList"), operation_id="listInitiatives"),
        "/initiatives/{slug}/mentions.json": _get(
            "一项改革举措的全部提及（上下文）",
            _json_response("MentionList"),
            [SLUG],
            not_found=True,
            operation_id="listMentions",
        ),
    }
    article_list, csl_items = _ref("ArticleList", "responses"), _ref("CSLItems", "responses")
    for path, (summary, parameters, operation_id) in lists.items():
        not_found = path != "/articles.json"
        result[path] = _get(summary, article_list, parameters, not_found=not_found, operation_id=operation_id)
        # The same list as CSL-JSON, for reference managers (archive/reading/references.py).
        result[path.replace(".json", ".csl.json")] = _get(
            f"{summary}（CSL-JSON 文献）", csl_items, parameters, not_found=not_found, operation_id=operation_id + "Csl"
        )
    result["/articles/{slug}/cite.csl.json"] = _get(
        "一篇报道的 CSL-JSON 文献", csl_items, [SLUG], not_found=True, operation_id="articleCsl"
    )
    result["/search/export.csl.json"] = _get(
        "检索结果的 CSL-JSON 文献", csl_items, [*SEARCH_PARAMS, SEARCH_SORT], operation_id="searchExportCsl"
    )
    return result


def description(server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "改革报道档案 数据接口",
            "version": "1.0",
            "description": "检索、检索提示、单篇报道和各种报道列表的 JSON。列表与网页上的“导出 JSON”相同。",
        },
        "servers": [{"url": server}],
        "paths": paths(),
        "components": {"schemas": SCHEMAS, "parameters": PARAMETERS, "responses": RESPONSES},
    }
