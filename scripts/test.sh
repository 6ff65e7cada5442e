#!/usr/bin/env bash
# test.sh: the whole test suite against a real Docker engine, Redis and Postgres (started here when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib.sh
say test "redis"
bash scripts/ensure-redis.sh
# The cluster and restart tests start redis-servers of their own: the binaries must be here even when a Redis already answers.
bash scripts/ensure-redis-cluster.sh
say test "postgres"
bash scripts/ensure-postgres.sh
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

say test "typecheck"
npx tsc -p tsconfig.json
say test "import cycles"
npm run --silent cycles

say test "chromium (browser tests)"
bash scripts/ensure-chromium.sh
say test "promtool (alert rules)"
bash scripts/ensure-promtool.sh

# Budgets fit a busy 2-core machine: a file's tests may take minutes when the CPU is shared.
# The hostile corpus runs alone after the rest: its checks include wall-clock margins (limit + 1 s),
# which another test file's containers on the same 2 cores would eat into.
out=$(mktemp); trap 'rm -f "$out"' EXIT
status=0
say test "node --test"
mapfile -t files < <(find tests -name '*.test.ts' -not -path 'tests/hostile/*' | sort)
node --import tsx --test --test-concurrency=2 --test-timeout=900000 "${files[@]}" | tee -a "$out" || status=1
say test "node --test (hostile corpus)"
node --import tsx --test --test-timeout=900000 tests/hostile/hostile.test.ts | tee -a "$out" || status=1
sum() { awk -v k="# $1" '$1" "$2 == k { n += $3 } END { print n + 0 }' "$out"; }
# A cancelled test (a timeout, a file that died) is a failure; todo and skipped ones are reported, not counted.
failed=$(( $(sum fail) + $(sum cancelled) ))
echo "todo $(sum todo), skipped $(sum skipped)"
[ "$failed" -eq 0 ] || status=1
echo "$(sum pass) passed, $failed failed"
exit $status
