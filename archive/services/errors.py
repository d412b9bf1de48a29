"""Why an edit was refused: messages in Chinese, for the editor."""

from django.utils import timezone

from archive.models import (
    Article,
)


class EditorialError(ValueError):
    """An edit that cannot be made as asked; the message says why, in Chinese, for the editor."""


class EditConflict(EditorialError):
    """Someone saved the article after the editor opened it; nothing was written."""

    def __init__(self, article: Article, expected: int):
        self.article, self.expected = article, expected
        last = article.history.order_by("-history_date", "-history_id").first()
        who = (last.history_username or "其他编辑") if last else "其他编辑"
        when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M:%S") if last else ""
        super().__init__(
            f"保存冲突：你打开的是第 {expected} 版，此后 {who} 于 {when} 已保存了第 {article.version} 版。"
            "你的修改没有写入，也没有覆盖对方的修改（你填写的内容仍在下面的表单里）。"
            "请在新窗口打开最新版本，对照“历史”中的改动后再修改。"
        )
