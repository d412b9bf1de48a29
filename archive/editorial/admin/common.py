"""What every admin page of the archive shares: links to a record, text fields with LF newlines,
the year and department filters."""

from django.contrib import admin
from django.contrib.admin import widgets
from django.db import models
from django.urls import reverse
from django.utils.html import format_html_join

from archive.editorial.forms import (
    LineField,
    TextField,
)
from archive.models import (
    Article,
)

# Every multi-line text field of every admin form stores LF newlines, whatever the browser sends;
# every text field, one line or many, stores text by archive.text.stored_text (no control
# characters; noncharacters refused with a message). A slug keeps its own form field, whose
# validator refuses anything but its own characters.
TEXT = {
    models.TextField: {"form_class": TextField},
    models.CharField: {"form_class": LineField},
    models.SlugField: {"widget": widgets.AdminTextInputWidget},
}


SEARCH_HELP = "使用档案的中文检索：空格分隔的词须同时出现；\"…\" 精确短语；-词 排除；A OR B 任一。草稿也能查到。"


def admin_url(obj, name="change"):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{name}", args=[obj.pk])


def mention_list(mentions) -> str:
    items = [(admin_url(m.initiative), m.initiative.name, m.count) for m in mentions]
    if not items:
        return "—"
    return format_html_join("、", '<a href="{}">{}</a>×{}', items)


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
