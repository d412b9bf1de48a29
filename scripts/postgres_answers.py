"""Exit 0 when a PostgreSQL server answers at the URL given, 1 otherwise (with the reason)."""

import sys

import psycopg

url = sys.argv[1]
try:
    with psycopg.connect(url, connect_timeout=3) as conn:
        conn.execute("select 1")
except Exception as exc:  # any failure means: do not run the PostgreSQL pass
    print(f"PostgreSQL at {url} did not answer: {exc}".strip())
    sys.exit(1)
