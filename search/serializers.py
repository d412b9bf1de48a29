"""Results as the JSON the API and the search command share (the contract in the search issue)."""

from archive.querystring import querystring
from search.engine import SearchResults
from search.live import FACETS
from search.suggest import offered


def hit_url(url: str, results: SearchResults) -> str:
    """A section URL that carries the searched terms, so the article page can mark them."""
    if not results.terms:
        return url
    path, _, anchor = url.partition("#")
    return path + querystring(hl=" ".join(results.terms)) + (f"#{anchor}" if anchor else "")


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
                    "date_inferred": hit.article.date_inferred,
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
        # What was searched besides the terms as typed (search.synonyms): other forms of a term's
        # group, or the simplified form of a traditional one; literal_query searches the term as typed.
        "expansions": [expansion.as_dict() for expansion in results.expansions],
        # 您是不是要找: searches with a term corrected to a catalog name, when nothing has it as typed.
        "did_you_mean": offered(results),
        # What the page says above the results: a date or facet value ignored, a query cut short…
        "notices": list(results.notices),
    }


def dumps(data, indent=None) -> str:
    """JSON with <, > and & written as \\u escapes: the same values when decoded, and nothing that
    a browser could read as markup if the JSON is ever shown as HTML."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
