#!/usr/bin/env bash
# Throwaway PostgreSQL for libwatch's integration tests.
#
#   pg_cluster.sh start STATE_DIR   start a server, write its DSN to STATE_DIR/dsn
#   pg_cluster.sh stop STATE_DIR    stop what `start` started, remove its files
#   pg_cluster.sh pause STATE_DIR   stop the server, keep its data (tests of
#                                   reconnecting)
#   pg_cluster.sh resume STATE_DIR  start a paused server again, same port
#   pg_cluster.sh restart STATE_DIR pg_ctl restart -m fast
#
# With LIBWATCH_TEST_DSN set, `start` only writes that DSN and `stop` does
# nothing: the tests then use the given server. Otherwise `start` runs initdb
# in a fresh temporary directory and starts the server on a unix socket in
# that directory plus 127.0.0.1 on a free port (tests proxy TCP through it).
# Run as root, the server runs as the OS user `postgres` (it refuses root).
set -euo pipefail

cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { sed -n '2,16p' "$0" >&2; exit 2; }

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  done
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return
  echo "pg_cluster.sh: no PostgreSQL server binaries (initdb) found;" \
       "install postgresql-15 or set PG_BINDIR" >&2
  exit 1
}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "pg_cluster.sh: no free port found" >&2
  exit 1
}

case "$cmd" in
  start)
    mkdir -p "$state"
    if [ -n "${LIBWATCH_TEST_DSN:-}" ]; then
      printf '%s\n' "$LIBWATCH_TEST_DSN" >"$state/dsn"
      echo "using the server of LIBWATCH_TEST_DSN"
      exit 0
    fi
    "$0" stop "$state" >/dev/null 2>&1 || true
    mkdir -p "$state"
    bindir=$(find_bindir)
    root=$(mktemp -d /tmp/libwatch-pg.XXXXXX)
    echo "$root" >"$state/root"
    [ "$(id -u)" = 0 ] && chown postgres "$root"
    as_server_user "$bindir/initdb" -D "$root/data" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
      || { cat "$root/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      options="-p $port -k $root -c listen_addresses=127.0.0.1 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=200 -c timezone=UTC \
        -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20"
      if as_server_user "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" \
           -w -t 60 -o "$options" start >/dev/null; then
        echo "host=$root port=$port dbname=postgres user=postgres" >"$state/dsn"
        echo "$port" >"$state/port"
        echo "$options" >"$state/options"
        echo "$bindir" >"$state/bindir"
        echo "started PostgreSQL $("$bindir/postgres" --version) on port $port in $root"
        exit 0
      fi
      echo "pg_ctl start failed (attempt $attempt, port $port):" >&2
      tail -5 "$root/server.log" >&2 || true
    done
    exit 1
    ;;
  stop)
    if [ -f "$state/root" ]; then
      root=$(cat "$state/root")
      bindir=$(cat "$state/bindir" 2>/dev/null || find_bindir)
      if [ -d "$root/data" ]; then
        as_server_user "$bindir/pg_ctl" -D "$root/data" -m fast -w stop \
          >/dev/null 2>&1 || true
      fi
      rm -rf "$root"
    fi
    rm -rf "$state"
    ;;
  pause|resume|restart)
    root=$(cat "$state/root")
    bindir=$(cat "$state/bindir")
    case "$cmd" in
      pause) as_server_user "$bindir/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null ;;
      resume) as_server_user "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" \
                -w -t 60 -o "$(cat "$state/options")" start >/dev/null ;;
      restart) as_server_user "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" \
                 -w -t 60 -m fast -o "$(cat "$state/options")" restart >/dev/null ;;
    esac
    ;;
  *)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
