"""Records editors read but do not edit: raw documents, mentions (the linker writes them),
sign-in failures."""

from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from archive.editorial.admin.common import TEXT, admin_url
from archive.models import (
    LoginFailure,
    Mention,
    RawDocument,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = TEXT
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RawDocument)
class RawDocumentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "format", "imported_at", "article_count"]
    list_filter = ["format", "ocr"]
    search_fields = ["filename", "sha256"]
    fields = ["filename", "download", "format", "engine", "ocr", "sha256", "encoding", "imported_at", "drafts", "report", "text"]
    readonly_fields = fields

    def get_urls(self):
        download = path(
            "<int:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="archive_rawdocument_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, object_id):
        """The uploaded file, byte for byte, for staff who may view raw documents (never public)."""
        raw = get_object_or_404(RawDocument, pk=object_id)
        if not self.has_view_permission(request, raw):
            raise PermissionDenied
        if not raw.file:
            raise Http404("这份原始文件导入时没有保存上传的文件。")
        try:
            handle = raw.file.open("rb")
        except FileNotFoundError:
            raise Http404("上传的文件不在存储中（可能未随数据库一起备份）。") from None
        return FileResponse(handle, as_attachment=True, filename=Path(raw.filename).name)

    @admin.display(description="上传的文件")
    def download(self, obj):
        if not obj.file:
            return "—（导入时未保存文件）"
        url = reverse("admin:archive_rawdocument_download", args=[obj.pk])
        return format_html('<a href="{}">下载 {}</a>', url, Path(obj.filename).name)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="报道数", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles

    @admin.display(description="由它产生的报道")
    def drafts(self, obj):
        rows = [(admin_url(a), a.title, a.get_status_display()) for a in obj.articles.order_by("pk")]
        return format_html_join(format_html("<br>"), '<a href="{}">{}</a>（{}）', rows) if rows else "—"


@admin.register(Mention)
class MentionAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "section", "count"]
    list_filter = ["initiative__category"]
    list_select_related = ["initiative", "section__article"]
    search_fields = ["initiative__name"]

    def has_delete_permission(self, request, obj=None):
        # Mentions go with their section (deleting an article or section takes them along); one
        # is never deleted by hand: the linker would write it again.
        return request.user.has_perm("archive.delete_section")

    def get_actions(self, request):
        return {}

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["username", "ip", "at"]
    search_fields = ["username", "ip"]
    actions = ["unlock"]

    @admin.action(description="解除所选记录的锁定（删除记录）", permissions=["delete"])
    def unlock(self, request, queryset):
        pairs = set(queryset.values_list("username", "ip"))
        deleted = 0
        for username, ip in pairs:
            deleted += LoginFailure.objects.filter(username=username, ip=ip).delete()[0]
        self.message_user(request, f"已删除 {deleted} 条失败记录，相关账号可以再次登录。", messages.SUCCESS)
