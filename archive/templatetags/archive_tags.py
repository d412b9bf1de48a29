"""Small template helpers for the archive's pages."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def url_with(context, **changes):
    """The current query string with some parameters changed (None or "" removes one):
    {% url_with page=2 %} keeps the sort, {% url_with sort="oldest" page=None %} starts over."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str):
    """aria-current on the navigation link of the section the page is in."""
    path = context["request"].path
    hit = path == "/" if prefix == "/" else path.startswith(prefix)
    return "page" if hit else ""
