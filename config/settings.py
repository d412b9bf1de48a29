"""Settings for the reform-report archive.

Everything that differs between a laptop and production is read from the environment here,
in one place. Local use needs nothing set; production (DEBUG=0) refuses to start without a
SECRET_KEY and ALLOWED_HOSTS, and says which variable to set.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the archive needs a secret key: "
            "set SECRET_KEY in the environment to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, set ALLOWED_HOSTS to the comma-separated "
        "host names the archive is served under, e.g. ALLOWED_HOSTS=archive.example.org."
    )

# The address the site sends from, and the adminEmail OAI-PMH's Identify names when ADMINS is empty.
# The OAI-PMH schema wants a dotted domain: Django's default, webmaster@localhost, is refused.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost.localdomain"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    # Every change to the archive's content is recorded with who and when (docs/editing.md).
    "simple_history",
    "archive",
    "search",
]

MIDDLEWARE = [
    # The client's address from X-Forwarded-For, when the request comes from TRUSTED_PROXIES.
    "config.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A Content-Security-Policy on every response; a 503 page when the database is unreachable.
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Public reads from a read replica, when DATABASE_REPLICA_URLS is set (config/db_routing.py).
    "config.db_routing.ReplicaRoutingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Lets the history records of an admin request name the signed-in editor.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# With persistent connections (CONN_MAX_AGE > 0) a kept connection is checked before it is reused,
# so the first request after a database restart is served instead of failing on a dead socket.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets two test runs share one PostgreSQL server without fighting over test_<name>.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A network partition drops packets without closing anything: with no timeouts a request
    # waits for ever and a few of them hold every server thread. Bounded here, a partition gives
    # the 503 page (config/middleware.py) within seconds (docs/deployment.md). Options given in
    # DATABASE_URL (?connect_timeout=…) win.
    network_timeout = int(os.environ.get("DATABASE_NETWORK_TIMEOUT") or 20)
    statement_timeout = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT") or 30)
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    for key, value in {
        "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT") or 5),
        # An open connection whose peer went silent: keepalive probes while it idles, and
        # tcp_user_timeout for data sent and never acknowledged (Linux).
        "keepalives": 1,
        "keepalives_idle": max(1, network_timeout // 2),
        "keepalives_interval": max(1, network_timeout // 6),
        "keepalives_count": 3,
        "tcp_user_timeout": network_timeout * 1000,
    }.items():
        pg_options.setdefault(key, value)
    if statement_timeout and "statement_timeout" not in pg_options.get("options", ""):
        pg_options["options"] = f"{pg_options.get('options', '')} -c statement_timeout={statement_timeout}s".strip()
    # Connection pooling (psycopg 3's pool, Django's "pool" option): DATABASE_POOL=1, or either size
    # set. Each server process keeps between MIN and MAX open connections and lends one to each
    # request, instead of connecting per request. The pool is itself the persistence, and Django
    # refuses it together with CONN_MAX_AGE, so that is 0 here. Every connection lent is checked
    # first (CONN_HEALTH_CHECKS), and a request that waits longer than the connect timeout for one
    # gets the 503 page, as when the database cannot be reached (docs/scaling.md).
    pool_min = os.environ.get("DATABASE_POOL_MIN_SIZE", "").strip()
    pool_max = os.environ.get("DATABASE_POOL_MAX_SIZE", "").strip()
    if env_bool("DATABASE_POOL", False) or pool_min or pool_max:
        pool_min_size = int(pool_min or 2)
        pg_options["pool"] = {
            "min_size": pool_min_size,
            # gunicorn's threads per process (4 in `make run`): one connection each, never a wait
            "max_size": max(pool_min_size, int(pool_max or 4)),
            "timeout": float(pg_options["connect_timeout"]),
            "max_idle": 300,
            "name": "archive",
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an editor writes; IMMEDIATE takes the write lock at the start
    # of a transaction so that two writers queue on the busy timeout instead of failing with
    # "database is locked" half-way through (Django 5.1+ "transaction_mode" and "init_command").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }

# Read replicas (docs/scaling.md): DATABASE_REPLICA_URLS, comma-separated postgres:// URLs of hot
# standbys of the primary, adds the aliases replica_1…n with the primary's options and timeouts.
# Public reads go to a replica that lags at most REPLICA_MAX_LAG_SECONDS; writes, the admin and an
# editor's pages until a replica has replayed their save go to the primary (config/db_routing.py).
REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
if REPLICA_URLS:
    from config.db_routing import replica_databases

    DATABASES.update(replica_databases(DATABASES["default"], REPLICA_URLS))
    DATABASE_ROUTERS = ["config.db_routing.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS") or 10)
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS") or 1)
REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS") or 5)

# Caches (Django's cache framework). With REDIS_URL (redis://127.0.0.1:6379/0) every app node and
# process shares one Redis; without it, local memory: nothing that must agree between processes or
# nodes is kept in the default cache (docs/scaling.md lists what is kept where). Sessions and the
# sign-in guard live in the database either way, so a reader or editor may land on any node.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Two archives (or a test run) on one Redis keep apart by prefix or database number.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive"),
            "TIMEOUT": 300,
            # A Redis that stops answering costs a request a second, never a hung thread.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "archive"}}
# search.shared: the terms one process asked the search index for, read by every other process,
# on Redis when REDIS_URL is set (bench/shared_cache.py); without Redis each process keeps its own
# (a term's lookup in the node's index takes a millisecond or so: docs/search-performance.md).
if REDIS_URL:
    CACHES["search"] = {
        **CACHES["default"],
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive") + "-search",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
SEARCH_SHARED_CACHE = os.environ.get("SEARCH_SHARED_CACHE", "").strip() or ("search" if REDIS_URL else "")
# The search index that matches and ranks: one tantivy index on each app node's disk, in
# SEARCH_INDEX_DIR / the database's name, built from the database and following its change log
# (search/tantivy_index.py; `rebuild_index --node-index` builds it on a new node).
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR") or BASE_DIR / "var" / "search-index")
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# The admin's strings that Django's own Chinese catalog leaves in English (locale/zh_Hans/).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

# Where jieba keeps its dictionary cache: its default is a per-user temp file, which a
# read-only home or a second user cannot write.
JIEBA_CACHE_DIR = Path(os.environ.get("JIEBA_CACHE_DIR", BASE_DIR / ".cache" / "jieba"))

# The curated corpus and catalogs that load_corpus reads.
FIXTURES_DIR = Path(os.environ.get("ARCHIVE_FIXTURES_DIR", BASE_DIR / "fixtures"))

# Uploaded raw files, kept byte for byte beside their extracted text. Never served publicly: staff
# download them through the admin (archive/editorial/admin/records.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"

# Limits on one import (archive/ingest/formats/base.py): a file's size, a zip's member count.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_FILES = int(os.environ.get("IMPORT_MAX_FILES", "200"))


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    # PLAIN_HTTP=1: served over plain HTTP with no TLS proxy in front (`make run` on an office
    # machine): no redirect to HTTPS, no HSTS, cookies not kept to HTTPS, or no one could sign in.
    PLAIN_HTTP = env_bool("PLAIN_HTTP", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not PLAIN_HTTP)
    # A load balancer's health probe often speaks plain HTTP to the node itself (config/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if PLAIN_HTTP else str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = not PLAIN_HTTP
    SECURE_HSTS_PRELOAD = not PLAIN_HTTP
    SESSION_COOKIE_SECURE = not PLAIN_HTTP
    CSRF_COOKIE_SECURE = not PLAIN_HTTP
    # Behind a reverse proxy that serves the collected files itself, or on a read-only checkout.
    if os.environ.get("STATIC_ROOT"):
        STATIC_ROOT = Path(os.environ["STATIC_ROOT"])
# Only needed when the site is reached under another origin than its host name (e.g. a proxy
# that rewrites Host): comma-separated, with the scheme, e.g. https://archive.example.org.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Addresses of the reverse proxies in front of the archive (e.g. 127.0.0.1, or `unix` for a proxy
# that reaches gunicorn over a unix socket): requests from them are taken to come from the address
# they put in X-Forwarded-For (config/middleware.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Where a sign-in lands when its next= is missing or points off the site (Django's default,
# /accounts/profile/, is not a page here).
LOGIN_REDIRECT_URL = "admin:index"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
