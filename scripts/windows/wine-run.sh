#!/usr/bin/env bash
# Runs a cross-built .exe under wine for ctest (the toolchain file makes this
# CMAKE_CROSSCOMPILING_EMULATOR): a wine prefix of the build tree's own
# (created once, under a lock, so parallel tests do not race wineboot), no
# wine debug chatter, and a wineserver that outlives single tests so each
# test does not pay for starting one.
#   wine-run.sh --prefix=DIR program.exe args...
set -euo pipefail
if [[ "${1:-}" == --prefix=* ]]; then
  export WINEPREFIX=${WINEPREFIX:-${1#--prefix=}}
  shift
fi
export WINEDEBUG=${WINEDEBUG:--all}
if [ -n "${WINEPREFIX:-}" ] && [ ! -f "$WINEPREFIX/.tokenbroker-ready" ]; then
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    if [ ! -f "$WINEPREFIX/.tokenbroker-ready" ]; then
      wineboot --init >/dev/null 2>&1
      wineserver -w
      touch "$WINEPREFIX/.tokenbroker-ready"
    fi
  ) 9>"$WINEPREFIX.lock"
fi
# A persistent server (60 s after its last client) unless one already runs.
wineserver -p60 2>/dev/null || true
exec wine "$@"
