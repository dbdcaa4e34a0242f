#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, owned by an unprivileged user and reached
# only through a socket in its own folder (no TCP port is opened).
#
#   eval "$(tools/test_postgres.sh start)"   # prints: export RECORDSKIT_TEST_POSTGRES_URL=...
#   tools/test_postgres.sh stop
#
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql). Run as root it uses
# the "postgres" system user the package creates; run as anyone else, that user.
set -euo pipefail
DIR=${RECORDSKIT_TEST_PG_DIR:-/tmp/recordskit-test-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] || BIN=$(dirname "$(command -v pg_ctl)")
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --no-create-home postgres
    fi
    # A cluster already running here is someone's (another shell, a helper's test run):
    # deleting it under them fails their tests at random, so it is reused as it is
    if [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "export RECORDSKIT_TEST_POSTGRES_URL='postgresql://recordskit@/postgres?host=$DIR'"
      exit 0
    fi
    rm -rf "$DIR"; mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U recordskit --auth=trust -E UTF8 >/dev/null
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
      -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -c fsync=off" start >/dev/null
    echo "export RECORDSKIT_TEST_POSTGRES_URL='postgresql://recordskit@/postgres?host=$DIR'"
    ;;
  stop)
    [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
