#!/usr/bin/env bash
# System packages the test suite needs: a PostgreSQL server (the tests start a throw-away cluster),
# Redis (the tests start their own redis-server for the shared limits), nginx (in front of the stack the
# fault suite starts) and Chromium (the browser tests).
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)  # make serve's front (the fault suite)
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "Please install: ${need[*]} (Debian package names)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
