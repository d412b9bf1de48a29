"""Small template helpers for the archive's pages. Links that change the current query string
use Django's own {% querystring %} (archive.querystring follows its rule for links built in
Python)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str):
    """aria-current on the navigation link of the section the page is in (none on a page rendered
    without a request, such as the 500 page)."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    hit = path == "/" if prefix == "/" else path.startswith(prefix)
    return "page" if hit else ""
