"""Articles in the admin: the change form with its sections, bylines, departments and captions,
publishing, the reader's preview of a draft, and importing raw files."""

import re
import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import get_valid_filename

from archive import services
from archive.editorial.admin import search as admin_search
from archive.editorial.admin.common import SEARCH_HELP, TEXT, DepartmentFilter, YearFilter, admin_url, mention_list
from archive.editorial.admin.desk import DeskFormMixin
from archive.editorial.admin.history import HistoryAdminMixin
from archive.editorial.forms import (
    ArticleAdminForm,
    SectionInlineForm,
    SectionInlineFormSet,
    UploadForm,
)
from archive.ingest import formats, writer
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Section,
)
from archive.reading.selectors.articles import with_page_relations


class AuthorshipInline(admin.TabularInline):
    formfield_overrides = TEXT
    model = Authorship
    extra = 0
    autocomplete_fields = ["person"]
    ordering = ["order"]


class ArticleDepartmentInline(admin.TabularInline):
    formfield_overrides = TEXT
    model = ArticleDepartment
    extra = 0
    autocomplete_fields = ["department"]


class SectionInline(admin.StackedInline):
    formfield_overrides = TEXT
    model = Section
    form = SectionInlineForm
    formset = SectionInlineFormSet
    extra = 0
    ordering = ["order"]
    fields = ["order", "heading", "body", "anchor", "initiatives", "tools"]
    readonly_fields = ["anchor", "initiatives", "tools"]
    classes = ["sections-inline"]

    @admin.display(description="关联的改革举措")
    def initiatives(self, obj):
        if not obj.pk:
            return "保存后自动关联"
        return mention_list(obj.mentions.select_related("initiative").order_by("-count", "initiative__name"))

    @admin.display(description="编辑操作")
    def tools(self, obj):
        if not obj.pk:
            return "—"
        links = [
            (admin_url(obj, "split"), "拆分…"),
            (reverse("admin:archive_section_merge") + f"?ids={obj.pk}&next=1", "与下一节合并…"),
            (admin_url(obj, "move"), "移到其他报道…"),
            (obj.get_absolute_url() if obj.article.is_published else admin_url(obj.article, "preview") + f"#{obj.anchor}", "在页面上查看"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


class CaptionInline(admin.TabularInline):
    formfield_overrides = TEXT
    model = Caption
    extra = 0
    ordering = ["order"]


@admin.register(Article)
class ArticleAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = ArticleAdminForm
    change_form_template = "admin/archive/article/change_form.html"
    title_marks = ("《", "》")
    change_list_template = "admin/archive/article/change_list.html"
    list_display = ["title", "status_badge", "display_date", "kind", "section_count", "source", "series", "updated"]
    list_display_links = ["title"]
    list_filter = ["status", ("departments", DepartmentFilter), "kind", YearFilter, "source", "series"]
    search_fields = ["title"]  # the box is there; get_search_results does the searching
    search_help_text = SEARCH_HELP
    autocomplete_fields = ["source", "series"]
    readonly_fields = ["status", "version", "created_at", "updated_at", "raw_document_link"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "kind", "status", ("date", "date_precision", "date_inferred"), "doc_number"]}),
        ("出处", {"fields": [("source", "series", "series_order"), "slug"]}),
        ("编校说明", {"fields": ["editorial_note"]}),
        ("记录", {"classes": ["collapse"], "fields": ["raw_document_link", ("created_at", "updated_at", "version"), "loaded_version"]}),
    ]
    inlines = [AuthorshipInline, ArticleDepartmentInline, SectionInline, CaptionInline]
    actions = ["publish_selected", "unpublish_selected", "relink_selected"]
    list_per_page = 50
    save_on_top = True

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("source", "series")
        return queryset.annotate(n_sections=Count("sections", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        ids = admin_search.matching_article_ids(search_term, queryset)
        if ids is None:
            return queryset, False
        return queryset.filter(pk__in=ids), False

    def get_view_on_site_url(self, obj=None):
        if obj is None or obj.pk is None:
            return None
        return obj.get_absolute_url() if obj.is_published else admin_url(obj, "preview")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new article: no record yet, status is draft
            return [fs for fs in fieldsets if fs[0] != "记录"]
        return fieldsets

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="archive_article_import"),
            path("<int:object_id>/preview/", wrap(self.preview_view), name="archive_article_preview"),
        ] + super().get_urls()

    # -- list columns ----------------------------------------------------------------------

    @admin.display(description="日期", ordering="date")
    def display_date(self, obj):
        return obj.display_date

    @admin.display(description="状态", ordering="status")
    def status_badge(self, obj):
        css = "published" if obj.is_published else "draft"
        return format_html('<span class="status-badge status-{}">{}</span>', css, obj.get_status_display())

    @admin.display(description="节数", ordering="n_sections")
    def section_count(self, obj):
        return obj.n_sections

    @admin.display(description="最后修改", ordering="updated_at")
    def updated(self, obj):
        return timezone.localtime(obj.updated_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="原始文件")
    def raw_document_link(self, obj):
        if obj.raw_document_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', admin_url(obj.raw_document), obj.raw_document)

    # -- saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            locked = getattr(form, "locked_article", None)
            obj.version = (locked.version if locked else obj.version) + 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, SectionInlineFormSet):
            formset.park_moving_sections()
        super().save_formset(request, form, formset, change)

    def response_change(self, request, obj):
        for key, status in (("_publish", Article.Status.PUBLISHED), ("_unpublish", Article.Status.DRAFT)):
            if key in request.POST:
                self._set_status(request, obj, status)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _set_status(self, request, obj, status, expected_version=None):
        if not request.user.has_perm("archive.publish_article"):
            self.message_user(request, "你没有发布或撤下报道的权限。", messages.ERROR)
            return False
        try:
            services.article_set_status(article=obj, status=status, user=request.user, expected_version=expected_version)
        except services.EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        if status == Article.Status.PUBLISHED:
            self.message_user(request, format_html("《{}》已发布，读者现在可以看到并检索到它。", obj), messages.SUCCESS)
        else:
            self.message_user(request, format_html("《{}》已撤下为草稿，读者不再看到它。", obj), messages.SUCCESS)
        return True

    # -- actions ---------------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("archive.publish_article"):
            actions.pop("publish_selected", None)
            actions.pop("unpublish_selected", None)
        return actions

    @admin.action(description="发布所选报道", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._bulk_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="撤下所选报道（改为草稿）", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._bulk_status(request, queryset, Article.Status.DRAFT)

    def _bulk_status(self, request, queryset, status):
        if not request.user.has_perm("archive.publish_article"):
            raise PermissionDenied
        changed, problems = services.articles_set_status(articles=list(queryset), status=status, user=request.user)
        if problems:
            self.message_user(request, "没有改动任何报道：" + "；".join(problems), messages.ERROR)
        else:
            label = "发布" if status == Article.Status.PUBLISHED else "撤下"
            self.message_user(request, f"已{label} {changed} 篇报道。", messages.SUCCESS)

    @admin.action(description="重新关联所选报道中的改革举措", permissions=["change"])
    def relink_selected(self, request, queryset):
        total = services.articles_relink(articles=queryset)
        self.message_user(request, f"已重新关联，所选报道共有 {total} 处举措提及。", messages.SUCCESS)

    # -- views -----------------------------------------------------------------------------

    def preview_view(self, request, object_id):
        """A draft as readers will see it once published (never reachable without an account)."""
        article = get_object_or_404(with_page_relations(Article.objects.all()), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        response = TemplateResponse(request, "archive/article_detail.html", {"article": article})
        response.render()
        banner = render_to_string("admin/archive/article/preview_banner.html", {"article": article, "change_url": admin_url(article)})
        response.content = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + banner.encode(), response.content, count=1)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def import_view(self, request):
        """Upload files or a zip; the importer makes draft articles of each document (each all
        or nothing), the same code as the import_reports command."""
        if not (self.has_add_permission(request)):
            raise PermissionDenied
        results, error = None, None
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                with tempfile.TemporaryDirectory(prefix="archive-upload-") as folder:
                    for number, upload in enumerate(form.cleaned_data["file"], 1):
                        name = get_valid_filename(Path(upload.name).name) or f"upload-{number}"
                        with (Path(folder) / name).open("wb") as out:
                            for chunk in upload.chunks():
                                out.write(chunk)
                    try:
                        results = writer.import_upload(
                            path=folder, dry_run=form.cleaned_data["dry_run"], user=request.user, ocr=form.cleaned_data["ocr"]
                        )
                    except Exception as exc:  # noqa: BLE001 — any failure: nothing written, say why
                        error = str(exc) or exc.__class__.__name__
                made = sum(len(r.articles) for r in results or [])
                if made:
                    self.message_user(request, f"已导入 {made} 篇草稿，请逐篇审校后发布。", messages.SUCCESS)
        else:
            form = UploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入原始文件",
            "form": form,
            "results": [{"result": r, "rows": _report_rows(r)} for r in results or []],
            "capabilities": formats.capabilities(),
            "error": error,
            "drafts_url": reverse("admin:archive_article_changelist") + "?status__exact=draft",
        }
        return TemplateResponse(request, "admin/archive/article/import.html", context)


def _report_rows(result) -> list[tuple]:
    """(report, its draft or None, its duplicate or None) for each report of a document: an exact
    repeat has no draft, the others have theirs in order."""
    drafts = iter(result.articles)
    rows = []
    for k, report in enumerate(result.reports):
        repeat = result.duplicates[k] if k < len(result.duplicates) else None
        written = not (result.dry_run or result.already_imported or (repeat is not None and repeat.exact))
        rows.append((report, next(drafts, None) if written else None, repeat))
    return rows
