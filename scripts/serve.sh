#!/usr/bin/env bash
# `make run`: serves the archive as it is meant to be used — DEBUG off, gunicorn, static files
# collected and served by whitenoise — over plain HTTP on this machine (docs/deployment.md for a
# server behind a TLS proxy). Sets up what is missing first (scripts/setup.sh: migrate, corpus,
# search index).
#
#   HOST (127.0.0.1; 0.0.0.0 opens it to the network), PORT (8000),
#   ALLOWED_HOSTS (localhost,127.0.0.1,[::1]; add the name or address others type),
#   WORKERS (the number of cores, 2 to 4), THREADS (4 per worker),
#   SECRET_KEY_FILE (.secret_key: made once, mode 600, never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
KEY_FILE=${SECRET_KEY_FILE:-.secret_key}

if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$KEY_FILE" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$KEY_FILE")
    echo "已生成密钥文件 $KEY_FILE（只有本用户可读；请勿提交或外传）。"
  fi
  SECRET_KEY=$(cat "$KEY_FILE")
fi
export SECRET_KEY DEBUG=0 PLAIN_HTTP=${PLAIN_HTTP:-1}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}

# The static files first: with DEBUG off every page needs their manifest, and the system checks
# that migrate runs refuse to go on without it (archive/checks.py). Then the database, as
# `make serve-setup` does it: scripts/setup.sh.
"$PY" manage.py collectstatic --noinput -v0
PY="$PY" bash scripts/setup.sh

cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
WORKERS=${WORKERS:-$(( cores < 2 ? 2 : (cores > 4 ? 4 : cores) ))}
THREADS=${THREADS:-4}
shown=$HOST
[ "$HOST" = "0.0.0.0" ] && shown=$(hostname -I 2>/dev/null | awk '{print $1}')
echo "档案已启动：http://${shown:-$HOST}:$PORT/ （$WORKERS 个进程 × $THREADS 个线程；按 Ctrl+C 停止）"
exec "$PY" -m gunicorn config.wsgi:application --bind "$HOST:$PORT" \
  --workers "$WORKERS" --threads "$THREADS" --worker-class gthread --timeout 120 --graceful-timeout 10
