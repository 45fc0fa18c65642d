#!/usr/bin/env bash
# Cross-builds the whole project for 64-bit Windows into $WIN_BUILD_DIR
# (default build-win): core, the plugin DLLs, tokenbroker.exe,
# coze-emulator.exe and every test suite. Builds the dependency prefix first
# (scripts/windows/build-deps.sh; cached, a no-op once done). Extra arguments
# go to cmake's configure step. Afterwards `ctest --test-dir build-win` runs
# the suites under wine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build_dir=${WIN_BUILD_DIR:-build-win}
prefix=${WINCROSS_PREFIX:-/var/cache/tokenbroker-wincross/prefix}
scripts/windows/build-deps.sh
. scripts/ccache-launcher.sh
cmake -S . -B "$build_dir" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release -DTOKENBROKER_BUILD_BENCH=OFF "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" ${WIN_BUILD_ARGS:-}
