"""Plumbing every request goes through.

TrustedProxyMiddleware: behind a reverse proxy every request arrives from the proxy's address, so
the admin's sign-in lock-out (archive/editorial/login_guard.py, which counts failures per REMOTE_ADDR) would
lock every editor out together after one attacker's failures. When the request comes from one of
TRUSTED_PROXIES, REMOTE_ADDR becomes the client address the proxy appended to X-Forwarded-For
(the right-most entry that is not itself a trusted proxy; anything left of it is what the client
sent, and is not believed). The name `unix` in TRUSTED_PROXIES trusts requests that came over
gunicorn's unix socket (REMOTE_ADDR empty), which only processes allowed to open the socket file
can reach. Either way gunicorn must not listen where others can reach it (docs/deployment.md).

ContentSecurityPolicyMiddleware sends a Content-Security-Policy that allows scripts, styles,
images and fonts from the archive itself only and no inline script, so markup that slipped past
escaping still could not run. Public pages also forbid inline styles; the admin allows them (its
own pages set a few style attributes). See
https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html

DatabaseUnavailableMiddleware turns a lost database (server down, wrong port, file unreadable,
"database is locked" past the busy timeout) into a short 503 page that asks the reader to come
back, instead of a 500 with a trace. A database that can be read but not written (an SQLite file on
a volume remounted read-only, a PostgreSQL standby) serves readers as usual; an editor's save then
gets a 503 page that says the archive is read-only and the change was not saved. The page is rendered without touching the database, and
nothing is cached: the next request opens a new connection, so the site recovers by itself when
the database returns. With DEBUG on, Django's own error page shows instead.
"""

import ipaddress
import logging

from django.conf import settings
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger("archive.database")

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
ADMIN_POLICY = {**POLICY, "style-src": "'self' 'unsafe-inline'"}
RETRY_AFTER_SECONDS = 30
UNIX_SOCKET = "unix"  # in TRUSTED_PROXIES: the proxy reaches gunicorn over a unix socket


def header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = set(getattr(settings, "TRUSTED_PROXIES", []))

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR") or ""
        if peer in self.trusted or (peer == "" and UNIX_SOCKET in self.trusted):
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            while hops and hops[-1] in self.trusted:
                hops.pop()
            if hops and _is_address(hops[-1]):
                request.META["REMOTE_ADDR"] = hops[-1]
        return self.get_response(request)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.public = header(POLICY)
        self.admin = header(ADMIN_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.admin if request.path.startswith("/admin/") else self.public
        return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG:
            return None
        read_only = is_read_only(exception)
        if not (read_only or isinstance(exception, (OperationalError, InterfaceError))):
            return None
        logger.error("database %s, answered 503 for %s %s: %s: %s", "read-only" if read_only else "unavailable",
                     request.method, request.path, type(exception).__name__, str(exception).strip()[:300])
        return unavailable_response(request, read_only=read_only)


def is_read_only(exception: Exception) -> bool:
    """SQLite: "attempt to write a readonly database" (OperationalError); PostgreSQL: "cannot
    execute … in a read-only transaction" (InternalError)."""
    if not isinstance(exception, (OperationalError, InternalError)):
        return False
    message = str(exception).lower()
    return "readonly database" in message or "read-only transaction" in message


def unavailable_response(request, read_only: bool = False) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = "档案目前只读，无法写入。" if read_only else "数据库暂时无法访问，请稍后再试。"
        response = JsonResponse({"error": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        # No request and no context processors: rendering must not reach the database.
        response = HttpResponse(loader.get_template("503.html").render({"read_only": read_only}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
