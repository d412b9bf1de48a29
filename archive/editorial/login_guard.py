"""Protecting the admin sign-in against password guessing.

Every failed sign-in is a row (LoginFailure). After MAX_PER_ACCOUNT failures for one account from
one address within WINDOW, that account is locked *for that address* until WINDOW has passed since
the last failure; after MAX_PER_ADDRESS failures from one address (any accounts, e.g. trying many
user names), the whole address is locked. A locked-out sign-in is refused before the password is
checked, so a right guess during the lock-out teaches nothing. A successful sign-in clears the
account's failures from that address; a form without a password checks nothing and counts nothing.

Simultaneous attempts cannot slip past the limit: each attempt is counted *before* its password
is checked, in a transaction in which the attempts from one address take turns (PostgreSQL: an
advisory lock on the address; SQLite: the database's write lock, which every transaction takes at
BEGIN IMMEDIATE, config/settings.py). The row it writes then is the failure if the password is
wrong; the password itself is checked outside the transaction, so nobody waits for a hash.

The counter lives in the database rather than Django's cache: the default cache is per process,
so with several server processes each one would count only its own failures. The address is
REMOTE_ADDR, which config/middleware.py (TrustedProxyMiddleware) sets from X-Forwarded-For only
for requests from TRUSTED_PROXIES; a header a client sends directly is not believed.
A superuser can lift a lock-out early by deleting the rows in the admin (登录失败记录).
"""

import hashlib
from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection, transaction
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


def begin_attempt(username: str, ip: str) -> LoginFailure | None:
    """Count an attempt before its password is checked: its row, or None when the account or the
    address is locked out (nothing is written then)."""
    with transaction.atomic():
        _take_turn(ip)
        if locked_until(username, ip) is not None:
            return None
        return LoginFailure.objects.create(username=account_key(username), ip=ip, at=timezone.now())


def _take_turn(ip: str):
    """Within the caller's transaction, wait for the other attempts from this address to be counted."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.blake2b(f"login:{ip}".encode(), digest_size=8).digest(), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def record_failure(attempt: LoginFailure):
    """The attempt's password was wrong: its row stays, dated now, as a failure."""
    now = timezone.now()
    if not LoginFailure.objects.filter(pk=attempt.pk).update(at=now):
        # A right password from the same address cleared the rows meanwhile: the failure still counts.
        LoginFailure.objects.create(username=attempt.username, ip=attempt.ip, at=now)
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
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # a field is missing (the form says which): no password is checked
        ip = client_ip(self.request)
        attempt = begin_attempt(username, ip)
        if attempt is None:
            until = locked_until(username, ip) or timezone.now()
            minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
            raise ValidationError(self.error_messages["locked_out"], code="locked_out", params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(attempt)
            raise
        record_success(username, ip)
        return cleaned
