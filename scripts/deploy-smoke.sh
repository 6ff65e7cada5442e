#!/usr/bin/env bash
# deploy-smoke.sh: deploy/compose.yaml end to end on this host — build the images, bring up two gateways, two
# runners, Redis and Postgres, run a program through each gateway, SIGKILL a runner in the middle of a run (the run
# must still end, and new runs still work through both gateways), then tear everything down. Exit 0 when all held.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
cd "$ROOT"
command -v docker-compose >/dev/null || need_apt docker-compose
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-tcsmoke}
export GATEWAY1_PORT=${GATEWAY1_PORT:-18081} GATEWAY2_PORT=${GATEWAY2_PORT:-18082}
# A lost runner's runs end within this (the default 30 s makes the smoke test slow for nothing).
export TRACECAST_RUNNER_LOST_MS=${TRACECAST_RUNNER_LOST_MS:-8000}
compose() { docker-compose -f deploy/compose.yaml "$@"; }

teardown() {
  say smoke "tearing down"
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  # What the runners started on the engine (a killed runner's sandboxes included).
  for r in runner1 runner2; do
    ids=$(docker ps -aq --filter "label=tracecast.runner=$COMPOSE_PROJECT_NAME-$r")
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  done
}
trap teardown EXIT

node --import tsx sandbox-images/build.ts python >/dev/null
bash deploy/build-images.sh
say smoke "docker-compose up ($COMPOSE_PROJECT_NAME)"
compose up -d >/dev/null

wait_runners() { # PORT N: until the gateway's /health shows N runners taking python runs
  for _ in $(seq 180); do
    # exitCode 1 unless the answer says so: a connection the port's proxy accepts and drops ends the process quietly.
    if node -e "process.exitCode = 1; fetch('http://127.0.0.1:$1/health').then((r) => r.json()).then((h) => { if (h.status === 'ok' && (h.runners || []).filter((r) => !r.down && r.languages.includes('python')).length === $2) process.exitCode = 0; }, () => undefined)"; then return 0; fi
    sleep 1
  done
  compose logs --tail 30 >&2; die "gateway on :$1 did not see $2 runner(s) within 180 s"
}
run_through() { # PORT: a program through that gateway, verdict ok
  node bin/tracecast.mjs run tests/fixtures/bubble.py --server "http://127.0.0.1:$1" >/tmp/tc-smoke-run.out 2>&1 || {
    cat /tmp/tc-smoke-run.out >&2; compose logs --tail 20 gateway1 gateway2 >&2; die "a run through the gateway on :$1 did not end ok"; }
  say smoke "a run through the gateway on :$1 ended ok"
}

wait_runners "$GATEWAY1_PORT" 2
wait_runners "$GATEWAY2_PORT" 2
run_through "$GATEWAY1_PORT"
run_through "$GATEWAY2_PORT"

say smoke "a long run, then SIGKILL runner1 in its middle"
cat >/tmp/tc-smoke-long.py <<'PY'
import time
for i in range(100):
    print(i)
    time.sleep(0.1)
PY
node bin/tracecast.mjs run /tmp/tc-smoke-long.py --server "http://127.0.0.1:$GATEWAY1_PORT" >/tmp/tc-smoke-long.out 2>&1 &
long=$!
sleep 3
compose kill -s SIGKILL runner1 >/dev/null
# Its run ends (ok if runner2 had it, internal_error naming runner1 if runner1 had it); either way it ends.
for _ in $(seq 90); do kill -0 $long 2>/dev/null || break; sleep 1; done
kill -0 $long 2>/dev/null && die "the run in flight when runner1 was killed did not end within 90 s"
wait $long && verdict=ok || verdict="$(tail -n 1 /tmp/tc-smoke-long.out)"
say smoke "the run in flight ended: $verdict"
wait_runners "$GATEWAY1_PORT" 1
run_through "$GATEWAY1_PORT"
run_through "$GATEWAY2_PORT"
say smoke "all held"
