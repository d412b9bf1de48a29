"""The catalogs in the admin: initiatives (with aliases), departments (as a tree), people, sources,
series, and the search's synonym groups."""

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.utils.html import format_html, format_html_join

from archive import services
from archive.editorial.admin import search as admin_search
from archive.editorial.admin.common import TEXT, admin_url
from archive.editorial.admin.desk import DeskFormMixin
from archive.editorial.admin.history import HistoryAdminMixin
from archive.editorial.forms import (
    DepartmentAdminForm,
    InitiativeAdminForm,
    PersonAdminForm,
    SeriesAdminForm,
    SourceAdminForm,
    SynonymAdminForm,
)
from archive.models import (
    Department,
    Initiative,
    Person,
    Series,
    Source,
    Synonym,
)
from archive.text import folded

# The delete page of an initiative lists its links to lead departments, which Django names in
# English ("Initiative_lead_departments object (104)") since the link model is made for the field.
_lead_link = Initiative.lead_departments.through
_lead_link._meta.verbose_name = _lead_link._meta.verbose_name_plural = "牵头单位"
_lead_link.__str__ = lambda link: str(link.department)


@admin.register(Initiative)
class InitiativeAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
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
class DepartmentAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
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
class PersonAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
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
class SourceAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
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
class SeriesAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
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


@admin.register(Synonym)
class SynonymAdmin(HistoryAdminMixin, DeskFormMixin, admin.ModelAdmin):
    """Groups of terms that a search treats as one (search.synonyms). A save takes effect in the
    readers' searches at once: the search signals log it as a catalog change."""

    formfield_overrides = TEXT
    form = SynonymAdminForm
    list_display = ["term_list", "note_start"]
    search_fields = ["slug"]
    search_help_text = "按其中任何一个词查找（引号、空格不论）"
    fields = ["terms", "note", "slug"]

    def get_search_results(self, request, queryset, search_term):
        wanted = folded(search_term)
        if not wanted:
            return queryset, False
        ids = [s.pk for s in Synonym.objects.all() if any(wanted in folded(t) for t in s.terms)]
        return queryset.filter(pk__in=ids), False

    @admin.display(description="词语")
    def term_list(self, obj):
        return "、".join(obj.terms)

    @admin.display(description="出处说明")
    def note_start(self, obj):
        return obj.note if len(obj.note) <= 40 else obj.note[:40] + "……"
