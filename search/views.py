from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from archive.querystring import querystring
from search import advanced
from search.engine import PAGE_SIZE, SORTS, search
from search.facets import FACET_LABELS, FACETS
from search.serializers import dumps, hit_url, results_json
from search.suggest import did_you_mean, offered, suggestions

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
    if advanced.submitted(request.GET):  # the 高级检索 form: to the search it builds, a shareable URL
        return redirect(advanced.target_url(request.GET))
    results = _run(request)
    expanded = set(request.GET.getlist("more"))
    facet_blocks = []
    for facet in FACETS:
        values = results.facets[facet]
        filter_text = request.GET.get(f"{facet}_filter", "").strip()[:50]
        shown = values if facet in expanded or filter_text else [v for i, v in enumerate(values) if i < FACET_TOP or v["selected"]]
        # New dicts: the facet values belong to a remembered result that other requests share.
        shown = [{**v, "toggle_url": _toggle_url(request, facet, v["value"])} for v in shown]
        long = len(values) > FACET_TOP
        facet_blocks.append(
            {
                "name": facet,
                "label": FACET_LABELS[facet],
                "values": shown,
                "hidden": len(values) - len(shown),
                "filter_text": filter_text,
                "long": long,
                # An expanded 更多 folds back by the same link, without the facet in `more`.
                "collapse_url": querystring(request.GET, more=sorted(expanded - {facet}))
                if long and facet in expanded else "",
            }
        )
    # A facet with nothing to choose says nothing (a search that found nothing has only those).
    facet_blocks = [block for block in facet_blocks if block["values"] or block["filter_text"]]
    # Per-request links beside the shared hits, never written into them.
    hits = [{"hit": hit, "link": hit_url(hit.section.get_absolute_url(), results)} for hit in results.hits]
    # The numbered page links of includes/pagination.html, counted over the results' total.
    paginator = Paginator(range(results.total), PAGE_SIZE)
    page = paginator.page(min(results.page, paginator.num_pages))
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "hits": hits,
            "query": results.q,
            "facet_blocks": facet_blocks,
            "selected_count": sum(len(values) for values in results.selected.values()),
            # On a phone the facets wait behind 筛选; they stay open while the reader works in them.
            "facets_open": bool(expanded) or any(block["filter_text"] for block in facet_blocks),
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "did_you_mean": offered(results),
            "sorts": SORTS,
            "clear_url": querystring(request.GET, **{f: None for f in FACETS}, page=None),
            "advanced": advanced.form(request.GET, results),
        },
    )


def api_search(request):
    return HttpResponse(dumps(results_json(_run(request))), content_type="application/json")


def api_suggest(request):
    q = request.GET.get("q", "")
    found = suggestions(q)
    data = {"query": q, "suggestions": found, "did_you_mean": [] if found else did_you_mean(q)}
    return HttpResponse(dumps(data), content_type="application/json")


def _toggle_url(request, facet, value) -> str:
    """The page with this facet value selected, or no longer selected, from the first page."""
    values = request.GET.getlist(facet)
    values = [v for v in values if v != value] if value in values else values + [value]
    return querystring(request.GET, **{facet: values, "page": None})
