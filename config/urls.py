from django.contrib import admin
from django.urls import include, path

from config.favicon import favicon
from config.health import healthz

admin.site.site_header = "改革报道档案 · 编辑台"
admin.site.site_title = "改革报道档案"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    # For load balancers: database, replica lag, search index (config/health.py).
    path("healthz", healthz, name="healthz"),
    path("", include("search.urls")),
    path("", include("archive.urls")),
]
