#!/usr/bin/env bash
# Installs the test OAuth server (provider.mjs and its pinned npm packages)
# into WORK_DIR, normally a directory in the build tree:
#   install.sh WORK_DIR
# then start it with: node WORK_DIR/provider.mjs CONFIG.json
# npm never writes into the source tree. `npm ci` runs only when the lock
# file differs from the one last installed, so repeated runs are cheap and
# need no network.
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
  echo "usage: $0 WORK_DIR" >&2
  exit 2
fi
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work_dir=$1

mkdir -p "$work_dir"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$source_dir"/*.mjs "$work_dir/"
cd "$work_dir"

if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
