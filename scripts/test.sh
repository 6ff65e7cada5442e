#!/usr/bin/env bash
# test.sh: the whole test suite against a real Docker engine, Redis and Postgres (started here when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib.sh
say test "redis"
bash scripts/ensure-redis.sh
say test "postgres"
bash scripts/ensure-postgres.sh
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

say test "typecheck"
npx tsc -p tsconfig.json
say test "import cycles"
npx madge --circular --extensions ts --ts-config tsconfig.json protocol server schema tests bench sandbox-images

say test "node --test"
mapfile -t files < <(find tests -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
