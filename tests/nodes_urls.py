"""The archive's URLs and /_test/cache/<key>: GET answers what the node's default cache holds under
the key (JSON), POST value=… stores it. Served only under tests/nodes_settings.py."""

import os

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def cache_key(request, key):
    if request.method == "POST":
        cache.set(key, request.POST["value"], 60)
    return JsonResponse({"key": key, "value": cache.get(key), "node": os.environ.get("NODE_NAME", ""), "pid": os.getpid()})


urlpatterns = [
    path("_test/cache/<slug:key>", cache_key),
    path("", include("config.urls")),
]
