#!/usr/bin/env bash
# The same site on PostgreSQL and Redis: migrate, seed, one qcluster and gunicorn (2 workers).
set -euo pipefail
PY=.venv/bin/python
PORT=${PORT:-8000}
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py seed_demo
$PY manage.py qcluster &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT
echo "Serving on http://127.0.0.1:$PORT/ with DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL"
.venv/bin/gunicorn portal.wsgi --bind 127.0.0.1:$PORT --workers ${WEB_WORKERS:-2} --access-logfile -
