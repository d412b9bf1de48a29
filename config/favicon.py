"""/favicon.ico: browsers ask for it at the site's root whatever the page links, so it answers
with the icon in static/ (static/favicon.svg is the one the pages link) instead of a 404."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=60 * 60 * 24 * 7)
def favicon(request):
    path = finders.find("favicon.ico")
    if not path:
        raise Http404("没有网站图标")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
