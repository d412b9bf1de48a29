"""Sign-in bookkeeping for the editors' desk (archive/editorial/login_guard.py)."""

from django.db import models


class LoginFailure(models.Model):
    """One failed admin sign-in. Kept in the database, not the per-process cache, so that every
    server process counts the same failures (archive/editorial/login_guard.py)."""

    username = models.CharField("账号", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("来源地址", db_index=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.username} @ {self.ip}"
