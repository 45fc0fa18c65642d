#!/usr/bin/env bash
# Configures and builds into $BUILD_DIR (default: build). Extra arguments go
# to cmake's configure step, e.g. -DTOKENBROKER_SANITIZE=ON. Uses ccache when
# it is installed (scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Several checkouts of the project share one cache.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  export CCACHE_DIR=${CCACHE_DIR:-/var/cache/tokenbroker/ccache}
  mkdir -p "$CCACHE_DIR" 2>/dev/null || export CCACHE_DIR="$HOME/.cache/tokenbroker-ccache"
fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
