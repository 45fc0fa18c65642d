# Sourced by scripts/build.sh and scripts/windows/build.sh (from the project
# root): sets `launcher` to the cmake arguments that compile through ccache
# when it is installed (scripts/install-deps.sh installs it), with one cache
# that several checkouts of the project share.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  export CCACHE_DIR=${CCACHE_DIR:-/var/cache/tokenbroker/ccache}
  mkdir -p "$CCACHE_DIR" 2>/dev/null || export CCACHE_DIR="$HOME/.cache/tokenbroker-ccache"
fi
