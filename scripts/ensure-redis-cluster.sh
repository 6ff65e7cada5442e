#!/usr/bin/env bash
# ensure-redis-cluster.sh: make sure redis-server and redis-cli are installed, for the tests that start a Redis
# Cluster of their own (tests/support/redis-cluster.ts) or restart a redis-server of their own. Starts nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v redis-server >/dev/null || need_apt redis-server
command -v redis-cli >/dev/null || need_apt redis-tools
say redis-cluster "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') and redis-cli present"
