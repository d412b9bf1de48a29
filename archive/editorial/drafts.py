"""The drafts waiting for an editor: what the admin's home page lists under 待审草稿."""

from archive.models import Article

PANEL_SIZE = 15


def drafts_for_review(limit: int = PANEL_SIZE) -> tuple[list[Article], int]:
    """The newest drafts (imported or written by hand) with their raw file and possible duplicate,
    and how many drafts there are in all."""
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    rows = drafts.select_related("raw_document", "duplicate_of").order_by("-created_at", "-pk")[:limit]
    return list(rows), drafts.count()
