"""Template helpers of the editors' desk (the admin)."""

from django import template

from archive.editorial.drafts import drafts_for_review

register = template.Library()


@register.inclusion_tag("admin/archive/includes/pending_drafts.html", takes_context=True)
def pending_drafts(context):
    user = context["request"].user
    if not user.has_perm("archive.view_article"):
        return {"shown": False}
    drafts, total = drafts_for_review()
    return {"shown": True, "drafts": drafts, "total": total}
