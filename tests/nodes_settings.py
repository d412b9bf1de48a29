"""The archive's settings (config/settings.py) with one page more, for tests/test_nodes.py: a key
of the default cache read and written over HTTP (tests/nodes_urls.py), so that a test can ask two
running app nodes what their cache holds."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.nodes_urls"
