"""Settings behave as documented: production refuses to start without what it needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE)"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )


def test_local_defaults_need_no_environment():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "zh-hans", "Asia/Shanghai"]


def test_debug_off_without_secret_key_stops_with_a_clear_message():
    result = load_settings(DEBUG="0", ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "set SECRET_KEY" in result.stderr


def test_debug_off_without_allowed_hosts_stops_with_a_clear_message():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_misspelt_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG='maybe'" in result.stderr


@pytest.mark.django_db
def test_sqlite_connection_runs_in_wal_with_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas apply to the SQLite backend only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    # The test database is in memory, where WAL does not apply; a file database is checked in
    # test_setup.py through a live server.
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
