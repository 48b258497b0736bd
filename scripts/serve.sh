#!/usr/bin/env bash
# `make serve`: the production stack on this machine, in the foreground (Ctrl+C stops all of it).
#   PostgreSQL — the database in NAVIGATOR_DATABASE_URL, or a local cluster created under instance/postgres,
#                reached on its Unix socket with peer authentication (TCP only if PG_LISTEN asks, with a password)
#   Redis      — Debian's redis-server as the redis user, on a Unix socket only it (and root) can open, no TCP
#                (rate limits and the geocoder budget, shared by all workers)
#   navigator index-follow — the one writer of this machine's search index (restarted if it dies)
#   gunicorn   — NAVIGATOR_WORKERS workers (default 4) on a Unix socket that only nginx can open
#   nginx      — Debian's nginx on HOST:PORT (default 127.0.0.1:8000), in front of gunicorn: it waits for slow
#                clients, serves static/, limits body size and requests per address (NGINX_RATE, NGINX_BURST,
#                NGINX_CONNECTIONS; NGINX_TRUSTED_PROXIES: a TLS terminator in front)
# No service runs as root: PostgreSQL runs as postgres, Redis as redis, nginx's workers as www-data.
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
# gunicorn on a socket in nginx's folder: every request comes from nginx, whose forwarded address and scheme count.
nginx_dir="$instance/nginx"
export GUNICORN_BIND="unix:$nginx_dir/gunicorn.sock" NAVIGATOR_BEHIND_PROXY=true
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${pgdata:-}" ] && as_postgres "$pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  [ -n "${redis_socket:-}" ] && redis-cli -s "$redis_socket" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# as_user USER COMMAND…: as that user when this script runs as root; as the caller otherwise.
as_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$1" -- "${@:2}"; else "${@:2}"; fi; }
as_postgres() { as_user postgres "$@"; }
# The first of these system users that exists (run as root), or the caller.
service_user() {
  [ "$(id -u)" -eq 0 ] || { id -un; return; }
  for user in "$@"; do id -u "$user" >/dev/null 2>&1 && { echo "$user"; return; }; done
  echo nobody
}
need_package() {  # Debian package $1 for command $2
  command -v "$2" >/dev/null 2>&1 && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "Please install the Debian package $1." >&2; exit 1
  fi
}

# PostgreSQL: the given database, or a cluster of our own under instance/postgres.
if [[ "${NAVIGATOR_DATABASE_URL:-}" != postgresql* ]]; then
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$initdb" ] || { need_package postgresql psql; initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1); }
  pg_ctl="$(dirname "$initdb")/pg_ctl"
  pgdata="$instance/postgres"
  pg_port="${PGPORT:-5544}"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"; [ "$(id -u)" -eq 0 ] && chown postgres "$pgdata"
    as_postgres "$initdb" -D "$pgdata" -U navigator --auth-local=peer --auth-host=reject -E UTF8 --locale=C.UTF-8 \
      >/dev/null
    echo "Created a PostgreSQL cluster in $pgdata."
  fi
  # Written at every start, so that a cluster made by an older make serve (which trusted every local user
  # over TCP) is brought in line too. Who may connect: on the Unix socket (inside the data folder, which only
  # postgres and root can enter), as the role navigator, the user running make serve and postgres (this
  # script's psql) — peer authentication: the kernel says who is calling, there is no password to steal.
  if grep -qsE '^[^#]*[[:space:]]trust([[:space:]]|$)' "$pgdata/pg_hba.conf"; then
    echo "The cluster in $pgdata trusted every local user (an older make serve); it now takes only peer" \
      "authentication on its Unix socket (docs/deployment.md)."
  fi
  {
    echo "# Written by scripts/serve.sh at every start (docs/deployment.md)."
    echo "local all navigator peer map=navigator"
    [ -z "${PG_LISTEN:-}" ] || echo "host all navigator all scram-sha-256"
  } | as_postgres tee "$pgdata/pg_hba.conf" >/dev/null
  printf '# Written by scripts/serve.sh at every start.\nnavigator %s navigator\nnavigator postgres navigator\n' \
    "$(id -un)" | as_postgres tee "$pgdata/pg_ident.conf" >/dev/null
  cat <<EOF | as_postgres tee "$pgdata/navigator.conf" >/dev/null
# Written by scripts/serve.sh at every start (docs/deployment.md). No TCP listener unless PG_LISTEN names one.
port = $pg_port
listen_addresses = '${PG_LISTEN:-}'
unix_socket_directories = '$pgdata'
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
max_connections = 200
EOF
  grep -qs "^include_if_exists = 'navigator.conf'" "$pgdata/postgresql.conf" \
    || echo "include_if_exists = 'navigator.conf'" | as_postgres tee -a "$pgdata/postgresql.conf" >/dev/null
  as_postgres "$pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w start >/dev/null
  pg_socket="host=$pgdata port=$pg_port user=navigator dbname=postgres"
  as_postgres psql "$pg_socket" -tAc "SELECT 1 FROM pg_database WHERE datname='navigator'" | grep -q 1 \
    || as_postgres psql "$pg_socket" -qc "CREATE DATABASE navigator"
  if [ -n "${PG_LISTEN:-}" ]; then  # for a client elsewhere: the role's password, generated once, kept for the caller
    password_file="$instance/postgres.password"
    [ -s "$password_file" ] || (umask 077; "$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' \
      >"$password_file")
    echo "ALTER ROLE navigator PASSWORD '$(cat "$password_file")'" | as_postgres psql "$pg_socket" -q
    echo "PostgreSQL also listens on $PG_LISTEN port $pg_port (role navigator, scram-sha-256; the password is in" \
      "$password_file)."
  fi
  export NAVIGATOR_DATABASE_URL="postgresql+psycopg://navigator@/navigator?host=$pgdata&port=$pg_port"
  echo "PostgreSQL on its Unix socket in $pgdata (peer authentication${PG_LISTEN:+; TCP on $PG_LISTEN})."
fi

# Redis for the limits every worker shares: as the redis user, in a folder it owns, on a Unix socket that
# only it (and root) can open — no TCP port, so no other local user reads or clears the counters.
if [ -z "${NAVIGATOR_RATELIMIT_STORAGE_URI:-}" ]; then
  need_package redis-server redis-server
  redis_user=$(service_user redis)
  redis_dir="$instance/redis"
  redis_socket="$redis_dir/redis.sock"
  mkdir -p "$redis_dir"; chmod 700 "$redis_dir"; [ "$(id -u)" -ne 0 ] || chown "$redis_user" "$redis_dir"
  cat >"$redis_dir/redis.conf" <<EOF
# Written by scripts/serve.sh at every start (docs/deployment.md).
port 0
unixsocket $redis_socket
unixsocketperm 700
dir $redis_dir
save ""
appendonly no
daemonize yes
pidfile $redis_dir/redis.pid
logfile $redis_dir/redis.log
EOF
  redis-cli -s "$redis_socket" shutdown nosave >/dev/null 2>&1 || true  # one left by a run that was killed
  as_user "$redis_user" redis-server "$redis_dir/redis.conf"
  export NAVIGATOR_RATELIMIT_STORAGE_URI="redis+unix://$redis_socket"
  echo "Redis as $redis_user on $redis_socket (no TCP)."
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

# nginx on HOST:PORT. Its master starts as root (when this script is root) and its workers, the processes
# that talk to visitors, run as www-data; only they (and root) may enter its folder, where gunicorn's socket is.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_package nginx nginx
nginx_user=$(service_user www-data)
mkdir -p "$nginx_dir/temp"
if [ "$(id -u)" -eq 0 ]; then
  chown "root:$(id -gn "$nginx_user")" "$nginx_dir"; chmod 750 "$nginx_dir"
  runuser -u "$nginx_user" -- test -r "$root/static/css/site.css" || {
    echo "nginx's workers run as $nginx_user and cannot read $root/static: let them in (chmod o+rx on the" \
      "project's folders) or install the project where they can." >&2; exit 1; }
  user_option=(--user "$nginx_user")
else
  chmod 700 "$nginx_dir"; user_option=()
fi
trusted=(); for proxy in ${NGINX_TRUSTED_PROXIES:-}; do trusted+=(--trusted-proxy "$proxy"); done
"$bin/python" -m navigator.serving.nginx --listen "$HOST:$PORT" --socket "$nginx_dir/gunicorn.sock" \
  --prefix "$nginx_dir" "${user_option[@]}" --rate "${NGINX_RATE:-50}" --burst "${NGINX_BURST:-100}" \
  --connections "${NGINX_CONNECTIONS:-100}" "${trusted[@]}" >"$nginx_dir/nginx.conf"
"$(command -v nginx || echo /usr/sbin/nginx)" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -g 'daemon off;' & pids+=($!)
echo "Serving on http://$HOST:$PORT: nginx in front of $NAVIGATOR_WORKERS gunicorn workers (Ctrl+C stops everything)."
wait -n "${pids[@]}"
