#!/bin/sh
# Builds the packages twice from one build tree: first/ as configured
# (VERSION-1) and upgrade/ with Debian revision 2, the "higher version" the
# install test upgrades to.
#   build_packages.sh BUILD_DIR OUT_DIR
set -eu
build=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
for revision in 1 2; do
  dir=$out/first
  [ "$revision" = 1 ] || dir=$out/upgrade
  cpack --config "$build/CPackConfig.cmake" -B "$dir" -D CPACK_DEBIAN_PACKAGE_RELEASE="$revision" >"$dir.log" 2>&1 || {
    cat "$dir.log" >&2
    echo "cpack failed for revision $revision" >&2
    exit 1
  }
done
ls -l "$out/first" "$out/upgrade"
