#!/usr/bin/env bash
# ensure-postgres.sh: make sure Postgres answers on 127.0.0.1:5432 with trust auth and a database `test`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PORT=5432
PGDIR=/var/lib/tracecast-pg
LOG=/var/log/tracecast-postgres.log
URL="postgres://postgres@127.0.0.1:$PORT/test"

bindir() { ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname || true; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; }
test_ok() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1; }
done_ok() { say postgres "$1"; echo "DATABASE_URL=$URL"; exit 0; }

BIN=/usr/bin # client wrappers first: a server may be up while this machine has no server binaries
if command -v pg_isready >/dev/null && ready && test_ok; then done_ok "already answering at $URL"; fi
BIN=$(bindir)
[ -n "$BIN" ] || { need_apt postgresql; BIN=$(bindir); }
[ -n "$BIN" ] || die "no Postgres server binaries under /usr/lib/postgresql after installing postgresql"
id postgres >/dev/null 2>&1 || die "user postgres is missing (reinstall the postgresql package)"

if ! ready; then
  if [ ! -s "$PGDIR/PG_VERSION" ]; then
    say postgres "initdb $PGDIR (trust auth, throwaway)"
    rm -rf "$PGDIR"; mkdir -p "$PGDIR"; chown postgres: "$PGDIR"; chmod 700 "$PGDIR"
    as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  touch "$LOG"; chown postgres: "$LOG"
  say postgres "starting $("$BIN/postgres" --version) on 127.0.0.1:$PORT (log: $LOG)"
  # Throwaway test cluster: durability off for speed.
  as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$LOG" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
    || { tail -n 20 "$LOG" >&2; die "pg_ctl start failed (log: $LOG)"; }
fi

# A server is up (ours or another one): create `test` if it lacks it.
if ! test_ok; then
  say postgres "creating database test"
  "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc 'create database test' >/dev/null 2>&1 \
    || as_pg "$BIN/psql" -p "$PORT" -d postgres -qc 'create database test' >/dev/null 2>&1 || true
fi
test_ok && done_ok "up at $URL"
die "a server answers on 127.0.0.1:$PORT but 'psql -h 127.0.0.1 -U postgres -d test' fails (not trust auth?)"
