from django.http import HttpResponse
from django.shortcuts import render

from search.engine import SORTS, search
from search.facets import FACET_LABELS, FACETS
from search.serializers import dumps, hit_url, results_json
from search.suggest import suggestions

FACET_TOP = 8


def _run(request):
    return search(
        request.GET.get("q", ""),
        request.GET,
        sort=request.GET.get("sort", "relevance"),
        page=request.GET.get("page", 1),
        facet_filters={facet: request.GET.get(f"{facet}_filter", "")[:50] for facet in FACETS},
    )


def search_page(request):
    results = _run(request)
    expanded = set(request.GET.getlist("more"))
    facet_blocks = []
    for facet in FACETS:
        values = results.facets[facet]
        filter_text = request.GET.get(f"{facet}_filter", "").strip()[:50]
        shown = values if facet in expanded or filter_text else [v for i, v in enumerate(values) if i < FACET_TOP or v["selected"]]
        # New dicts: the facet values belong to a remembered result that other requests share.
        shown = [{**v, "toggle_url": _toggle_url(request, facet, v["value"])} for v in shown]
        facet_blocks.append(
            {
                "name": facet,
                "label": FACET_LABELS[facet],
                "values": shown,
                "hidden": len(values) - len(shown),
                "more_url": _with(request, more=facet),
                "filter_text": filter_text,
                "long": len(results.facets[facet]) > FACET_TOP,
            }
        )
    # Per-request links beside the shared hits, never written into them.
    hits = [{"hit": hit, "link": hit_url(hit.section.get_absolute_url(), results)} for hit in results.hits]
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "hits": hits,
            "query": results.q,
            "facet_blocks": facet_blocks,
            "sorts": [(key, label, _with(request, sort=key, page=None)) for key, label in SORTS.items()],
            "prev_url": _with(request, page=results.page - 1) if results.page > 1 else None,
            "next_url": _with(request, page=results.page + 1) if results.page < results.pages else None,
            "clear_url": _with(request, **{f: None for f in FACETS}, page=None),
        },
    )


def api_search(request):
    return HttpResponse(dumps(results_json(_run(request))), content_type="application/json")


def api_suggest(request):
    data = {"query": request.GET.get("q", ""), "suggestions": suggestions(request.GET.get("q", ""))}
    return HttpResponse(dumps(data), content_type="application/json")


def _with(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _toggle_url(request, facet, value) -> str:
    params = request.GET.copy()
    values = params.getlist(facet)
    if value in values:
        values = [v for v in values if v != value]
    else:
        values = values + [value]
    params.setlist(facet, values)
    params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
