"""Read replicas: which database a query reads from (docs/scaling.md, "Read replicas").

DATABASE_REPLICA_URLS (comma-separated postgres:// URLs of hot standbys) adds the database aliases
replica_1 … replica_n beside `default`, the primary. Without it nothing here does anything: every
query goes to `default` as before (the middleware removes itself, the router answers `default`).

What reads where:
- Every write goes to the primary (a standby cannot take one).
- A public read — a GET or HEAD outside the admin — reads from a healthy replica, chosen per
  request. Every other request (a POST, the admin, whatever its user) reads from the primary, as
  does anything inside a transaction, any query outside a request (management commands, the
  search index's builders) and the sessions and accounts tables (a session just signed in must
  never look missing on a replica: Django would drop the cookie and sign the editor out).
- The search engine (search.engine.search) and its live index (search.live.live_index) read the
  primary, from one connection: the live index is shared by every request of the process, editors'
  and readers' alike, and its raw-SQL backend queries use the primary's connection anyway, so
  the change log, the facts it reloads and the documents it matches all come from one view and
  an editor's save is searchable at once (see `primary_reads`).
- Read-your-writes: after a request that could write (any method but GET/HEAD/OPTIONS/TRACE)
  the primary's WAL position (pg_current_wal_insert_lsn()) goes into a signed cookie. While a
  request carries it, its reads go to a replica only if that replica's pg_last_wal_replay_lsn()
  has passed it, else to the primary; the cookie is dropped once a replica has. So an editor's save never seems to vanish.
- A replica is skipped (reads go to the primary) while it is unreachable, is not a standby, or
  lags more than REPLICA_MAX_LAG_SECONDS (default 10) behind the primary; each skip is logged.
  What a check finds is kept REPLICA_CHECK_SECONDS (default 1) per process, REPLICA_RETRY_SECONDS
  (default 5) for an unreachable one, so a request costs no extra query.
- A replica that fails in the middle of a GET (it went away since the last check) has the request
  served again from the primary, once, instead of a 503 page.

Lag in seconds: 0 when the replica has replayed up to the primary's current WAL position, else an
upper bound of how far behind it is: the smaller of the age of the last transaction it replayed
(now() - pg_last_xact_replay_timestamp()) and the time since this process last saw the primary at
a position the replica has replayed (each check notes the primary's position). After a long idle
spell the first check can overstate it; the replica is then skipped until the next check.
"""

import contextvars
import copy
import logging
import random
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import dj_database_url

logger = logging.getLogger("archive.database.replicas")

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
LSN_COOKIE = "replica_lsn"
LSN_SALT = "config.db_routing.lsn"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# Read from the primary whatever the request: sessions and accounts (see above).
PRIMARY_ONLY_APPS = {"sessions", "auth", "admin"}

# The alias this context (a request's thread) reads from; None: the primary.
_route: contextvars.ContextVar[str | None] = contextvars.ContextVar("database_read_route", default=None)


# ---------------------------------------------------------------------------------------------
# Settings


def replica_databases(default: dict, urls: list[str]) -> dict[str, dict]:
    """The DATABASES entries for the replica URLs: each with the primary's options and timeouts
    (connect/statement timeouts, keepalives, pool), never migrated, and in tests a mirror of the
    primary's test database (a test run has no standby of its own test database)."""
    replicas = {}
    for n, url in enumerate(urls, 1):
        alias = f"{REPLICA_PREFIX}{n}"
        entry = dj_database_url.parse(url, conn_max_age=default.get("CONN_MAX_AGE", 0))
        if entry["ENGINE"] != "django.db.backends.postgresql":
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {url!r} is not a PostgreSQL URL: replicas are "
                                       "PostgreSQL hot standbys of the primary (docs/scaling.md).")
        if default.get("ENGINE") != entry["ENGINE"]:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("DATABASE_REPLICA_URLS is set but DATABASE_URL is not PostgreSQL: replicas "
                                       "are streaming standbys of a PostgreSQL primary.")
        options = copy.deepcopy(default.get("OPTIONS", {}))
        options.update(entry.get("OPTIONS", {}))
        if isinstance(options.get("pool"), dict):
            options["pool"]["name"] = f"{options['pool'].get('name', 'archive')}-{alias}"
        entry["OPTIONS"] = options
        entry["CONN_HEALTH_CHECKS"] = default.get("CONN_HEALTH_CHECKS", False)
        entry["TEST"] = {"MIRROR": PRIMARY}
        replicas[alias] = entry
    return replicas


def _setting(name: str, default):
    from django.conf import settings

    return getattr(settings, name, default)


def replica_aliases() -> list[str]:
    from django.conf import settings

    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


# ---------------------------------------------------------------------------------------------
# Routing


@contextmanager
def reads_from(alias: str | None):
    """Reads inside this block go to `alias` (None: the primary), whatever the request."""
    token = _route.set(alias)
    try:
        yield
    finally:
        _route.reset(token)


def primary_reads():
    """Reads inside this block go to the primary, whatever the request (one consistent view)."""
    return reads_from(PRIMARY)


def current_read_alias() -> str:
    return _route.get() or PRIMARY


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS): reads as the request's route says,
    writes to the primary; replicas are never migrated."""

    def db_for_read(self, model, **hints):
        alias = _route.get()
        if alias is None or alias == PRIMARY:
            return PRIMARY
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        from django.db import connections

        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, whichever copy it was read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db.startswith(REPLICA_PREFIX) else None


# ---------------------------------------------------------------------------------------------
# Replica health


def lsn_value(lsn: str | None) -> int | None:
    """'16/B374D848' → a comparable integer."""
    if not lsn:
        return None
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class ReplicaHealth:
    alias: str
    host: str
    port: int
    reachable: bool = False
    standby: bool = False
    replay_lsn: str | None = None
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    replay_paused: bool = False
    in_use: bool = False
    reason: str = ""  # why it is not in use
    checked_at: float = field(default=0.0, repr=False)  # time.monotonic()

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("checked_at")
        if data["lag_seconds"] is not None:
            data["lag_seconds"] = round(data["lag_seconds"], 3)
        return data


_health: dict[str, ReplicaHealth] = {}
_health_lock = threading.Lock()
_check_locks: dict[str, threading.Lock] = {}
_last_warned: dict[str, float] = {}
WARN_EVERY_SECONDS = 60


# (time.monotonic(), the primary's WAL position) at each check: when a replica has replayed past a
# position, it is at most as far behind as the time since the primary was there.
_primary_positions: deque[tuple[float, int]] = deque(maxlen=512)


def lag_seconds_bound(replay: int, replay_age: float | None, now: float) -> float | None:
    """How far behind in time a replica that replayed up to `replay` can be: the time since the
    primary was last seen at or before that position, and the age of the last transaction the
    replica replayed (the primary was at or before it then), whichever is smaller; None: unknown."""
    bounds = [max(0.0, replay_age)] if replay_age is not None else []
    seen = [t for t, position in list(_primary_positions) if position <= replay]
    if seen:
        bounds.append(max(0.0, now - max(seen)))
    return min(bounds) if bounds else None


def _primary_lsn() -> str | None:
    from django.db import connections

    try:
        with connections[PRIMARY].cursor() as cursor:
            # The insert position: a commit that wrote nothing else is flushed asynchronously,
            # so pg_current_wal_lsn() (the write position) can be short of it for a moment.
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return cursor.fetchone()[0]
    except Exception as exc:  # the primary's own trouble is /healthz's and the 503 page's business
        logger.warning("replica check: primary WAL position unknown: %s", str(exc).strip()[:200])
        return None


def check_replica(alias: str) -> ReplicaHealth:
    """Ask the replica (and the primary) now, on a connection of its own with a short timeout."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES[alias]
    health = ReplicaHealth(alias, db.get("HOST") or "localhost", int(db.get("PORT") or 5432), checked_at=time.monotonic())
    primary_lsn = _primary_lsn()
    if primary_lsn:
        _primary_positions.append((time.monotonic(), lsn_value(primary_lsn)))
    try:
        with psycopg.connect(host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
                             password=db.get("PASSWORD") or None, dbname=db["NAME"], autocommit=True,
                             connect_timeout=int(_setting("REPLICA_CHECK_CONNECT_TIMEOUT", 2))) as conn:
            standby, replay_lsn, replay_age = conn.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8"
            ).fetchone()
            health.reachable, health.standby, health.replay_lsn = True, standby, replay_lsn
            if standby:
                health.replay_paused = conn.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0]
    except Exception as exc:
        health.reason = f"unreachable: {str(exc).strip()[:200]}"
        return health
    if not health.standby:
        health.reason = "not a standby (pg_is_in_recovery() is false): not used, it may have been promoted"
        return health
    if primary_lsn and replay_lsn:
        health.lag_bytes = max(0, lsn_value(primary_lsn) - lsn_value(replay_lsn))
    if health.lag_bytes == 0:
        health.lag_seconds = 0.0
    elif replay_lsn:
        health.lag_seconds = lag_seconds_bound(lsn_value(replay_lsn), replay_age, time.monotonic())
    max_lag = float(_setting("REPLICA_MAX_LAG_SECONDS", 10))
    if health.lag_seconds is None:
        health.reason = "lag unknown (nothing replayed yet, or the primary's position unknown)"
    elif health.lag_seconds > max_lag:
        health.reason = f"lags {health.lag_seconds:.1f} s behind the primary (bound {max_lag:g} s)"
    else:
        health.in_use = True
    return health


def replica_health(alias: str, fresh: bool = False) -> ReplicaHealth:
    """The replica's state as last checked, checked again when older than the check interval.
    One thread of the process checks; the others meanwhile use the previous answer."""
    with _health_lock:
        cached = _health.get(alias)
        lock = _check_locks.setdefault(alias, threading.Lock())
    if cached is not None and not fresh:
        ttl = float(_setting("REPLICA_CHECK_SECONDS", 1.0) if cached.reachable else _setting("REPLICA_RETRY_SECONDS", 5.0))
        if time.monotonic() - cached.checked_at < ttl:
            return cached
    if not lock.acquire(blocking=cached is None or fresh):
        return cached
    try:
        health = check_replica(alias)
        with _health_lock:
            _health[alias] = health
    finally:
        lock.release()
    if not health.in_use:
        # when it stops being used, then at most once a minute while it stays out (per process)
        now = time.monotonic()
        if cached is None or cached.in_use or now - _last_warned.get(alias, 0.0) >= WARN_EVERY_SECONDS:
            _last_warned[alias] = now
            logger.warning("replica %s (%s:%s) skipped, reads go to the primary: %s", alias, health.host, health.port,
                           health.reason)
    elif cached is not None and not cached.in_use:
        logger.warning("replica %s (%s:%s) back in use (lag %.1f s)", alias, health.host, health.port,
                       health.lag_seconds or 0.0)
    return health


def mark_failed(alias: str, exc: BaseException) -> None:
    """A query on the replica failed on a lost connection: skip it until the next retry."""
    with _health_lock:
        old = _health.get(alias)
        host, port = (old.host, old.port) if old else ("?", 0)
        _health[alias] = ReplicaHealth(alias, host, port, reason=f"failed during a request: {str(exc).strip()[:200]}",
                                       checked_at=time.monotonic())
    logger.warning("replica %s failed during a request, served from the primary instead: %s", alias,
                   str(exc).strip()[:200])


def forget_health() -> None:
    with _health_lock:
        _health.clear()
        _last_warned.clear()


def choose_replica(min_lsn: str | None = None) -> str | None:
    """A replica in use (and, given min_lsn, one that has replayed past it), or None: the primary."""
    candidates = []
    for alias in replica_aliases():
        health = replica_health(alias)
        if not health.in_use:
            continue
        if min_lsn is not None and (lsn_value(health.replay_lsn) or 0) < (lsn_value(min_lsn) or 0):
            continue
        candidates.append(alias)
    return random.choice(candidates) if candidates else None


# ---------------------------------------------------------------------------------------------
# The middleware


def _is_primary_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in _setting("REPLICA_PRIMARY_PATHS", ("/admin/",)))


def pending_lsn(request) -> str | None:
    """The primary's WAL position after this browser's last write, if it is still to be replayed."""
    from django.core import signing

    try:
        return request.get_signed_cookie(LSN_COOKIE, default=None, salt=LSN_SALT,
                                         max_age=int(_setting("REPLICA_READ_YOUR_WRITES_SECONDS", 300)))
    except signing.BadSignature:
        return None


def route_for(request) -> tuple[str, str | None]:
    """(the alias this request reads from, the pending write position it carries)."""
    pending = pending_lsn(request)
    if request.method not in ("GET", "HEAD") or _is_primary_path(request.path_info):
        return PRIMARY, pending
    return choose_replica(min_lsn=pending) or PRIMARY, pending


class ReplicaRoutingMiddleware:
    """Sets the request's read route (see the module's doc); after a write, the read-your-writes
    cookie. Goes below the authentication middleware."""

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not replica_aliases():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        alias, pending = route_for(request)
        request.database_read_alias = alias
        with reads_from(alias):
            response = self.get_response(request)
        if getattr(request, "_replica_retry", False):
            # The replica failed this GET (gone since the last check, or a query cancelled by replay):
            # served again, once, from the primary.
            if request._replica_failure is not None:
                mark_failed(alias, request._replica_failure)
            else:
                logger.warning("replica %s failed a query, served from the primary instead", alias)
            request.database_read_alias = alias = PRIMARY
            request._replica_retry, request._replica_failure = False, None
            with reads_from(PRIMARY):
                response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 500:
            lsn = _primary_lsn()
            if lsn:
                from django.conf import settings

                response.set_signed_cookie(
                    LSN_COOKIE, lsn, salt=LSN_SALT, max_age=int(_setting("REPLICA_READ_YOUR_WRITES_SECONDS", 300)),
                    httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, path="/",
                )
        elif pending and alias != PRIMARY:
            response.delete_cookie(LSN_COOKIE, path="/", samesite="Lax")  # a replica has it now
        return response

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        alias = getattr(request, "database_read_alias", PRIMARY)
        if alias == PRIMARY or request.method not in ("GET", "HEAD"):
            return None
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        from django.db import connections
        from django.http import HttpResponse

        replica = connections[alias]
        if not replica.errors_occurred:
            return None  # not the replica's error (the primary's: the 503 page's business)
        lost = replica.connection is None or bool(getattr(replica.connection, "closed", False))
        replica.close_if_unusable_or_obsolete()
        request._replica_failure = exception if lost else None
        request._replica_retry = True
        return HttpResponse(status=503)  # replaced: the middleware serves the request again from the primary
