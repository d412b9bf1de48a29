"""The OpenAPI 3.1 description of every JSON endpoint, served at /api/openapi.json.

It describes the responses as they are (search.serializers for /api/search, search.views for
/api/suggest, archive/reading/exports.py for the list downloads, archive/reading/api.py for one
article): those shapes are contracts, so this document follows them and never the other way
round. Objects allow properties not listed here, so adding a field does not break a client;
tests/archive/reading/test_api.py checks every endpoint against it with schemathesis."""

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


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


NAMED = _object({"name": _string(), "slug": _string(), "url": _string("完整网址", format="uri")})

SCHEMAS = {
    "Error": _object({"error": _string("出错原因")}),
    "FacetValue": _object(
        {
            "value": _string("筛选参数的取值"),
            "label": _string(),
            "count": {"type": "integer", "minimum": 0},
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
                    "id": {"type": "integer"},
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
            "more_sections": {"type": "integer", "minimum": 0},
        }
    ),
    "SearchResults": _object(
        {
            "query": _string(),
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 0},
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
            "id": {"type": "integer"},
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
    "ArticleList": _object(
        {
            "title": _string(),
            "url": _string(),
            "count": {"type": "integer", "minimum": 0},
            "results": _array(_ref("ArticleRecord")),
        }
    ),
    "SearchExport": _object(
        {
            "title": _string(),
            "url": _string(),
            "count": {"type": "integer", "minimum": 0},
            "query": _string(),
            "total": {"type": "integer", "minimum": 0},
            "results": _array(_ref("ArticleRecord")),
        },
        required=["title", "url", "count", "query", "total", "results"],
    ),
    "DepartmentList": _object(
        {
            "title": _string(),
            "url": _string(),
            "count": {"type": "integer"},
            "results": _array(
                _object(
                    {
                        "slug": _string(),
                        "name": _string(),
                        "short_name": _string(),
                        "aliases": _array(_string()),
                        "kind": _string(),
                        "region": _string(),
                        "parent": _string(),
                        "reports": {"type": "integer", "minimum": 0},
                        "url": _string(format="uri"),
                    }
                )
            ),
        }
    ),
    "InitiativeList": _object(
        {
            "title": _string(),
            "url": _string(),
            "count": {"type": "integer"},
            "results": _array(
                _object(
                    {
                        "slug": _string(),
                        "name": _string(),
                        "aliases": _array(_string()),
                        "category": _string(),
                        "lead_departments": _array(_string()),
                        "reports": {"type": "integer", "minimum": 0},
                        "mentions": {"type": "integer", "minimum": 0},
                        "summary": _string(),
                        "url": _string(format="uri"),
                    }
                )
            ),
        }
    ),
    "MentionList": _object(
        {
            "title": _string(),
            "url": _string(),
            "count": {"type": "integer"},
            "results": _array(
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
                )
            ),
        }
    ),
    "Article": _object(
        {
            "id": {"type": "integer"},
            "slug": _string(),
            "url": _string(format="uri"),
            "title": _string(),
            "subtitle": _string(),
            "kind": _string(enum=list(Article.Kind.values)),
            "kind_label": _string(),
            "date": {"type": ["string", "null"], "description": "2024、2024-11 或 2024-11-05"},
            "date_precision": _string(enum=list(Article.DatePrecision.values)),
            "date_display": _string(),
            "date_inferred": {"type": "boolean"},
            "source": {"oneOf": [NAMED, {"type": "null"}]},
            "series": {
                "oneOf": [
                    {**NAMED, "properties": {**NAMED["properties"], "order": {"type": ["integer", "null"]}}},
                    {"type": "null"},
                ]
            },
            "doc_number": _string("文号"),
            "page": _string("版次"),
            "creators": _array(_string(), "署名者；没有署名时为发文单位"),
            "authors": _array(
                {
                    **NAMED,
                    "properties": {
                        **NAMED["properties"],
                        "role": _string(),
                        "role_label": _string(),
                        "position": _string(),
                    },
                }
            ),
            "departments": _array(
                {
                    **NAMED,
                    "properties": {
                        **NAMED["properties"],
                        "role": _string(enum=["author", "subject"]),
                        "role_label": _string(),
                    },
                }
            ),
            "initiatives": _array(
                {**NAMED, "properties": {**NAMED["properties"], "count": {"type": "integer", "minimum": 1}}}
            ),
            "captions": _array(_string()),
            "sections": _array(
                _object(
                    {
                        "anchor": _string(),
                        "url": _string(format="uri"),
                        "heading": _string(),
                        "level": {"type": "integer", "enum": [2, 3]},
                        "paragraphs": _array(_string()),
                        "mentions": _array(
                            _object(
                                {
                                    "initiative": NAMED,
                                    "count": {"type": "integer", "minimum": 1},
                                    "offsets": _array(
                                        _object(
                                            {
                                                "field": _string(enum=["heading", "body"]),
                                                "start": {"type": "integer", "minimum": 0},
                                                "end": {"type": "integer", "minimum": 0},
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
                    "properties": {"date-parts": _array(_array({"type": "integer"})), "circa": {"type": "boolean"}},
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


SORT = _param("sort", schema=_string(enum=["newest", "oldest", "series"]), description="排序：最新、最早或系列顺序")
SEARCH_PARAMS = [
    _param("q", description="检索词"),
    *[
        _param(
            facet,
            schema=_array(_string()),
            description=f"按{FACET_NAMES[facet]}筛选，可重复",
            style="form",
            explode=True,
        )
        for facet in FACETS
    ],
    _param("date_from", description="起始日期：2024、2024-05 或 2024-05-01"),
    _param("date_to", description="截止日期"),
]


def _json_response(schema_name, description="成功"):
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


NOT_FOUND = {"description": "没有这个对象", "content": {"text/html": {"schema": _string()}}}


def _get(summary, schema_name, parameters=(), not_found=False, operation_id=""):
    responses = {"200": _json_response(schema_name)}
    if not_found:
        responses["404"] = NOT_FOUND
    return {
        "get": {"summary": summary, "operationId": operation_id, "parameters": list(parameters), "responses": responses}
    }


SLUG = _param("slug", "path", description="网址名")


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
            [_param("kind", "path", _string(enum=list(Article.Kind.values))), SORT],
            "listKindReports",
        ),
        "/sources/{slug}/reports.json": ("一个出处的报道", [SLUG, SORT], "listSourceReports"),
        "/series/{slug}/reports.json": ("一个专栏的报道", [SLUG, SORT], "listSeriesReports"),
        "/people/{slug}/reports.json": ("一个人署名的报道", [SLUG, SORT], "listPersonReports"),
    }
    result = {
        "/api/search": _get(
            "全文检索",
            "SearchResults",
            [
                *SEARCH_PARAMS,
                _param("sort", schema=_string(enum=["relevance", "newest", "oldest"])),
                _param("page", schema={"type": "integer", "minimum": 1}),
                *[_param(f"{facet}_filter", description=f"在{FACET_NAMES[facet]}的取值中筛选") for facet in FACETS],
            ],
            operation_id="search",
        ),
        "/api/suggest": _get(
            "检索框的提示", "Suggestions", [_param("q", description="已输入的文字，汉字或拼音")], operation_id="suggest"
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
            "检索结果全部导出",
            "SearchExport",
            [*SEARCH_PARAMS, _param("sort", schema=_string(enum=["relevance", "newest", "oldest"]))],
            operation_id="searchExport",
        ),
        "/departments.json": _get("全部单位", "DepartmentList", operation_id="listDepartments"),
        "/initiatives.json": _get("全部改革举措", "InitiativeList", operation_id="listInitiatives"),
        "/initiatives/{slug}/mentions.json": _get(
            "一项改革举措的全部提及（上下文）",
            "MentionList",
            [SLUG],
            not_found=True,
            operation_id="listMentions",
        ),
    }
    for path, (summary, parameters, operation_id) in lists.items():
        result[path] = _get(
            summary, "ArticleList", parameters, not_found=path != "/articles.json", operation_id=operation_id
        )
        # The same list as CSL-JSON, for reference managers (archive/reading/references.py).
        result[path.replace(".json", ".csl.json")] = _csl(
            f"{summary}（CSL-JSON 文献）",
            parameters,
            not_found=path != "/articles.json",
            operation_id=operation_id + "Csl",
        )
    result["/articles/{slug}/cite.csl.json"] = _csl(
        "一篇报道的 CSL-JSON 文献", [SLUG], not_found=True, operation_id="articleCsl"
    )
    result["/search/export.csl.json"] = _csl(
        "检索结果的 CSL-JSON 文献",
        [*SEARCH_PARAMS, _param("sort", schema=_string(enum=["relevance", "newest", "oldest"]))],
        operation_id="searchExportCsl",
    )
    return result


def _csl(summary, parameters, not_found=False, operation_id=""):
    operation = _get(summary, "CSLItems", parameters, not_found=not_found, operation_id=operation_id)
    operation["get"]["responses"]["200"]["content"] = {CSL_JSON: {"schema": _ref("CSLItems")}}
    return operation


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
        "components": {"schemas": SCHEMAS},
    }
