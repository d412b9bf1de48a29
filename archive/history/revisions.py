"""Who changed what, when and why: one *revision* per editorial act.

django-simple-history writes one historical row per saved or deleted object. An editorial act
touches several objects (an article save rewrites its sections; a split saves two sections and
shifts others), so every historical row written inside one act carries the same `batch` id, the
same `history_date` (the moment the act wrote its first row) and the act's user and reason. The
history pages list batches, and "the article as of batch B" is, for every object, its newest row
at or before B's date.

An act is opened by `revision(user=..., reason=...)` around a service call; an admin request is
one act by itself (the request is found through simple-history's middleware), and so is a bulk
load (services.bulk_changes). A row written outside all of these is a batch of its own.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


@dataclass
class Revision:
    user: object = None
    reason: str = ""
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)
    date: object = None  # set when the first row is written


_current: ContextVar[Revision | None] = ContextVar("archive_revision", default=None)


@contextmanager
def revision(*, user=None, reason: str = ""):
    """Group every history row written inside into one revision. Nested calls join the outer
    revision (an outer reason wins; an inner one fills a blank)."""
    outer = _current.get() or _request_revision()
    if outer is not None:
        if reason and not outer.reason:
            outer.reason = reason
        if user is not None and getattr(user, "is_authenticated", False) and outer.user is None:
            outer.user = user
        yield outer
        return
    token = _current.set(Revision(user=user if getattr(user, "is_authenticated", False) else None, reason=reason))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def current() -> Revision | None:
    return _current.get() or _request_revision()


def _request_revision() -> Revision | None:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    rev = getattr(request, "_archive_revision", None)
    if rev is None:
        user = getattr(request, "user", None)
        rev = Revision(user=user if getattr(user, "is_authenticated", False) else None)
        request._archive_revision = rev
    return rev


@receiver(pre_create_historical_record, dispatch_uid="archive.stamp_history_row")
def stamp_history_row(sender, history_instance, **kwargs):
    if not hasattr(history_instance, "batch"):
        return  # a history table of another app
    rev = current()
    if rev is None:
        history_instance.batch = uuid.uuid4().hex
    else:
        if rev.date is None:
            rev.date = history_instance.history_date
        history_instance.history_date = rev.date
        history_instance.batch = rev.batch
        if rev.user is not None:
            history_instance.history_user = rev.user
        if rev.reason and not history_instance.history_change_reason:
            history_instance.history_change_reason = rev.reason[:100]
    user = history_instance.history_user
    # The user name is kept as text too: it survives the user's deletion and a backup restored
    # into a database without the accounts.
    history_instance.history_username = user.get_username() if user is not None else ""
