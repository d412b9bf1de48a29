"""Results as the JSON the API and the search command share (the contract in the search issue)."""

from urllib.parse import urlencode

from search.engine import SearchResults
from search.live import FACETS


def hit_url(url: str, results: SearchResults) -> str:
    """A section URL that carries the searched terms, so the article page can mark them."""
    if not results.terms:
        return url
    path, _, anchor = url.partition("#")
    return f"{path}?{urlencode({'hl': ' '.join(results.terms)})}" + (f"#{anchor}" if anchor else "")


def results_json(results: SearchResults) -> dict:
    live = results.live
    labels = live.labels
    items = []
    for hit in results.hits:
        facts = live.articles.get(hit.article.pk)
        values = facts.values if facts else {}
        items.append(
            {
                "article": {
                    "id": hit.article.pk,
                    "title": hit.article.title,
                    "url": hit.article.get_absolute_url(),
                    "date": hit.article.display_date,
                    "kind": hit.article.get_kind_display(),
                    "departments": sorted(labels["department"][v] for v in values.get("department", ())),
                    "initiatives": sorted(labels["initiative"][v] for v in values.get("initiative", ())),
                },
                "section": {"heading": hit.section.heading, "url": hit_url(hit.section.get_absolute_url(), results)},
                "snippet": str(hit.snippet),
                "score": hit.score,
                "more_sections": hit.more_sections,
            }
        )
    return {
        "query": results.q,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "results": items,
        "facets": {facet: results.facets[facet] for facet in FACETS},
    }


def dumps(data, indent=None) -> str:
    """JSON with <, > and & written as \\u escapes: the same values when decoded, and nothing that
    a browser could read as markup if the JSON is ever shown as HTML."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
