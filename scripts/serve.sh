#!/usr/bin/env bash
# `make serve`: the production stack on this machine, in the foreground (Ctrl+C stops all of it).
#   PostgreSQL — the database in NAVIGATOR_DATABASE_URL, or a local cluster created under instance/postgres
#   Redis      — Debian's redis-server on 127.0.0.1 (rate limits and the geocoder budget, shared by all workers)
#   navigator index-follow — the one writer of this machine's search index (restarted if it dies)
#   gunicorn   — NAVIGATOR_WORKERS workers (default 4) on HOST:PORT (default 127.0.0.1:8000)
# See docs/deployment.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/.venv/bin"
instance="${INSTANCE_DIR:-$root/instance}"   # the benchmark points it elsewhere
data_file="${DATA_FILE:-data/programs.csv}"
mkdir -p "$instance"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"
export NAVIGATOR_WORKERS="${NAVIGATOR_WORKERS:-4}"
export NAVIGATOR_INDEX_FOLLOWER=external
# Production: every absolute link is made from NAVIGATOR_BASE_URL and requests for other hosts are refused
# (NAVIGATOR_TRUSTED_HOSTS); the site will not start without the address, so say so before anything starts.
export NAVIGATOR_PRODUCTION="${NAVIGATOR_PRODUCTION:-true}"
if [ -z "${NAVIGATOR_BASE_URL:-}" ] && ! grep -qs '^BASE_URL *=' "$root/instance/navigator.cfg"; then
  echo "make serve needs NAVIGATOR_BASE_URL, the site's public address, e.g." >&2
  echo "  NAVIGATOR_BASE_URL=https://navigator.example make serve" >&2
  echo "Links in e-mails to parents, password-set links, canonical links and the API documents are made from it." >&2
  exit 1
fi
# An index folder of its own: search_index/ follows make run's SQLite database, not this one.
if [ -z "${NAVIGATOR_INDEX_DIR:-}" ] && ! grep -qs '^INDEX_DIR *=' "$root/instance/navigator.cfg"; then
  export NAVIGATOR_INDEX_DIR="$instance/serve/search_index"
fi
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${pgdata:-}" ] && as_postgres "$pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  [ -n "${redis_port:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
need_package() {  # Debian package $1 for command $2
  command -v "$2" >/dev/null 2>&1 && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "Please install the Debian package $1." >&2; exit 1
  fi
}
free_port() { "$bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PostgreSQL: the given database, or a cluster of our own under instance/postgres.
if [[ "${NAVIGATOR_DATABASE_URL:-}" != postgresql* ]]; then
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$initdb" ] || { need_package postgresql psql; initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1); }
  pg_ctl="$(dirname "$initdb")/pg_ctl"
  pgdata="$instance/postgres"
  pg_port="${PGPORT:-5544}"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"; [ "$(id -u)" -eq 0 ] && chown postgres "$pgdata"
    as_postgres "$initdb" -D "$pgdata" -U navigator --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    echo "Created a PostgreSQL cluster in $pgdata."
  fi
  as_postgres "$pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  as_postgres psql -h 127.0.0.1 -p "$pg_port" -U navigator -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='navigator'" | grep -q 1 \
    || as_postgres psql -h 127.0.0.1 -p "$pg_port" -U navigator -d postgres -qc "CREATE DATABASE navigator"
  export NAVIGATOR_DATABASE_URL="postgresql+psycopg://navigator@127.0.0.1:$pg_port/navigator"
  echo "PostgreSQL on 127.0.0.1:$pg_port."
fi

# Redis for the limits every worker shares.
if [ -z "${NAVIGATOR_RATELIMIT_STORAGE_URI:-}" ]; then
  need_package redis-server redis-server
  redis_port="${REDIS_PORT:-$(free_port)}"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$instance" --logfile "$instance/redis.log" --pidfile "$instance/redis.pid"
  export NAVIGATOR_RATELIMIT_STORAGE_URI="redis://127.0.0.1:$redis_port/0"
  echo "Redis on 127.0.0.1:$redis_port."
fi

# Schema, bundled data (once), points, and the index (built or caught up) before any worker starts.
"$bin/navigator" init-db
"$bin/navigator" import --skip-if-imported "$data_file"
"$bin/navigator" geocode --only-missing
"$bin/navigator" index-follow --once

# The follower is restarted if it dies (a crash, kill -9): it resumes from the sequence its index records.
keep_following() {
  local child="" status
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    "$bin/navigator" index-follow & child=$!
    wait "$child" && return 0
    status=$?
    echo "navigator index-follow stopped (exit $status); starting it again in 1 s." >&2
    sleep 1
  done
}
keep_following & pids+=($!)
"$bin/gunicorn" -c navigator/serving/gunicorn_conf.py 'navigator:create_app()' & pids+=($!)
echo "Serving on http://$HOST:$PORT with $NAVIGATOR_WORKERS workers (Ctrl+C stops everything)."
wait -n "${pids[@]}"
