#!/usr/bin/env bash
# Installs a test's Node program (package.json, its pinned package-lock.json
# and *.mjs) from SOURCE_DIR into WORK_DIR, normally a directory in the build
# tree; npm never writes into the source tree:
#   npm-install.sh SOURCE_DIR WORK_DIR
# `npm ci` runs only when the lock file differs from the one last installed,
# so repeated runs are cheap and need no network.
set -euo pipefail

if [[ $# -ne 2 || -z $1 || -z $2 ]]; then
  echo "usage: $0 SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
source_dir=$1
work_dir=$2

mkdir -p "$work_dir"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$source_dir"/*.mjs "$work_dir/"
cd "$work_dir"

if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
