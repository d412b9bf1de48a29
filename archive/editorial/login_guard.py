"""Protecting the admin sign-in against password guessing.

Every failed sign-in is a row (LoginFailure). After MAX_PER_ACCOUNT failures for one account from
one address within WINDOW, that account is locked *for that address* until WINDOW has passed since
the last failure; after MAX_PER_ADDRESS failures from one address (any accounts, e.g. trying many
user names), the whole address is locked. A locked-out sign-in is refused before the password is
checked, so a right guess during the lock-out teaches nothing. A successful sign-in clears the
account's failures from that address.

The counter lives in the database rather than Django's cache: the default cache is per process,
so with several server processes each one would count only its own failures. The address is
REMOTE_ADDR; X-Forwarded-For is not trusted (anyone can send it), so behind a reverse proxy, make
the proxy set REMOTE_ADDR (or lock-outs will be per proxy, which errs on the safe side).
A superuser can lift a lock-out early by deleting the rows in the admin (登录失败记录).
"""

from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from archive.models import LoginFailure

MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") if request is not None else None) or "0.0.0.0"


def account_key(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def locked_until(username: str, ip: str):
    """When the lock-out of this account from this address ends, or None when it is not locked."""
    since = timezone.now() - WINDOW
    recent = LoginFailure.objects.filter(ip=ip, at__gte=since)
    for queryset, limit in ((recent.filter(username=account_key(username)), MAX_PER_ACCOUNT), (recent, MAX_PER_ADDRESS)):
        times = list(queryset.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            return times[0] + WINDOW
    return None


def record_failure(username: str, ip: str):
    now = timezone.now()
    LoginFailure.objects.create(username=account_key(username), ip=ip, at=now)
    # Old rows say nothing any more; dropping them keeps the table small.
    LoginFailure.objects.filter(at__lt=now - 4 * WINDOW).delete()


def record_success(username: str, ip: str):
    LoginFailure.objects.filter(username=account_key(username), ip=ip).delete()


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing locked-out accounts and counting failures."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked_out": "登录失败次数过多，已暂停从此地址登录，请在 %(minutes)s 分钟后再试；如需立即解除，请联系管理员。",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        until = locked_until(username, ip)
        if until is not None:
            minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
            raise ValidationError(self.error_messages["locked_out"], code="locked_out", params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username, ip)
            raise
        record_success(username, ip)
        return cleaned
