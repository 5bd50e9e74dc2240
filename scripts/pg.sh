#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests, on loopback only, trust auth, no fsync.
#
#   eval "$(scripts/pg.sh start <dir>)"   # prints: export FLOWAI_TEST_PG_URL=postgres://...
#   scripts/pg.sh stop <dir>
#
# <dir> holds the cluster (<dir>/data), the socket, the log and the chosen port. `start`
# on a dir whose server runs just prints the export again. As root (initdb refuses
# root) the cluster belongs to the `postgres` user, created if absent.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop <dir>" >&2
  exit 2
fi
if [[ ! -x "$PG_BIN/pg_ctl" ]]; then
  echo "pg.sh: no PostgreSQL 15 binaries in $PG_BIN (apt-get install postgresql-15)" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"

owner=$(id -un)
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  chown postgres "$dir"
  # The postgres user must be able to reach <dir> through its parents.
  parent=$dir
  while [[ "$parent" != / ]]; do
    parent=$(dirname "$parent")
    chmod o+x "$parent" 2>/dev/null || true
  done
fi

running() {
  [[ -f "$data/postmaster.pid" ]] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

print_url() {
  echo "export FLOWAI_TEST_PG_URL=postgres://$owner@127.0.0.1:$(cat "$dir/port")/postgres"
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$cmd" in
  start)
    if running && [[ -f "$dir/port" ]]; then
      print_url
      exit 0
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
      rm -rf "$data"
      as_owner "$PG_BIN/initdb" -D "$data" -U "$owner" -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=55432
    while ! port_free "$port"; do
      port=$((port + 1))
      if [[ $port -gt 55532 ]]; then
        echo "pg.sh: no free port in 55432-55532" >&2
        exit 1
      fi
    done
    echo "$port" >"$dir/port"
    if ! as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >"$dir/pg_ctl.log" 2>&1; then
      cat "$dir/pg_ctl.log" "$dir/server.log" >&2 || true
      exit 1
    fi
    print_url
    ;;
  stop)
    if running; then
      as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  *)
    echo "usage: $0 start|stop <dir>" >&2
    exit 2
    ;;
esac
