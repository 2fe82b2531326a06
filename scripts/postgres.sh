#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's package: a new cluster in a
# temporary directory, on a free port of 127.0.0.1, run by an unprivileged user (PostgreSQL
# refuses to run as root), without durability (fsync off: the data dies with the tests).
#
#   eval "$(bash scripts/postgres.sh start)"   # sets XINWEN_TEST_DATABASE_URL and XINWEN_PG_DIR
#   bash scripts/postgres.sh stop "$XINWEN_PG_DIR"
#
# Installs the package (with apt-get, as root or through sudo) when no server is found.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Runs a command as the cluster's owner: ourselves, or the postgres user when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- "$@"
  else
    "$@"
  fi
}

start() {
  if [ -z "$(bindir)" ]; then
    echo "== installing PostgreSQL (Debian package)" >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  local bin dir port
  bin="$(bindir)"
  dir="$(mktemp -d /tmp/xinwen-pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_owner "$bin/initdb" --pgdata="$dir/data" --username=xinwen --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
    --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "export XINWEN_PG_DIR=$dir"
  echo "export XINWEN_TEST_DATABASE_URL=postgres://xinwen@127.0.0.1:$port/postgres"
}

stop() {
  local dir="$1"
  [ -d "$dir/data" ] || return 0
  as_owner "$(bindir)/pg_ctl" --pgdata="$dir/data" --mode=immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?the directory that start printed}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
