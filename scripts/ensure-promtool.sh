#!/usr/bin/env bash
# ensure-promtool.sh: make sure `promtool` is on PATH (Debian's prometheus package brings it), for the alert-rule tests.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v promtool >/dev/null; then say promtool "$(promtool --version 2>&1 | head -n 1)"; exit 0; fi
need_apt prometheus
# The package starts a Prometheus server where services may start; the tests need only the tool.
command -v promtool >/dev/null || die "the prometheus package is installed but promtool is not on PATH"
say promtool "installed: $(promtool --version 2>&1 | head -n 1)"
