"""History pages of the admin, for articles (with their sections) and catalog entries alike:
the list of versions (who, when, what changed), a comparison of any two versions or of a version
with the current state, restoring a version, and bringing back deleted objects."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from archive import services
from archive.history import versions as history
from archive.models import Article

# Versions on one page of the history: a long-edited article has hundreds.
HISTORY_PAGE_SIZE = 50


def default_pair(timeline) -> tuple[str, str]:
    """The two versions compared unless the editor picks others: the last change against the
    version before it; with a single version, that version against the current state."""
    versions = timeline.versions
    if len(versions) > 1:
        return versions[-2].batch, versions[-1].batch
    return (versions[-1].batch if versions else ""), "current"


class HistoryAdminMixin:
    history_template = "admin/archive/history/list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("deleted/", wrap(self.deleted_view), name="%s_%s_deleted" % info),
            path("<path:object_id>/history/compare/", wrap(self.history_compare_view), name="%s_%s_history_compare" % info),
            path("<path:object_id>/history/restore/", wrap(self.history_restore_view), name="%s_%s_history_restore" % info),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "deleted_url": self._url("deleted")}
        return super().changelist_view(request, extra_context)

    # -- helpers ---------------------------------------------------------------------------

    def _url(self, name, *args):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args, current_app=self.admin_site.name)

    def _timeline(self, request, object_id):
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            raise Http404
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        timeline = history.Timeline(self.model, pk)
        if not timeline.versions and not self.model.objects.filter(pk=pk).exists():
            raise Http404("没有这条记录的历史")
        return timeline

    def _title(self, timeline) -> str:
        obj = self.model.objects.filter(pk=timeline.pk).first()
        if obj is not None:
            return str(obj)
        last = timeline.last_existing()
        if last is None:
            return f"#{timeline.pk}"
        values = last.state["object"]
        return values.get("title") or values.get("name") or values.get("filename") or f"#{timeline.pk}"

    def _context(self, request, timeline, **extra):
        obj = self.model.objects.filter(pk=timeline.pk).first()
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "object_id": timeline.pk,
            "title_text": self._title(timeline),
            "change_url": self._url("change", timeline.pk) if obj is not None else None,
            "history_url": self._url("history", timeline.pk),
            "compare_url": self._url("history_compare", timeline.pk),
            "restore_url": self._url("history_restore", timeline.pk),
            "has_change_permission": self.has_change_permission(request, obj),
            "is_article": self.model is Article,
            **extra,
        }

    # -- views -----------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        timeline = self._timeline(request, object_id)
        paginator = Paginator(timeline.newest_first(), HISTORY_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("p"))
        default_old, default_new = default_pair(timeline)
        context = self._context(
            request,
            timeline,
            title=f"历史：{self._title(timeline)}",
            versions=page.object_list,
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            exists=self.model.objects.filter(pk=timeline.pk).exists(),
            default_old=default_old,
            default_new=default_new,
        )
        return TemplateResponse(request, self.history_template, context)

    def history_compare_view(self, request, object_id):
        timeline = self._timeline(request, object_id)
        a, b = request.GET.get("a", ""), request.GET.get("b", "")

        def state(batch):
            if batch == "current":
                return history.live_state(self.model, timeline.pk), "当前"
            try:
                version = timeline.get(batch)
            except KeyError:
                raise Http404("没有这个版本")
            return version.state, f"第 {version.number} 版"

        if not a:
            a, b = default_pair(timeline)
        b = b or "current"
        old, old_label = state(a)
        new, new_label = state(b)
        context = self._context(
            request,
            timeline,
            title=f"比较：{self._title(timeline)}",
            comparison=history.compare(self.model, old, new),
            old_label=old_label,
            new_label=new_label,
            a=a,
            b=b,
            versions=timeline.newest_first(),
        )
        return TemplateResponse(request, "admin/archive/history/compare.html", context)

    def history_restore_view(self, request, object_id):
        timeline = self._timeline(request, object_id)
        exists = self.model.objects.filter(pk=timeline.pk).exists()
        if not self.has_change_permission(request) or (not exists and not self.has_add_permission(request)):
            raise PermissionDenied
        batch = request.POST.get("batch") or request.GET.get("batch") or ""
        version = timeline.get(batch) if batch else timeline.last_existing()
        if version is None:
            raise Http404("没有可恢复的版本")
        if request.method == "POST":
            try:
                if self.model is Article:
                    warnings = services.article_restore(article_id=timeline.pk, batch=version.batch, user=request.user)
                else:
                    warnings = services.record_restore(
                        model=self.model, object_id=timeline.pk, batch=version.batch, user=request.user
                    )
            except services.EditorialError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(self._url("history", timeline.pk))
            for warning in warnings:
                self.message_user(request, warning, messages.WARNING)
            self.message_user(
                request,
                format_html("已恢复到第 {} 版；这次恢复本身也记入了历史，可以再撤回。", version.number),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._url("change", timeline.pk))
        context = self._context(
            request,
            timeline,
            title=f"恢复：{self._title(timeline)}",
            version=version,
            exists=exists,
            comparison=history.compare(self.model, history.live_state(self.model, timeline.pk), version.state),
            old_label="当前",
            new_label=f"第 {version.number} 版（恢复后）",
        )
        return TemplateResponse(request, "admin/archive/history/restore.html", context)

    def deleted_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = history.deleted_objects(self.model)
        items = []
        for row in rows:
            values = row.values
            items.append(
                {
                    "id": row.id,
                    "title": values.get("title") or values.get("name") or values.get("filename") or f"#{row.id}",
                    "date": row.date,
                    "user": row.user,
                    "history_url": self._url("history", row.id),
                    "restore_url": self._url("history_restore", row.id),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"已删除的{self.opts.verbose_name}",
            "items": items,
            "can_restore": self.has_add_permission(request) and self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/archive/history/deleted.html", context)
