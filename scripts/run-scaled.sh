#!/usr/bin/env bash
# The same site on PostgreSQL and Redis: migrate, seed, one qcluster and gunicorn (2 workers).
set -euo pipefail
PY=.venv/bin/python
PORT=${PORT:-8000}
# The site's own database beside the `test` one the test suite uses.
if [[ "$DATABASE_URL" == postgres://*@127.0.0.1:5432/gongkai ]]; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='gongkai'" | grep -q 1 ||
    createdb -h 127.0.0.1 -U postgres gongkai
fi
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py seed_demo
[ -z "${ELASTICSEARCH_URL:-}" ] || $PY manage.py search_index rebuild
$PY manage.py qcluster &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT
echo "Serving on http://127.0.0.1:$PORT/ with DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-}"
.venv/bin/gunicorn portal.wsgi --bind 127.0.0.1:$PORT --workers ${WEB_WORKERS:-2} --access-logfile -
