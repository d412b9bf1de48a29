"""Django's own password check, counted: each check appends a line to the file named by
PASSWORD_CHECK_LOG, so a test can tell how many checks a server process ran (the sign-in race,
tests/test_login_race.py). Used through tests/counted_checks_settings.py, never in production."""

import os

from django.contrib.auth.backends import ModelBackend


class CountingModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None:
            # O_APPEND: lines from several processes and threads never overwrite one another.
            fd = os.open(os.environ["PASSWORD_CHECK_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, f"{username}\n".encode())
            finally:
                os.close(fd)
        return super().authenticate(request, username=username, password=password, **kwargs)
