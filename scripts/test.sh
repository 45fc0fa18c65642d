#!/usr/bin/env bash
# The README's test command: install dependencies, build, run every suite.
#   scripts/test.sh              normal build in build/
#   scripts/test.sh --sanitize   ASan+UBSan build in build-sanitize/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

args=()
if [ "${1:-}" = "--sanitize" ]; then
  export BUILD_DIR=${BUILD_DIR:-build-sanitize}
  args+=(-DTOKENBROKER_SANITIZE=ON)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
export BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh "${args[@]}"
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600
