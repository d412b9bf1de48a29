"""Query strings for links, by the rule of Django's {% querystring %} tag, for the links that are
built in Python (templates use the tag itself).

Starting from some parameters (the request's, or none), a change of None removes a parameter, a
list sets all of its values and anything else replaces it. The result is "?" and the parameters,
"?" alone when changes removed every parameter there was (an empty href would keep the current
page's parameters), and "" when there never were any.
"""

from django.http import QueryDict


def querystring(params: QueryDict | None = None, **changes) -> str:
    """params (request.GET, say) with the changes applied; params itself is left unchanged."""
    base = QueryDict() if params is None else params
    result = base.copy()
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, (list, tuple)):
            result.setlist(key, list(value))
        else:
            result[key] = value
    encoded = result.urlencode()
    if encoded:
        return f"?{encoded}"
    return "?" if base else ""
