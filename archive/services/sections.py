"""Splitting, merging and moving sections; each is one revision and raises the article's version."""

from django.db import transaction
from django.db.models import Max

from archive.history import revisions
from archive.models import (
    Article,
    Section,
    next_anchor,
)
from archive.services.articles import article_lock, article_touch
from archive.services.errors import EditConflict, EditorialError
from archive.text import stored_text


def _shift_down(article_id: int, after_order: int, by: int = 1):
    """Move every section below after_order down by `by`, bottom first so that no two share an
    order at any moment; each move is saved, so the history knows the new order."""
    for section in Section.objects.filter(article_id=article_id, order__gt=after_order).order_by("-order"):
        section.order += by
        section.save(update_fields=["order"])


def section_split(*, section: Section, at: int, heading: str = "", user=None, expected_version: int | None = None) -> Section:
    """Split a section before its paragraph number `at` (1-based; the first paragraph stays):
    the paragraphs from `at` on become a new section right after it, with `heading`.
    Returns the new section."""
    with transaction.atomic(), revisions.revision(user=user, reason="拆分段落"):
        article = article_lock(article_id=section.article_id, expected_version=expected_version)
        section = Section.objects.get(pk=section.pk)
        paragraphs = section.paragraphs
        if not 2 <= at <= len(paragraphs):
            raise EditorialError(f"拆分位置须在第 2 段到第 {len(paragraphs)} 段之间（这一节共 {len(paragraphs)} 段）。")
        heading = stored_text(heading, multiline=False)
        if len(heading) > 300:
            raise EditorialError("小标题不能超过 300 字。")
        section.body = "\n".join(paragraphs[: at - 1])
        section.save(update_fields=["body"])
        _shift_down(article.pk, section.order)
        new = Section.objects.create(
            article=article, order=section.order + 1, heading=heading.strip(), body="\n".join(paragraphs[at - 1 :])
        )
        article_touch(article=article)
        return new


def sections_merge(*, sections, user=None) -> Section:
    """Merge sections of one article into the first of them (in reading order). The headings of
    the others become paragraphs of their own, so no text is lost. Returns the merged section."""
    sections = sorted(sections, key=lambda s: s.order)
    if len(sections) < 2:
        raise EditorialError("请至少选择两节再合并。")
    if len({s.article_id for s in sections}) != 1:
        raise EditorialError("只能合并同一篇报道中的段落。")
    with transaction.atomic(), revisions.revision(user=user, reason="合并段落"):
        article = article_lock(article_id=sections[0].article_id)
        fresh = {s.pk: s for s in Section.objects.filter(pk__in=[s.pk for s in sections])}
        if len(fresh) != len(sections):
            raise EditorialError("所选段落中有的已被删除，请刷新后重试。")
        first, *others = [fresh[s.pk] for s in sections]
        lines = [first.body] if first.body else []
        for other in others:
            if other.heading:
                lines.append(other.heading)
            if other.body:
                lines.append(other.body)
        for other in others:
            other.delete()
        first.body = "\n".join(lines)
        first.save(update_fields=["body"])
        article_touch(article=article)
        return first


def section_move(*, section: Section, to_article: Article, user=None, expected_version: int | None = None) -> Section:
    """Move a section to the end of another article. It keeps its anchor unless the other
    article uses it already."""
    if section.article_id == to_article.pk:
        raise EditorialError("段落已在这篇报道中。")
    with transaction.atomic(), revisions.revision(user=user, reason="移动段落"):
        first_id, second_id = sorted([section.article_id, to_article.pk])
        locked = {first_id: article_lock(article_id=first_id), second_id: article_lock(article_id=second_id)}
        source = locked[section.article_id]
        if expected_version is not None and source.version != expected_version:
            raise EditConflict(source, expected_version)
        target = locked[to_article.pk]
        section = Section.objects.get(pk=section.pk)
        last = Section.objects.filter(article=target).aggregate(m=Max("order"))["m"] or 0
        if Section.objects.filter(article=target, anchor=section.anchor).exists():
            section.anchor = next_anchor(target.pk)
        section.article = target
        section.order = last + 1
        section.save()
        article_touch(article=source)
        article_touch(article=target)
        return section
