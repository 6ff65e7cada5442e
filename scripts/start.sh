#!/usr/bin/env bash
# start.sh: the README's one start command: set up what is missing, then run the server (Ctrl-C stops it cleanly).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/lib.sh
say serve "tracecast serve on http://${HOST:-127.0.0.1}:${PORT:-8080}"
# The bundle set-up just built (bin/tracecast.mjs rebuilds it only if a source changed since).
exec node bin/tracecast.mjs serve
