#!/usr/bin/env bash
# Brings the archive's database up to date before it is served, the one place these steps are
# written: `make run` runs it from scripts/serve.sh (after collecting the static files), `make dev`
# through `make serve-setup`. It migrates, loads the corpus (keeping what exists and what editors
# changed, so running it again is fast and safe) and rebuilds the search index only when it is stale.
#
#   PY (.venv/bin/python): the Python that runs manage.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

"$PY" manage.py migrate --noinput
"$PY" manage.py load_corpus
"$PY" manage.py rebuild_index --if-stale
