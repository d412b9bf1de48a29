"""The WSGI app the load test serves: the project's own (config.wsgi, loaded with the DEBUG=1
that local settings need), then DEBUG turned off as in production, so that Django does not log
every query (with DEBUG on it keeps each query's SQL, and on SQLite it quotes every parameter
again with extra queries to do so: a large share of a search's time at 100k sections)."""

from django.conf import settings

from config.wsgi import application  # noqa: F401  (gunicorn serves bench.wsgi:application)

settings.DEBUG = False
