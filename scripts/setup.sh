#!/usr/bin/env bash
# setup.sh: what the server needs before it starts: npm dependencies, a Docker engine, the sandbox images, the
# server bundle and the viewer (scripts/build.mjs).
# Extra arguments go to sandbox-images/build.ts (e.g. --force). Idempotent; a repeat run takes seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh

say 1/5 "npm dependencies"
# Installed from the lock file, again only when it changes (its hash is kept in node_modules).
stamp=node_modules/.tracecast-lock.sha256
want=$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # npm ci installs exactly the lock file (and fails if package.json disagrees with it); install only without one.
  if [ -e package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  echo "$want" >"$stamp"
else
  say 1/5 "node_modules matches package-lock.json"
fi

# The tracers import acorn as ./vendor/acorn.mjs (the image build copies the file there); running
# them from the source tree, as the harness tests do, needs the same path.
mkdir -p tracer-runtimes/javascript/vendor
ln -sfn ../../../node_modules/acorn/dist/acorn.mjs tracer-runtimes/javascript/vendor/acorn.mjs

say 2/5 "docker engine"
bash scripts/ensure-docker.sh

say 3/5 "sandbox images"
out=$(mktemp); trap 'rm -f "$out"' EXIT
node --import tsx sandbox-images/build.ts all "$@" | tee "$out"

say 4/5 "sandbox check (no network, read-only, non-root)"
run() { docker run --rm --network none --read-only --cap-drop ALL "$@"; }
py=$(sed -n 's/^python: //p' "$out"); js=$(sed -n 's/^javascript: //p' "$out")
say 4/5 "$py: $(run "$py" python3 -c 'import sys, os; print("Python", sys.version.split()[0], "uid", os.getuid())')"
say 4/5 "$js: $(run "$js" node -e 'console.log("Node", process.version, "uid", process.getuid())')"
say 5/5 "build the server bundle and the viewer (.build/)"
node scripts/build.mjs
say setup "ready"
