#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs the suites.
#   scripts/test.sh --all        everything CI runs: the three below, with the
#                                Windows dependency prefix cross-built in the
#                                background while the Linux suites run
#   scripts/test.sh              normal Linux build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build (clang) in build-sanitize/, with
#                                the fuzz targets
#   scripts/test.sh --windows    Windows cross build in build-win/, suites under wine
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}

linux_suites() {
  local args=()
  if [ "${1:-}" = --sanitize ]; then
    export BUILD_DIR=${BUILD_DIR:-build-sanitize}
    # clang: the same build carries the libFuzzer targets (fuzz/), each a
    # ctest entry that fuzzes for TOKENBROKER_FUZZ_SECONDS.
    export CC=clang CXX=clang++
    args+=(-DTOKENBROKER_SANITIZE=ON -DTOKENBROKER_FUZZ=ON -DTOKENBROKER_BUILD_BENCH=OFF)
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  fi
  export BUILD_DIR=${BUILD_DIR:-build}
  scripts/build.sh "${args[@]}"
  # RefreshCrashTest, whose kills are timed against held answers, runs
  # alone (RUN_SERIAL) in every build; the other suites two at a time.
  ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 -j"$(nproc)"
}

windows_suites() {
  WIN_BUILD_DIR=${WIN_BUILD_DIR:-build-win} scripts/windows/build.sh
  local dir=${WIN_BUILD_DIR:-build-win}
  # One suite at a time: with two engine suites at once under one wineserver
  # (two daemons, two emulators), the daemons' first renewals did not come
  # within the suites' 15 s; each passes alone.
  ctest --test-dir "$dir" --output-on-failure --timeout 900 -j1
}

case "$mode" in
  "")          scripts/install-deps.sh; linux_suites ;;
  --sanitize)  scripts/install-deps.sh; linux_suites --sanitize ;;
  --windows)   windows_suites ;;
  --all)
    scripts/install-deps.sh
    APT_ONLY=1 scripts/windows/build-deps.sh
    # The Linux suites mostly wait on sockets and timers; the cross build of
    # OpenSSL, POCO and yaml-cpp uses that idle time at the lowest priority.
    deps_log=$(mktemp)
    nice -n 19 env SKIP_APT=1 scripts/windows/build-deps.sh >"$deps_log" 2>&1 &
    deps_pid=$!
    trap 'kill $deps_pid 2>/dev/null || true' EXIT
    (unset BUILD_DIR; linux_suites)
    (unset BUILD_DIR; linux_suites --sanitize)
    if ! wait "$deps_pid"; then
      tail -n 40 "$deps_log"
      echo "scripts/windows/build-deps.sh failed (log above)" >&2
      exit 1
    fi
    trap - EXIT
    grep -E '^(openssl|poco|yaml|boost|total)' /var/cache/tokenbroker-wincross/timings.log 2>/dev/null | tail -n 5 || true
    windows_suites ;;
  *) echo "usage: scripts/test.sh [--all | --sanitize | --windows]" >&2; exit 2 ;;
esac
