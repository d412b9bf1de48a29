"""The editorial desk (docs/editing.md): every model of the archive in the Django admin, in Chinese.

Writes that are more than a form save go through archive/services.py (publishing, splitting,
merging and moving sections, relinking, importing, restoring); history pages are
archive/admin_history.py; forms are archive/admin_forms.py; the search box uses the archive's
own Chinese search (archive/admin_search.py).
"""

import re
import tempfile
from itertools import zip_longest
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import get_valid_filename

from archive import services
from archive.editorial.admin import search as admin_search
from archive.editorial.admin.history import HistoryAdminMixin
from archive.editorial.forms import (
    ArticleAdminForm,
    DepartmentAdminForm,
    InitiativeAdminForm,
    MoveForm,
    PersonAdminForm,
    SectionAdminForm,
    SectionInlineForm,
    SectionInlineFormSet,
    SeriesAdminForm,
    SourceAdminForm,
    SplitForm,
    TextField,
    UploadForm,
)
from archive.editorial.login_guard import GuardedAdminAuthenticationForm
from archive.ingest import writer
from archive.models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Initiative,
    LoginFailure,
    Mention,
    Person,
    RawDocument,
    Section,
    Series,
    Source,
)
from archive.reading.selectors.articles import with_page_relations

admin.site.login_form = GuardedAdminAuthenticationForm
# The article page puts the original text beside the form; the sidebar would squeeze both.
admin.site.enable_nav_sidebar = False

# Every multi-line text field of every admin form stores LF newlines, whatever the browser sends.
TEXT = {models.TextField: {"form_class": TextField}}

SEARCH_HELP = "使用档案的中文检索：空格分隔的词须同时出现；\"…\" 精确短语；-词 排除；A OR B 任一。草稿也能查到。"


def admin_url(obj, name="change"):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{name}", args=[obj.pk])


def mention_list(mentions) -> str:
    items = [(admin_url(m.initiative), m.initiative.name, m.count) for m in mentions]
    if not items:
        return "—"
    return format_html_join("、", '<a href="{}">{}</a>×{}', items)


# ---------------------------------------------------------------------------------------------
# Filters


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in Article.objects.exclude(date=None).values_list("date", flat=True)}, reverse=True)
        return [(str(y), f"{y}年") for y in years] + [("none", "日期不详")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(date=None)
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


class DepartmentFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "相关单位"


# ---------------------------------------------------------------------------------------------
# Articles


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
class ArticleAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = ArticleAdminForm
    change_form_template = "admin/archive/article/change_form.html"
    change_list_template = "admin/archive/article/change_list.html"
    list_display = ["title", "status_badge", "display_date", "kind", "section_count", "source", "series", "updated"]
    list_display_links = ["title"]
    list_filter = ["status", ("departments", DepartmentFilter), "kind", YearFilter, "source", "series"]
    search_fields = ["title"]  # the box is there; get_search_results does the searching
    search_help_text = SEARCH_HELP
    autocomplete_fields = ["source", "series"]
    readonly_fields = ["status", "version", "created_at", "updated_at", "raw_document_link"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "kind", "status", ("date", "date_precision"), "doc_number"]}),
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
        """Upload a raw text file; the importer makes draft articles of it (all or nothing)."""
        if not (self.has_add_permission(request)):
            raise PermissionDenied
        result, error = None, None
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                with tempfile.TemporaryDirectory(prefix="archive-upload-") as folder:
                    target = Path(folder) / (get_valid_filename(Path(upload.name).name) or "upload.txt")
                    with target.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    try:
                        result = writer.import_upload(path=target, dry_run=form.cleaned_data["dry_run"], user=request.user)
                    except Exception as exc:  # noqa: BLE001 — any failure: nothing written, say why
                        error = str(exc) or exc.__class__.__name__
                if result is not None and not result.dry_run and result.articles:
                    self.message_user(
                        request, f"已从 {result.filename} 导入 {len(result.articles)} 篇草稿，请逐篇审校后发布。", messages.SUCCESS
                    )
        else:
            form = UploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入原始文件",
            "form": form,
            "result": result,
            "rows": list(zip_longest(result.reports, result.articles)) if result is not None else [],
            "error": error,
            "drafts_url": reverse("admin:archive_article_changelist") + "?status__exact=draft",
        }
        return TemplateResponse(request, "admin/archive/article/import.html", context)


# ---------------------------------------------------------------------------------------------
# Sections


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    formfield_overrides = TEXT
    form = SectionAdminForm
    list_display = ["__str__", "article_link", "order", "paragraph_count", "initiatives"]
    list_filter = ["article__status", "article__kind"]
    list_select_related = ["article"]
    search_fields = ["heading"]
    search_help_text = SEARCH_HELP
    readonly_fields = ["article_link", "anchor", "initiatives"]
    fields = ["article_link", "order", "heading", "body", "anchor", "initiatives", "loaded_version"]
    actions = ["merge_selected", "relink_selected"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        ids = admin_search.matching_section_ids(search_term, queryset)
        if ids is None:
            return queryset, False
        return queryset.filter(pk__in=ids), False

    def has_add_permission(self, request):
        return False  # sections are added on their article's page

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("merge/", wrap(self.merge_view), name="archive_section_merge"),
            path("<int:object_id>/split/", wrap(self.split_view), name="archive_section_split"),
            path("<int:object_id>/move/", wrap(self.move_view), name="archive_section_move"),
        ] + super().get_urls()

    @admin.display(description="报道", ordering="article__title")
    def article_link(self, obj):
        return format_html('<a href="{}">{}</a>', admin_url(obj.article), obj.article)

    @admin.display(description="段数")
    def paragraph_count(self, obj):
        return len(obj.paragraphs)

    @admin.display(description="关联的改革举措")
    def initiatives(self, obj):
        return mention_list(obj.mentions.select_related("initiative").order_by("-count", "initiative__name"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.article_touch(article=getattr(form, "locked_article", None) or obj.article)

    def delete_model(self, request, obj):
        article = obj.article
        super().delete_model(request, obj)
        services.article_touch(article=article)

    def history_view(self, request, object_id, extra_context=None):
        section = get_object_or_404(Section, pk=object_id)
        return HttpResponseRedirect(admin_url(section.article, "history"))

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_addanother" not in request.POST:
            self.message_user(request, format_html("已保存{}。", obj), messages.SUCCESS)
            return HttpResponseRedirect(admin_url(obj.article))
        return super().response_change(request, obj)

    @admin.action(description="合并所选段落（同一篇报道）", permissions=["change"])
    def merge_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(reverse("admin:archive_section_merge") + f"?ids={ids}")

    @admin.action(description="重新关联所选段落中的改革举措", permissions=["change"])
    def relink_selected(self, request, queryset):
        total = services.sections_relink(sections=queryset)
        self.message_user(request, f"已重新关联，共 {total} 处举措提及。", messages.SUCCESS)

    def _section(self, request, object_id) -> Section:
        section = get_object_or_404(Section.objects.select_related("article"), pk=object_id)
        if not self.has_change_permission(request, section):
            raise PermissionDenied
        return section

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def split_view(self, request, object_id):
        section = self._section(request, object_id)
        if len(section.paragraphs) < 2:
            self.message_user(request, "这一节只有一段，无法拆分。", messages.WARNING)
            return HttpResponseRedirect(admin_url(section.article))
        form = SplitForm(request.POST or None, section=section)
        if request.method == "POST" and form.is_valid():
            try:
                new = services.section_split(
                    section=section,
                    at=form.cleaned_data["at"],
                    heading=form.cleaned_data["heading"],
                    user=request.user,
                    expected_version=form.cleaned_data["loaded_version"],
                )
            except services.EditorialError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, format_html("已拆分：新的一节是{}。", new), messages.SUCCESS)
                return HttpResponseRedirect(admin_url(section.article))
        paragraphs = list(enumerate(section.paragraphs, 1))
        return TemplateResponse(
            request,
            "admin/archive/section/split.html",
            self._context(request, title=f"拆分：{section}", section=section, form=form, paragraphs=paragraphs),
        )

    def move_view(self, request, object_id):
        section = self._section(request, object_id)
        form = MoveForm(request.POST or None, section=section)
        if request.method == "POST" and form.is_valid():
            try:
                moved = services.section_move(
                    section=section,
                    to_article=form.cleaned_data["to_article"],
                    user=request.user,
                    expected_version=form.cleaned_data["loaded_version"],
                )
            except services.EditorialError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, format_html("已把{}移到《{}》的最后。", moved, moved.article), messages.SUCCESS)
                return HttpResponseRedirect(admin_url(moved.article))
        return TemplateResponse(
            request,
            "admin/archive/section/move.html",
            self._context(request, title=f"移动：{section}", section=section, form=form),
        )

    def merge_view(self, request):
        """Confirm, then merge. ?ids=1,2,3 names the sections; &next=1 with one id means "this
        one and the section after it"."""
        raw = request.POST.get("ids") or request.GET.get("ids") or ""
        ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        sections = list(Section.objects.filter(pk__in=ids).select_related("article").order_by("article_id", "order"))
        if len(sections) == 1 and request.GET.get("next"):
            following = Section.objects.filter(article_id=sections[0].article_id, order__gt=sections[0].order).order_by("order").first()
            if following is None:
                self.message_user(request, "这已是最后一节，后面没有可合并的段落。", messages.WARNING)
                return HttpResponseRedirect(admin_url(sections[0].article))
            sections.append(following)
        if not sections:
            raise Http404("没有选择段落")
        for section in sections:
            if not self.has_change_permission(request, section) or not self.has_delete_permission(request, section):
                raise PermissionDenied
        error = None
        if len({s.article_id for s in sections}) != 1:
            error = "只能合并同一篇报道中的段落。"
        elif len(sections) < 2:
            error = "请至少选择两节再合并。"
        if request.method == "POST" and error is None:
            try:
                merged = services.sections_merge(sections=sections, user=request.user)
            except services.EditorialError as exc:
                error = str(exc)
            else:
                self.message_user(request, format_html("已合并为{}。", merged), messages.SUCCESS)
                return HttpResponseRedirect(admin_url(merged.article))
        lines = []
        for i, section in enumerate(sections):
            if i and section.heading:
                lines.append(section.heading)
            if section.body:
                lines.append(section.body)
        return TemplateResponse(
            request,
            "admin/archive/section/merge.html",
            self._context(
                request,
                title="合并段落",
                sections=sections,
                ids=",".join(str(s.pk) for s in sections),
                merged_body="\n".join(lines),
                error=error,
            ),
        )


# ---------------------------------------------------------------------------------------------
# Catalogs


@admin.register(Initiative)
class InitiativeAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = InitiativeAdminForm
    list_display = ["name", "category", "alias_list", "mention_total", "report_count"]
    list_filter = ["category"]
    search_fields = ["name"]
    search_help_text = "按名称或别名查找（引号、空格不论）"
    autocomplete_fields = ["lead_departments"]
    readonly_fields = ["mentions_here"]
    fields = ["name", "aliases", "category", "summary", "lead_departments", "slug", "mentions_here"]
    actions = ["relink_all"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_mentions=Sum("mentions__count"),
                n_reports=Count("mentions__section__article", distinct=True),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=admin_search.matching_names(search_term, Initiative.objects.all())), False

    @admin.display(description="别名")
    def alias_list(self, obj):
        return "、".join(obj.aliases) or "—"

    @admin.display(description="提及次数", ordering="n_mentions")
    def mention_total(self, obj):
        return obj.n_mentions or 0

    @admin.display(description="报道数", ordering="n_reports")
    def report_count(self, obj):
        return obj.n_reports

    @admin.display(description="提及它的段落")
    def mentions_here(self, obj):
        if not obj.pk:
            return "—"
        mentions = obj.mentions.select_related("section__article").order_by("-section__article__date", "section__order")
        rows = [
            (admin_url(m.section.article), m.section.article.title, m.section.heading or "导语", m.count,
             "" if m.section.article.is_published else "（草稿）")
            for m in mentions
        ]
        if not rows:
            return "尚无段落提及"
        return format_html(
            '<ul class="mention-list">{}</ul>',
            format_html_join("", '<li><a href="{}">{}</a> · {} ×{}{}</li>', rows),
        )

    @admin.action(description="重新关联全部段落（名称或别名改动后）", permissions=["change"])
    def relink_all(self, request, queryset):
        total = services.sections_relink()
        self.message_user(request, f"已重新关联全部段落，共 {total} 处举措提及。", messages.SUCCESS)


class ChildDepartmentInline(admin.TabularInline):
    formfield_overrides = TEXT
    model = Department
    fk_name = "parent"
    fields = ["name", "short_name", "kind"]
    readonly_fields = ["name", "short_name", "kind"]
    extra = 0
    can_delete = False
    verbose_name = "下级单位"
    verbose_name_plural = "下级单位"
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


def department_tree() -> list[tuple[Department, int]]:
    """Departments in tree order (each followed by its children), with their depth."""
    departments = list(Department.objects.all())
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    out, seen = [], set()

    def walk(parent_id, depth):
        for d in sorted(children.get(parent_id, []), key=lambda d: (d.region, d.kind, d.name)):
            if d.pk in seen:
                continue
            seen.add(d.pk)
            out.append((d, depth))
            walk(d.pk, depth + 1)

    walk(None, 0)
    out += [(d, 0) for d in departments if d.pk not in seen]  # a cycle, should the data hold one
    return out


@admin.register(Department)
class DepartmentAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = DepartmentAdminForm
    list_display = ["tree_name", "short_name", "kind", "region", "alias_list", "article_count"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    search_help_text = "按名称、简称或别名查找"
    autocomplete_fields = ["parent"]
    fields = ["name", "short_name", "aliases", "kind", "region", "parent", "summary", "slug"]
    inlines = [ChildDepartmentInline]
    list_per_page = 200

    def get_queryset(self, request):
        from django.db.models import Case, IntegerField, Value, When

        if not self._is_changelist(request):
            return super().get_queryset(request).annotate(n_articles=Count("articles", distinct=True))
        qs = self.model._default_manager.get_queryset().annotate(n_articles=Count("articles", distinct=True))
        tree = department_tree()
        position = Case(*[When(pk=d.pk, then=Value(i)) for i, (d, _) in enumerate(tree)], output_field=IntegerField())
        depth = Case(*[When(pk=d.pk, then=Value(n)) for d, n in tree if n], default=Value(0), output_field=IntegerField())
        return qs.annotate(tree_position=position, tree_depth=depth).order_by("tree_position")

    def get_ordering(self, request):
        return ["tree_position"] if self._is_changelist(request) else super().get_ordering(request)

    @staticmethod
    def _is_changelist(request) -> bool:
        match = getattr(request, "resolver_match", None)
        return bool(match and match.url_name == "archive_department_changelist")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=admin_search.matching_names(search_term, Department.objects.all())), False

    @admin.display(description="名称（按上下级排列）", ordering="tree_position")
    def tree_name(self, obj):
        depth = getattr(obj, "tree_depth", 0)
        prefix = "\u3000" * (depth - 1) + "└ " if depth else ""
        return format_html("{}{}", prefix, obj.name)

    @admin.display(description="别名")
    def alias_list(self, obj):
        return "、".join(obj.aliases) or "—"

    @admin.display(description="报道数", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Person)
class PersonAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = PersonAdminForm
    list_display = ["name", "position", "department", "article_count"]
    search_fields = ["name", "position", "slug"]
    autocomplete_fields = ["department"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department").annotate(n_articles=Count("articles", distinct=True))

    @admin.display(description="报道数", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Source)
class SourceAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = SourceAdminForm
    list_display = ["name", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="报道数", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


@admin.register(Series)
class SeriesAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = TEXT
    form = SeriesAdminForm
    list_display = ["name", "source", "article_count"]
    list_filter = ["source"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source").annotate(n_articles=Count("articles"))

    @admin.display(description="报道数", ordering="n_articles")
    def article_count(self, obj):
        return obj.n_articles


# ---------------------------------------------------------------------------------------------
# Read-only records


class ReadOnlyAdmin(admin.ModelAdmin):
    formfield_overrides = TEXT
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RawDocument)
class RawDocumentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "encoding", "imported_at", "article_count"]
    search_fields = ["filename", "sha256"]
    fields = ["filename", "sha256", "encoding", "imported_at", "drafts", "report", "text"]
    readonly_fields = fields

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
