#!/bin/sh
# lintian on the packages as built: no error and no warning may remain
# (what is overridden says why, in installer/debian/lintian-overrides).
# Informational tags are printed for the record.
#   lint_packages.sh PACKAGE_DIR
set -eu
dir=$1
command -v lintian >/dev/null || { echo "lintian is missing: apt-get install lintian" >&2; exit 1; }
set -- "$dir"/*.deb "$dir"/*.ddeb
for package in "$@"; do
  [ -f "$package" ] || { echo "no package: $package" >&2; exit 1; }
done
lintian --fail-on error,warning --display-info "$@"
status=$?
echo "lintian: exit $status on $*"
exit $status
