#!/usr/bin/env bash
# ensure-redis.sh: make sure a Redis answers on 127.0.0.1:${REDIS_PORT:-6379} (installs and starts one if needed).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PORT=${REDIS_PORT:-6379}
URL="redis://127.0.0.1:$PORT"

pong() {
  if command -v redis-cli >/dev/null; then
    [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]
  else
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'PING\r\n' >&3 && read -r l <&3 && [[ \$l == +PONG* ]]" 2>/dev/null
  fi
}

if pong; then say redis "already answering at $URL"; echo "REDIS_URL=$URL"; exit 0; fi

command -v redis-server >/dev/null || need_apt redis-server
say redis "starting redis-server on 127.0.0.1:$PORT (no persistence)"
redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize yes \
  --dir /tmp --pidfile "/tmp/tracecast-redis-$PORT.pid" --logfile /var/log/tracecast-redis.log

for _ in $(seq 50); do
  if pong; then say redis "up at $URL"; echo "REDIS_URL=$URL"; exit 0; fi
  sleep 0.2
done
die "redis-server did not answer on $URL within 10 s (log: /var/log/tracecast-redis.log)"
