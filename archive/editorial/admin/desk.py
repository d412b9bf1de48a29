"""What every change form of the editorial desk shares: a 修改说明 (why the change was made) kept
with the history entry, and save messages that put a title in quotation marks once.

The reason becomes the reason of the request's revision (archive/history/revisions.py): every
history row the save writes — the object's, its sections', a 保存并发布 that follows — carries
it, and the history page shows it beside the version.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe

from archive.editorial.forms import LineField
from archive.history.revisions import revision

REASON_FIELD = "change_reason"
# simple_history keeps the reason in a 100-character column (history_change_reason).
REASON_LENGTH = 100
# A title that brings its own quotation marks at an end (“‘二分法’破题…”) is not quoted again.
OWN_QUOTES = "“”‘’「」『』《》\"'"


def reason_field() -> LineField:
    return LineField(
        label="修改说明",
        required=False,
        max_length=REASON_LENGTH,
        help_text="可不填：一句话说明这次改了什么、为什么改，会记入历史，显示在“历史与恢复”页上。",
    )


class DeskFormMixin:
    """For a ModelAdmin of the archive: the 修改说明 field on its change form (rendered above
    the bottom save row by templates/admin/archive/change_form.html), and its save messages'
    quotation marks (`title_marks`: the article admin quotes titles in 《》)."""

    title_marks = ("“", "”")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # modelform_factory made this class for this request: its fields are its own to extend.
        form.base_fields[REASON_FIELD] = reason_field()
        return form

    def get_fields(self, request, obj=None):
        # The reason has its own place at the bottom of the form, not in the fieldsets.
        return [name for name in super().get_fields(request, obj) if name != REASON_FIELD]

    def save_model(self, request, obj, form, change):
        with revision(user=request.user, reason=form.cleaned_data.get(REASON_FIELD) or ""):
            super().save_model(request, obj, form, change)

    # -- messages --------------------------------------------------------------------------

    def response_add(self, request, obj, post_url_continue=None):
        request._desk_title = str(obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        request._desk_title = str(obj)
        return super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        request._desk_title = str(obj_display)
        return super().response_delete(request, obj_display, obj_id)

    def message_user(self, request, message, *args, **kwargs):
        title = getattr(request, "_desk_title", None)
        if title:
            message = quote_once(message, title, self.title_marks)
        return super().message_user(request, message, *args, **kwargs)


def quote_once(message, title: str, marks: tuple[str, str]):
    """Django's messages put the object in “…” (`成功修改了 报道“{obj}”。`, the object as a link
    or as text). Put it in `marks` instead, and in no marks at all when they are “” and the title
    begins or ends with quotation marks of its own."""
    safe = isinstance(message, SafeData)
    text = str(message)
    inner = (re.escape(escape(title)) if safe else re.escape(title))
    pattern = re.compile("“((?:<a [^<>]*>)?" + inner + "(?:</a>)?)”")
    own = marks == ("“", "”") and (title[:1] in OWN_QUOTES or title[-1:] in OWN_QUOTES)
    opening, closing = ("", "") if own else marks
    text = pattern.sub(lambda m: opening + m.group(1) + closing, text, count=1)
    return mark_safe(text) if safe else text
