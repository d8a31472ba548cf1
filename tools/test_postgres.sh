#!/usr/bin/env bash
# A PostgreSQL for the test suite's PostgreSQL run (issue #18); prints its URL on stdout.
#
#   tools/test_postgres.sh         the URL of a reachable server: PLANNING_TEST_PG if set, else the
#                                  development/CI server on 127.0.0.1:5432, else a throwaway
#                                  cluster of our own (started, or reused from an earlier run)
#   tools/test_postgres.sh start   always the throwaway cluster (installs Debian's postgresql if needed)
#   tools/test_postgres.sh stop    stop the throwaway cluster and delete it
#
# The throwaway cluster lives in /tmp/planning-test-pg (data, socket, log, port) on a free
# loopback port with trust auth, user postgres, and --locale=C.UTF-8 (byte-order collation,
# as DuckDB sorts). initdb refuses to run as root, so as root the cluster belongs to the
# `postgres` user the package creates. Durability is off (fsync, synchronous_commit): it is
# test data. Messages go to stderr; exit 1 when no server can be had.
set -euo pipefail

DEFAULT_URL="postgresql://postgres@127.0.0.1:5432/postgres"
HOME_DIR="${PLANNING_TEST_PG_DIR:-/tmp/planning-test-pg}"
PY="${PY:-$(dirname "$0")/../.venv/bin/python}"
[ -x "$PY" ] || PY=python3

say() { echo "test_postgres: $*" >&2; }

reachable() {  # reachable URL: a server answers and lets us in
  if command -v psql >/dev/null; then
    PGCONNECT_TIMEOUT=3 psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
  else
    "$PY" -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' "$1" >/dev/null 2>&1
  fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {  # the newest installed server's bin directory
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

install_server() {
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] && return 0
  say "installing Debian's postgresql (apt-get)…"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  [ -x "$(pg_bin)/initdb" ] || { say "postgresql installed, but no initdb under /usr/lib/postgresql/*/bin"; return 1; }
}

# Run as the cluster's owner: ourselves, or `postgres` when we are root (initdb refuses root).
owner_run() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

own_url() { echo "postgresql://postgres@127.0.0.1:$(cat "$HOME_DIR/port")/postgres"; }

start_own() {
  if [ -f "$HOME_DIR/port" ] && reachable "$(own_url)"; then
    own_url
    return 0
  fi
  install_server
  local bin port
  bin="$(pg_bin)"
  if [ ! -f "$HOME_DIR/data/PG_VERSION" ]; then
    rm -rf "$HOME_DIR"
    mkdir -p "$HOME_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$HOME_DIR"
    say "initdb $HOME_DIR/data (C.UTF-8, trust)…"
    owner_run "$bin/initdb" -D "$HOME_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
  fi
  port="$(free_port)"
  owner_run sh -c "echo $port > '$HOME_DIR/port'"
  say "starting PostgreSQL on 127.0.0.1:$port…"
  owner_run "$bin/pg_ctl" -D "$HOME_DIR/data" -l "$HOME_DIR/server.log" -w -t 60 start \
    -o "-p $port -k $HOME_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2 \
    || { say "the server did not start; see $HOME_DIR/server.log"; tail -n 20 "$HOME_DIR/server.log" >&2 || true; return 1; }
  reachable "$(own_url)" || { say "started, but $(own_url) does not answer"; return 1; }
  own_url
}

stop_own() {
  local bin
  bin="$(pg_bin)"
  if [ -f "$HOME_DIR/data/PG_VERSION" ] && [ -n "$bin" ]; then
    owner_run "$bin/pg_ctl" -D "$HOME_DIR/data" -m fast stop >&2 || true
  fi
  rm -rf "$HOME_DIR"
}

case "${1:-url}" in
  url)
    if [ -n "${PLANNING_TEST_PG:-}" ]; then
      # A server the operator named: use it or say so; never quietly test somewhere else.
      reachable "$PLANNING_TEST_PG" && { echo "$PLANNING_TEST_PG"; exit 0; }
      say "PLANNING_TEST_PG=$PLANNING_TEST_PG does not answer"
      exit 1
    fi
    reachable "$DEFAULT_URL" && { echo "$DEFAULT_URL"; exit 0; }
    say "no PostgreSQL on 127.0.0.1:5432; using a throwaway cluster in $HOME_DIR"
    start_own
    ;;
  start) start_own ;;
  stop) stop_own ;;
  *) say "usage: $0 [url|start|stop]"; exit 2 ;;
esac
