#!/usr/bin/env bash
# ensure-chromium.sh: make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (installs it with apt
# when missing; playwright-core drives it, so no browser is ever downloaded).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=/usr/bin/chromium

version() { "$BIN" --headless --no-sandbox --version 2>/dev/null | head -n 1; }

if [ -x "$BIN" ]; then say chromium "already installed: $(version)"; exit 0; fi

need_apt chromium
[ -x "$BIN" ] || die "apt installed chromium but $BIN is missing"
say chromium "installed: $(version)"
