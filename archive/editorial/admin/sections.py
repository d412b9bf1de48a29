"""Sections in the admin: editing one, and the editorial actions split, merge and move."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from archive import services
from archive.editorial.admin import search as admin_search
from archive.editorial.admin.common import SEARCH_HELP, TEXT, admin_url, mention_list
from archive.editorial.admin.desk import DeskFormMixin
from archive.editorial.forms import (
    MoveForm,
    SectionAdminForm,
    SplitForm,
)
from archive.models import (
    Section,
)


@admin.register(Section)
class SectionAdmin(DeskFormMixin, admin.ModelAdmin):
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
