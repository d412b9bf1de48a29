"""A Redis for the tests that need one (app nodes, the shared term cache): the tests' database
number on the local server (TEST_REDIS_URL), or else a private redis-server on a port of the
caller's. Without either the tests skip, saying why; under CI=true they fail instead."""

import os
import shutil
import subprocess
import time

import pytest

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def unavailable(reason: str, needed_by: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true needs Redis for {needed_by}: {reason}")
    pytest.skip(f"{reason}: {needed_by} skipped")


def redis_for_tests(tmp_path_factory, private_port: int, needed_by: str):
    """Yields a Redis URL (use as the body of a module fixture: `yield from redis_for_tests(…)`)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        unavailable("the redis package is not installed (pip install -e .)", needed_by)
    if redis_answers(TEST_REDIS_URL):
        yield TEST_REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable(f"no Redis answers at {TEST_REDIS_URL} and redis-server is not installed "
                    "(apt-get install redis-server)", needed_by)
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([binary, "--port", str(private_port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{private_port}/0"
    try:
        deadline = time.monotonic() + 10
        while not redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"no Redis answers at {TEST_REDIS_URL} and a private redis-server did not start", needed_by)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
