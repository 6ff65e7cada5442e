# lib.sh: shared helpers for tracecast's set-up scripts (source it; do not run it).

# Start of the whole run, shared with child scripts so elapsed times form one timeline.
: "${TC_T0:=$(date +%s%N)}"
export TC_T0

# Seconds since TC_T0, one decimal.
tc_elapsed() {
  local ms=$(( ($(date +%s%N) - TC_T0) / 1000000 ))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# say STAGE MESSAGE...: progress line `==> [stage] message (12.3s)`.
say() {
  local stage=$1; shift
  printf '==> [%s] %s (%ss)\n' "$stage" "$*" "$(tc_elapsed)"
}

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# need_apt PKG...: install the packages that are not installed yet (apt-get update once per run).
# Services are kept from auto-starting during the install (the scripts start their own).
need_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
  local log=/var/log/tracecast-apt.log
  if [ -z "${TC_APT_UPDATED:-}" ]; then
    say apt "apt-get update (log: $log)"
    apt-get update >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "apt-get update failed"; }
    export TC_APT_UPDATED=1
  fi
  say apt "apt-get install ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; own_policy=1; fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
    apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1 || rc=$?
  [ -n "$own_policy" ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || { tail -n 20 "$log" >&2; die "apt-get install ${missing[*]} failed (log: $log)"; }
  return 0
}
