#!/usr/bin/env bash
# Configures and builds into $BUILD_DIR (default: build). Extra arguments go
# to cmake's configure step, e.g. -DTOKENBROKER_SANITIZE=ON. Uses ccache when
# it is installed (scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
. scripts/ccache-launcher.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
