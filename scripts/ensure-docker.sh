#!/usr/bin/env bash
# ensure-docker.sh: make sure a Docker engine answers (installs docker.io and starts dockerd if needed).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG=/var/log/tracecast-dockerd.log

engine_up() { docker version --format '{{.Server.Version}}' 2>/dev/null; }

if v=$(engine_up); then say docker "engine $v already running"; exit 0; fi

command -v dockerd >/dev/null && command -v docker >/dev/null || need_apt docker.io
# dockerd needs cgroups mounted; on a bare machine nothing may have mounted them.
mountpoint -q /sys/fs/cgroup || { need_apt cgroupfs-mount; cgroupfs-mount; }

if pgrep -x dockerd >/dev/null; then
  say docker "dockerd is already starting; waiting for it"
else
  say docker "starting dockerd --iptables=false --bridge=none (log: $LOG)"
  nohup setsid dockerd --iptables=false --bridge=none >>"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq 120); do
  if v=$(engine_up); then say docker "engine $v is up"; exit 0; fi
  sleep 0.5
done
tail -n 20 "$LOG" >&2 || true
die "dockerd did not answer within 60 s (full log: $LOG)"
