"""The archive's settings (config/settings.py) with every password check counted
(tests/counted_checks.py)."""

from config.settings import *  # noqa: F403

AUTHENTICATION_BACKENDS = ["tests.counted_checks.CountingModelBackend"]
