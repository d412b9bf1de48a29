#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when a server answers at TEST_POSTGRES_URL.
# Writes the backends that ran to .test-backends; with CI=true a missing PostgreSQL is a failure.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
ran=()
failed=0
: > .test-backends

echo "=== Test suite on SQLite ==="
if env -u DATABASE_URL "$PY" -m pytest "$@"; then ran+=(sqlite); echo sqlite >> .test-backends; else failed=1; fi

if "$PY" scripts/postgres_answers.py "$TEST_POSTGRES_URL"; then
  echo "=== Test suite on PostgreSQL ($TEST_POSTGRES_URL) ==="
  if DATABASE_URL="$TEST_POSTGRES_URL" "$PY" -m pytest "$@"; then ran+=(postgresql); echo postgresql >> .test-backends; else failed=1; fi
else
  echo "!!! PostgreSQL: NOT RUN — no server answered at $TEST_POSTGRES_URL (set TEST_POSTGRES_URL to test it)."
  if [ "${CI:-}" = "true" ]; then echo "!!! CI=true expects PostgreSQL: failing."; failed=1; fi
fi

echo "=== Backends that passed: ${ran[*]:-none} ==="
exit $failed
