#!/bin/sh
# Makes the cluster on first start, then runs Postgres in the foreground (it is the container's process).
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -s /data/PG_VERSION ]; then
  "$bin/initdb" -D /data -U postgres -A trust >/dev/null
  echo "listen_addresses = '*'" >>/data/postgresql.conf
  echo "host all all 0.0.0.0/0 trust" >>/data/pg_hba.conf
  "$bin/pg_ctl" -D /data -w -o "-c listen_addresses='' -k /tmp" start >/dev/null
  "$bin/createdb" -h /tmp -U postgres tracecast
  "$bin/pg_ctl" -D /data -w stop >/dev/null
fi
exec "$bin/postgres" -D /data -k /tmp
