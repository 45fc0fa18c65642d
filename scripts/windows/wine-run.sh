#!/usr/bin/env bash
# Runs a cross-built .exe under wine for ctest (the toolchain file makes this
# CMAKE_CROSSCOMPILING_EMULATOR): a wine prefix of the build tree's own
# (created once, under a lock, so parallel tests do not race wineboot), no
# wine debug chatter, and a wineserver that outlives single tests so each
# test does not pay for starting one.
#   wine-run.sh --prefix=DIR program.exe args...
set -euo pipefail
# Descriptors inherited from the caller (a flock(1) lock, a ctest pipe) must
# not live on in the wineserver and wine's own services after this test.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-"; fi
done 2>/dev/null
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
      wineboot --init 9>&- >/dev/null 2>&1
      wineserver -w 9>&-
      touch "$WINEPREFIX/.tokenbroker-ready"
    fi
  ) 9>"$WINEPREFIX.lock"
fi
# A persistent server (60 s after its last client) unless one already runs.
wineserver -p60 </dev/null >/dev/null 2>&1 || true
# Through files, not ctest's pipes: wine's own processes (services.exe, the
# desktop) outlive the test and would keep a pipe open, and ctest would wait
# for them.
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT
status=0
wine "$@" </dev/null >"$output/out" 2>"$output/err" || status=$?
cat "$output/out"
cat "$output/err" >&2
exit "$status"
