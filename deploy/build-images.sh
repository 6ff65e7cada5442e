#!/usr/bin/env bash
# build-images.sh: the images deploy/compose.yaml runs, built here without a registry: tracecast/deploy-server
# (this checkout: sources, bundle, node_modules), tracecast/deploy-redis and tracecast/deploy-postgres (Debian's
# packages), all FROM the sandbox images' debootstrap base (sandbox-images/build.ts makes it).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/scripts/lib.sh"
cd "$ROOT"
BASE=${TRACECAST_BASE_IMAGE:-tracecast/base:latest}
docker image inspect "$BASE" >/dev/null 2>&1 || node --import tsx sandbox-images/build.ts python >/dev/null
# The bundle and the viewer, current with the sources (the image runs them as they are).
node -e "import('./scripts/build.mjs').then((m) => m.ensureBuilt())"

stage=$(mktemp -d /tmp/tc-deploy-stage-XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/app"
# Tracked and new files (not ignored ones), then what the image runs that git does not hold.
git ls-files -z -co --exclude-standard -- package.json package-lock.json bin scripts/build.mjs server protocol web schema problems tracer-runtimes sandbox-images \
  | xargs -0 -I{} cp --parents -a {} "$stage/app/" 2>/dev/null || true
cp -a .build "$stage/app/.build"
cp -al node_modules "$stage/app/node_modules" 2>/dev/null || cp -a node_modules "$stage/app/node_modules"
cp deploy/images/postgres-entrypoint.sh "$stage/"

build() { # NAME DOCKERFILE
  say deploy "building $1"
  # Debian's archive is reached through the host's network (the engine runs without a bridge).
  docker build -q --network host --build-arg "BASE=$BASE" -t "$1" -f "$2" "$stage" >/dev/null
}
build tracecast/deploy-server:local deploy/images/server.Dockerfile
build tracecast/deploy-redis:local deploy/images/redis.Dockerfile
build tracecast/deploy-postgres:local deploy/images/postgres.Dockerfile
say deploy "images built"
