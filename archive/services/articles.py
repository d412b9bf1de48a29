"""Editing an article as a whole: optimistic locking and publishing."""

from django.db import transaction

from archive.history import revisions
from archive.models import Article
from archive.services.errors import EditConflict, EditorialError


def article_lock(*, article_id: int, expected_version: int | None = None) -> Article:
    """The article, locked for the rest of the transaction (PostgreSQL: SELECT … FOR UPDATE;
    SQLite takes its write lock when the transaction starts). Raises EditConflict when the
    article's version is no longer expected_version."""
    article = Article.objects.select_for_update().get(pk=article_id)
    if expected_version is not None and article.version != expected_version:
        raise EditConflict(article, expected_version)
    return article


def article_touch(*, article: Article) -> Article:
    """Raise the article's version (its history records the change)."""
    article.version += 1
    article.save(update_fields=["version", "updated_at"])
    return article


def check_can_publish(user):
    """Publishing is checked here, not only in the admin, so that a command or a shell call
    cannot publish without an editor who holds the permission."""
    if user is None or not user.has_perm("archive.publish_article"):
        who = "未指明操作人" if user is None else f"账号 {user.get_username()} 没有发布权限"
        raise EditorialError(f"发布或撤下报道须由有发布权限的编辑操作（{who}）。")


def article_set_status(*, article: Article, status: str, user, expected_version: int | None = None) -> Article:
    """Publish or unpublish one article, as `user`, who must hold the publish permission. A
    published article must have a title and a section; drafts are never shown on the public
    site or found by search (the index drops them)."""
    if status not in Article.Status.values:
        raise EditorialError(f"未知状态：{status}")
    check_can_publish(user)
    reason = "发布" if status == Article.Status.PUBLISHED else "撤下"
    with transaction.atomic(), revisions.revision(user=user, reason=reason):
        locked = article_lock(article_id=article.pk, expected_version=expected_version)
        if locked.status == status:
            return locked
        if status == Article.Status.PUBLISHED:
            if not locked.title.strip():
                raise EditorialError(f"《{locked}》没有标题，不能发布。")
            if not locked.sections.exists():
                raise EditorialError(f"《{locked}》还没有正文段落，不能发布。")
        locked.status = status
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        return locked


def articles_set_status(*, articles, status: str, user) -> tuple[int, list[str]]:
    """Publish or unpublish several articles, all or none; returns (changed, problems). When any
    article cannot take the status nothing is changed."""
    check_can_publish(user)
    with transaction.atomic(), revisions.revision(user=user, reason="批量" + ("发布" if status == Article.Status.PUBLISHED else "撤下")):
        changed, problems = 0, []
        for article in articles:
            if article.status == status:
                continue
            try:
                article_set_status(article=article, status=status, user=user)
                changed += 1
            except EditorialError as exc:
                problems.append(str(exc))
        if problems:
            transaction.set_rollback(True)
            return 0, problems
        return changed, []
