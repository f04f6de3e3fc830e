#!/usr/bin/env bash
# The services the scaled setup and CI need, started by the project itself:
#   PostgreSQL  127.0.0.1:5432, user postgres (trust on loopback), database `test`
#   Redis       127.0.0.1:6379
#   Elasticsearch 127.0.0.1:9200, single node, from the integration-test zip on Maven Central
#   nginx       127.0.0.1:8080, in front of gunicorn at 127.0.0.1:$PORT (8000), Debian's package,
#               its own config rendered from deploy/nginx/gongkai.conf.template (docs/deploy.md)
#
#   scripts/services.sh start [postgres|redis|elasticsearch|nginx ...]   (default: all four)
#   scripts/services.sh stop  [...]      stops only what this script started (by recorded PID)
#   scripts/services.sh status [...]
#
# Each service is started only when nothing answers on its port yet; the PID of what this
# script started is recorded under $SERVICES_DIR and `stop` signals only those PIDs.
# Installs the Debian packages (postgresql, redis-server) when missing and run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# PostgreSQL and Elasticsearch run as unprivileged users, who must be able to reach their
# folders: as root (CI, a fresh machine) the state lives outside the checkout, which may sit
# under a private folder, in /var/lib/gongkai-services/<checkout hash>; otherwise under var/.
if [ "$(id -u)" -eq 0 ]; then
  SERVICES_DIR=${SERVICES_DIR:-/var/lib/gongkai-services/$(printf %s "$ROOT" | md5sum | cut -c1-12)}
  ES_CACHE=${ES_CACHE:-/var/cache/gongkai}
else
  SERVICES_DIR=${SERVICES_DIR:-$ROOT/var/services}
  ES_CACHE=${ES_CACHE:-$ROOT/var/cache/elasticsearch}
fi
ES_VERSION=${ES_VERSION:-8.19.21}
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
ES_HEAP=${ES_HEAP:-512m}
ES_USER=${ES_USER:-gongkai-es}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
ES_PORT=${ES_PORT:-9200}
NGINX_PORT=${NGINX_PORT:-8080}
APP_PORT=${PORT:-8000}
mkdir -p "$SERVICES_DIR"
[ "$(id -u)" -ne 0 ] || chmod 755 "$SERVICES_DIR"

log() { echo "services: $*" >&2; }

answers() { # host port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    answers "$1" && return 0
    sleep 0.25
  done
  log "$3 did not answer on 127.0.0.1:$1 within $2 s"
  return 1
}

apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # policy-rc.d keeps the packages' own services from starting: this script starts them.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

# Run a command as an unprivileged user when we are root (PostgreSQL and Elasticsearch refuse root).
as_user() { # user command...
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    # From /, which every user may enter (the checkout may sit under a private folder).
    (cd / && runuser -u "$user" -- "$@")
  else
    "$@"
  fi
}

ensure_user() { # name
  [ "$(id -u)" -eq 0 ] || return 0
  id "$1" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$1"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# --- PostgreSQL ---------------------------------------------------------------------------
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  if answers "$PG_PORT"; then
    log "postgres: already answering on $PG_PORT"
    return 0
  fi
  apt_install postgresql
  local bin data=$SERVICES_DIR/postgres owner=postgres
  bin=$(pg_bin)
  [ "$(id -u)" -eq 0 ] || owner=$(id -un)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$data"
    as_user "$owner" "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  mkdir -p "$SERVICES_DIR/pg-socket"
  touch "$SERVICES_DIR/postgres.log"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$SERVICES_DIR/pg-socket" "$SERVICES_DIR/postgres.log"
  as_user "$owner" "$bin/pg_ctl" -D "$data" -l "$SERVICES_DIR/postgres.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/pg-socket -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" >/dev/null
  head -n 1 "$data/postmaster.pid" >"$SERVICES_DIR/postgres.pid"
  wait_port "$PG_PORT" 30 postgres
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres test
  log "postgres: started (pid $(cat "$SERVICES_DIR/postgres.pid"))"
}

# --- Redis --------------------------------------------------------------------------------
start_redis() {
  if answers "$REDIS_PORT"; then
    log "redis: already answering on $REDIS_PORT"
    return 0
  fi
  apt_install redis-server
  mkdir -p "$SERVICES_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$SERVICES_DIR/redis" --save "" --appendonly no \
    --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
  wait_port "$REDIS_PORT" 30 redis
  local i
  for ((i = 0; i < 20; i++)); do [ -s "$SERVICES_DIR/redis.pid" ] && break; sleep 0.1; done
  log "redis: started (pid $(cat "$SERVICES_DIR/redis.pid"))"
}

# --- Elasticsearch ------------------------------------------------------------------------
# Java for the server: ES 8.x runs on Java 17 or newer; prefer the default JDK, then any.
es_java_home() {
  local candidate
  for candidate in ${ES_JAVA_HOME:-} /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && { echo "$candidate"; return 0; }
  done
  log "elasticsearch: no JDK under /usr/lib/jvm (install default-jdk-headless)"
  return 1
}

es_home() {
  local cache=$ES_CACHE home
  home=$cache/elasticsearch-$ES_VERSION
  if [ ! -x "$home/bin/elasticsearch" ]; then
    local tool
    for tool in mvn:maven unzip:unzip curl:curl; do
      command -v "${tool%%:*}" >/dev/null 2>&1 || apt_install "${tool#*:}"
    done
    mkdir -p "$cache"
    log "elasticsearch: fetching $ES_ARTIFACT with mvn"
    mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$cache" >"$cache/mvn.log" 2>&1 ||
      { log "elasticsearch: mvn dependency:copy failed, see $cache/mvn.log"; tail -n 20 "$cache/mvn.log" >&2; return 1; }
    (cd "$cache" && unzip -q -o "elasticsearch-$ES_VERSION.zip" && rm -f "elasticsearch-$ES_VERSION.zip")
    [ "$(id -u)" -ne 0 ] || chmod 755 "$cache"
  fi
  echo "$home"
}

start_elasticsearch() {
  if answers "$ES_PORT"; then
    log "elasticsearch: already answering on $ES_PORT"
    return 0
  fi
  local home java data=$SERVICES_DIR/elasticsearch started
  home=$(es_home)
  java=$(es_java_home)
  ensure_user "$ES_USER"
  rm -rf "$data" && mkdir -p "$data/data" "$data/logs" "$data/tmp" "$data/config"
  cp -r "$home/config/." "$data/config/"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$ES_USER" "$data"
    chmod -R a+rX "$home"
  fi
  started=$(date +%s.%N)
  as_user "$ES_USER" env -i PATH=/usr/bin:/bin ES_JAVA_HOME="$java" ES_PATH_CONF="$data/config" ES_TMPDIR="$data/tmp" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" "$home/bin/elasticsearch" -d -p "$data/es.pid" \
    -E discovery.type=single-node -E network.host=127.0.0.1 -E http.port="$ES_PORT" -E transport.port=0 \
    -E path.data="$data/data" -E path.logs="$data/logs" -E xpack.security.enabled=false \
    -E xpack.ml.enabled=false -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E action.destructive_requires_name=false >"$SERVICES_DIR/elasticsearch.out" 2>&1 ||
    { log "elasticsearch: failed to start"; tail -n 30 "$SERVICES_DIR/elasticsearch.out" >&2; return 1; }
  wait_port "$ES_PORT" 120 elasticsearch || { tail -n 30 "$data/logs/"*.log >&2 || true; return 1; }
  cp "$data/es.pid" "$SERVICES_DIR/elasticsearch.pid"
  # The node answers HTTP before it has a master; wait for a usable cluster.
  local i
  for ((i = 0; i < 120; i++)); do
    curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1 && break
    sleep 0.5
  done
  log "elasticsearch $ES_VERSION: started (pid $(cat "$SERVICES_DIR/elasticsearch.pid"), $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s, RSS $(($(ps -o rss= -p "$(cat "$SERVICES_DIR/elasticsearch.pid")") / 1024)) MiB)"
}

# --- nginx ----------------------------------------------------------------------------------
# Its own nginx.conf under $SERVICES_DIR/nginx (pid, logs, cache): runs beside a system nginx.
# As root its workers run as the checkout's owner, who can read the static and media folders.
start_nginx() {
  if answers "$NGINX_PORT"; then
    log "nginx: already answering on $NGINX_PORT"
    return 0
  fi
  apt_install nginx
  # Brotli where Debian has the module (bookworm and later); gzip otherwise.
  if [ "$(id -u)" -eq 0 ] && apt-cache show libnginx-mod-http-brotli-filter >/dev/null 2>&1; then
    apt_install libnginx-mod-http-brotli-filter || true
  fi
  local state=$SERVICES_DIR/nginx user=""
  [ "$(id -u)" -eq 0 ] && user=$(stat -c %U "$ROOT")
  python3 scripts/nginx_conf.py --state "$state" --port "$NGINX_PORT" --upstream "127.0.0.1:$APP_PORT" \
    --static-root "${STATIC_ROOT:-$ROOT/var/static}" --media-root "${MEDIA_ROOT:-$ROOT/var/media}" --user "$user" >/dev/null
  [ -z "$user" ] || chown -R "$user" "$state"
  /usr/sbin/nginx -c "$state/nginx.conf" -p "$state"
  wait_port "$NGINX_PORT" 15 nginx
  cp "$state/nginx.pid" "$SERVICES_DIR/nginx.pid"
  log "nginx: started (pid $(cat "$SERVICES_DIR/nginx.pid")) on $NGINX_PORT, upstream 127.0.0.1:$APP_PORT"
}

# --- stop and status ----------------------------------------------------------------------
stop_one() { # name
  local pidfile=$SERVICES_DIR/$1.pid pid i
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$1: still running after 30 s, killing $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$1: stopped (pid $pid)"
}

status_one() { # name port
  local state="not answering"
  answers "$2" && state="answering on 127.0.0.1:$2"
  if pid_alive "$SERVICES_DIR/$1.pid"; then
    echo "$1: $state (started by this script, pid $(cat "$SERVICES_DIR/$1.pid"))"
  else
    echo "$1: $state"
  fi
}

port_of() {
  case $1 in
    postgres) echo "$PG_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
    elasticsearch) echo "$ES_PORT" ;;
    nginx) echo "$NGINX_PORT" ;;
    *) log "unknown service '$1' (postgres, redis, elasticsearch, nginx)"; exit 2 ;;
  esac
}

command=${1:-status}
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(postgres redis elasticsearch nginx)
for service in "${services[@]}"; do port_of "$service" >/dev/null; done
case $command in
  start) for service in "${services[@]}"; do "start_$service"; done ;;
  stop) for service in "${services[@]}"; do stop_one "$service"; done ;;
  status) for service in "${services[@]}"; do status_one "$service" "$(port_of "$service")"; done ;;
  *) echo "usage: $0 start|stop|status [postgres|redis|elasticsearch|nginx ...]" >&2; exit 2 ;;
esac
