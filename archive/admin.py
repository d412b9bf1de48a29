from django.contrib import admin

from .models import (
    Article,
    ArticleDepartment,
    Authorship,
    Caption,
    Department,
    Initiative,
    Mention,
    Person,
    RawDocument,
    Section,
    Series,
    Source,
)


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "heading", "body", "anchor"]
    readonly_fields = ["anchor"]


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ["person"]


class ArticleDepartmentInline(admin.TabularInline):
    model = ArticleDepartment
    extra = 0
    autocomplete_fields = ["department"]


class CaptionInline(admin.TabularInline):
    model = Caption
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "display_date", "source", "series", "status"]
    list_filter = ["status", "kind", "source", "series", "departments"]
    search_fields = ["title", "subtitle", "doc_number"]
    prepopulated_fields = {}
    readonly_fields = ["original_text", "created_at", "updated_at"]
    inlines = [AuthorshipInline, ArticleDepartmentInline, SectionInline, CaptionInline]

    @admin.display(description="日期")
    def display_date(self, obj):
        return obj.display_date


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "region", "parent"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "short_name", "slug"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "slug"]
    list_filter = ["category"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["lead_departments"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "department"]
    search_fields = ["name", "position"]


admin.site.register(Source)
admin.site.register(Series)
admin.site.register(RawDocument)
admin.site.register(Mention)
