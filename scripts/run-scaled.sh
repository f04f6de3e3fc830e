#!/usr/bin/env bash
# The same site on PostgreSQL and Redis: migrate, seed, one qcluster and gunicorn (2 workers,
# settings in gunicorn.conf.py: preload and warm-up in the master) behind nginx.
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
# nginx (scripts/services.sh start nginx) in front: Wagtail purges its cache on publish, and
# media leave the app through X-Accel-Redirect once the app has checked them.
export FRONTEND_CACHE_PURGE_URL=${FRONTEND_CACHE_PURGE_URL:-http://127.0.0.1:${NGINX_PORT:-8080}}
export MEDIA_ACCEL_REDIRECT=${MEDIA_ACCEL_REDIRECT:-/_media/}
echo "Serving on http://127.0.0.1:${NGINX_PORT:-8080}/ (nginx; gunicorn at 127.0.0.1:$PORT) with DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-}"
.venv/bin/gunicorn portal.wsgi --bind 127.0.0.1:$PORT --workers ${WEB_WORKERS:-2} --access-logfile -
