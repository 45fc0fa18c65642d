#!/usr/bin/env bash
# scripts/windows/build-deps.sh - the Windows x64 cross-build environment on
# Debian 12 (bookworm), from Debian packages only:
#   1. installs mingw-w64 (POSIX threads), wine64, nsis, cmake, ninja
#   2. fetches Debian SOURCE packages (deb-src) for openssl 3.0, yaml-cpp 0.7,
#      poco 1.11 and cross-builds them into $WINCROSS_PREFIX:
#        OpenSSL : static libraries only (libcrypto.a, libssl.a)
#        yaml-cpp: static
#        POCO    : static, Foundation JSON Util Net Crypto NetSSL_OpenSSL JWT
#        Boost.Test: static libboost_unit_test_framework.a (optional, see below)
# Idempotent: apt steps are skipped when already done, downloaded sources are
# kept in $WINCROSS_CACHE, each library is rebuilt only if its stamp file in
# $WINCROSS_PREFIX is missing (FORCE=1 rebuilds all). Run as root.
#
# Env: WINCROSS_ROOT (/var/cache/tokenbroker-wincross), WINCROSS_PREFIX ($ROOT/prefix),
#      WINCROSS_CACHE ($ROOT/cache), WINCROSS_BUILD ($ROOT/build), JOBS (nproc),
#      SKIP_APT=1 (no apt at all), APT_ONLY=1 (only the apt steps and the
#      source downloads, so a later SKIP_APT=1 run can build in the background),
#      WITH_BOOST_TEST=0 (skip the Boost.Test static library), FORCE=1
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT=$(cd "$HERE/../.." && pwd)
ROOT=${WINCROSS_ROOT:-/var/cache/tokenbroker-wincross}
PREFIX=${WINCROSS_PREFIX:-$ROOT/prefix}
CACHE=${WINCROSS_CACHE:-$ROOT/cache}
BUILD=${WINCROSS_BUILD:-$ROOT/build}
JOBS=${JOBS:-$(nproc)}
TOOLCHAIN=$PROJECT/cmake/mingw-w64-x86_64.cmake
TRIPLE=x86_64-w64-mingw32
TIMINGS=$ROOT/timings.log
export WINCROSS_PREFIX=$PREFIX   # read by the toolchain file

POCO_SRC=poco          POCO_UPSTREAM=1.11.0
YAML_SRC=yaml-cpp      YAML_UPSTREAM=0.7.0
OPENSSL_SRC=openssl    OPENSSL_SERIES=3.0.

APT_PKGS=(g++-mingw-w64-x86-64-posix mingw-w64-tools wine wine64 nsis
          cmake ninja-build make perl dpkg-dev xz-utils bzip2 openssl)
[ "${WITH_BOOST_TEST:-1}" = 1 ] && APT_PKGS+=(libboost-test-dev)   # host Boost headers

log()  { printf '\n=== [%(%H:%M:%S)T] %s\n' -1 "$*"; }
die()  { echo "ERROR: $*" >&2; exit 1; }
timed() {  # timed LABEL cmd...  -> appends "LABEL <secs>s" to $TIMINGS
    local label=$1; shift; local t0=$SECONDS
    "$@"
    echo "$label $((SECONDS - t0))s" | tee -a "$TIMINGS"
}

[ "$(id -u)" = 0 ] || die "run as root (apt-get, /etc/apt/sources.list.d)"
mkdir -p "$ROOT" "$PREFIX" "$CACHE/src" "$BUILD"

# ---------------------------------------------------------------- step 1: apt
install_toolchain() {
    local missing=()
    for p in "${APT_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then log "toolchain: all packages present"; return; fi
    log "toolchain: installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
}

# deb-src entries: the machine's own binary sources, repeated as deb-src
enable_deb_src() {
    local f=/etc/apt/sources.list.d/tokenbroker-wincross-src.sources
    if apt-cache showsrc "$POCO_SRC" 2>/dev/null | grep -q "^Version: $POCO_UPSTREAM"; then
        log "deb-src: already enabled"; return
    fi
    log "deb-src: writing $f from the existing binary sources"
    {
        # deb822 stanzas: copy each "Types: deb" stanza as "Types: deb-src"
        for s in /etc/apt/sources.list.d/*.sources; do
            [ "$s" = "$f" ] && continue
            awk 'BEGIN { RS = ""; ORS = "\n\n" }
                 { n = split($0, L, "\n"); isdeb = 0
                   for (i = 1; i <= n; i++) if (L[i] ~ /^Types:/) {
                       m = split(L[i], F, /[ \t]+/); for (j = 2; j <= m; j++) if (F[j] == "deb") isdeb = 1
                       L[i] = "Types: deb-src" }
                   if (isdeb) { out = L[1]; for (i = 2; i <= n; i++) out = out "\n" L[i]; print out } }' "$s"
        done
        # one-line format: "deb URI suite comps" -> deb822 deb-src stanza
        # (either file may be missing: deb822-only machines have neither)
        { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
            awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                 uri = $i; suite = $(i+1); comps = ""; for (j = i+2; j <= NF; j++) comps = comps " " $j
                 printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:%s\n\n", uri, suite, comps }'
    } > "$f"
    [ -s "$f" ] || die "no binary apt sources found to mirror as deb-src"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
}

# ------------------------------------------------------- step 2: get sources
# fetch_src PKG UPSTREAM_PREFIX -> prints path of the cached .dsc
# Tries every version apt knows whose upstream part starts with the prefix,
# newest first (a security-pocket .dsc can be missing on a snapshot mirror).
fetch_src() {
    local pkg=$1 want=$2 dsc v
    dsc=$(ls -1 "$CACHE/src/${pkg}_${want}"*.dsc 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$dsc" ]; then echo "$dsc"; return; fi
    for v in $(apt-cache showsrc "$pkg" | awk '/^Version:/{print $2}' | sort -rV | uniq); do
        case "$v" in "$want"*|*:"$want"*) ;; *) continue ;; esac
        ( cd "$CACHE/src" && apt-get source --download-only -qq "$pkg=$v" ) >&2 2>&1 || {
            echo "  $pkg=$v: download failed, trying older" >&2; continue; }
        dsc=$(ls -1 "$CACHE/src/${pkg}_${v#*:}.dsc" 2>/dev/null || true)
        [ -n "$dsc" ] && { echo "$dsc"; return; }
    done
    die "no downloadable source for $pkg $want*"
}

# unpack DSC -> prints the source dir (fresh every time; Debian patches applied)
unpack() {
    local dsc=$1 name=$2 dir
    dir=$BUILD/src-$name
    rm -rf "$dir"; mkdir -p "$dir"
    ( cd "$dir" && dpkg-source -x "$dsc" >/dev/null )
    ls -d "$dir"/*/ | head -1
}

# Bumped whenever a build recipe below changes, so a cached prefix built the
# old way is rebuilt rather than silently kept.
RECIPE=2
stamp() { echo "$PREFIX/.stamp-r$RECIPE-$1"; }
need()  { [ "${FORCE:-0}" = 1 ] || [ ! -f "$(stamp "$1")" ]; }
# A prefix built by an older recipe is started afresh: stale libraries (the
# old shared OpenSSL, POCO XML) must not be found instead of the new ones.
discard_old_recipe() {
    if ls "$PREFIX"/.stamp-* >/dev/null 2>&1 && ! ls "$PREFIX"/.stamp-r$RECIPE-* >/dev/null 2>&1; then
        log "prefix: built by an older recipe, starting afresh"
        rm -rf "${PREFIX:?}"/* "$PREFIX"/.stamp-*
    fi
}

build_openssl() {
    local dsc src ver
    dsc=$(fetch_src "$OPENSSL_SRC" "$OPENSSL_SERIES"); ver=$(basename "$dsc" .dsc)
    need "$ver" || { log "openssl: $ver already built"; return; }
    log "openssl: building $ver"
    src=$(unpack "$dsc" openssl)
    cd "$src"
    # mingw64 target, static libraries only (the project links OpenSSL
    # statically), no tests, no command-line programs.
    ./Configure mingw64 --cross-compile-prefix=$TRIPLE- no-tests no-shared \
        --prefix="$PREFIX" --libdir=lib > "$ROOT/openssl-configure.log"
    # The paths compiled into libcrypto (openssl.cnf, engines, providers) must be
    # Windows paths in admin-only locations; Configure would prefix a "C:/..."
    # --openssldir with $PREFIX (not absolute on the Linux host), so override
    # the Makefile variables for the compile step only (install_sw needs the
    # originals).
    timed "openssl-build($ver,-j$JOBS)" make -j"$JOBS" build_libs \
        "OPENSSLDIR=C:/Program Files/Common Files/SSL" \
        "ENGINESDIR=C:/Program Files/OpenSSL/lib/engines-3" \
        "MODULESDIR=C:/Program Files/OpenSSL/lib/ossl-modules" \
        > "$ROOT/openssl-build.log" 2>&1 \
        || { tail -30 "$ROOT/openssl-build.log"; die "openssl build failed"; }
    make install_dev > "$ROOT/openssl-install.log" 2>&1
    touch "$(stamp "$ver")"
}

build_yaml() {
    local dsc src ver
    dsc=$(fetch_src "$YAML_SRC" "$YAML_UPSTREAM"); ver=$(basename "$dsc" .dsc)
    need "$ver" || { log "yaml-cpp: $ver already built"; return; }
    log "yaml-cpp: building $ver"
    src=$(unpack "$dsc" yaml)
    rm -rf "$BUILD/yaml-build"
    cmake -S "$src" -B "$BUILD/yaml-build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DYAML_BUILD_SHARED_LIBS=OFF -DYAML_CPP_BUILD_TESTS=OFF \
        -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=ON > "$ROOT/yaml-configure.log"
    timed "yaml-cpp-build($ver,-j$JOBS)" cmake --build "$BUILD/yaml-build" -j"$JOBS" > "$ROOT/yaml-build.log" 2>&1 \
        || { tail -30 "$ROOT/yaml-build.log"; die "yaml-cpp build failed"; }
    cmake --install "$BUILD/yaml-build" > /dev/null
    touch "$(stamp "$ver")"
}

build_poco() {
    local dsc src ver
    dsc=$(fetch_src "$POCO_SRC" "$POCO_UPSTREAM"); ver=$(basename "$dsc" .dsc)
    need "$ver" || { log "poco: $ver already built"; return; }
    [ -f "$(ls "$PREFIX"/.stamp-r$RECIPE-openssl_* 2>/dev/null | head -1)" ] || die "build openssl first"
    log "poco: building $ver"
    src=$(unpack "$dsc" poco)
    # mingw fixes: case-sensitive header names, wincrypt.h TIMESTAMP_REQUEST macro
    patch -d "$src" -p1 --forward < "$HERE/patches/poco-1.11.0-mingw.patch"
    # Util builds without XML (POCO_UTIL_NO_XMLCONFIGURATION), but its
    # installed CMake config still asks for PocoXML.
    sed -i '/find_dependency(PocoXML)/d' "$src/Util/cmake/PocoUtilConfig.cmake"
    rm -rf "$BUILD/poco-build"
    local off=()
    for c in ENCODINGS ENCODINGS_COMPILER MONGODB REDIS PDF SEVENZIP ZIP CPPPARSER \
             POCODOC PAGECOMPILER PAGECOMPILER_FILE2PAGE ACTIVERECORD \
             ACTIVERECORD_COMPILER DATA DATA_SQLITE DATA_MYSQL DATA_POSTGRESQL \
             DATA_ODBC APACHECONNECTOR NETSSL_WIN XML TESTS; do off+=("-DENABLE_$c=OFF"); done
    # -O1: compile time is what counts here (CI builds this on fresh
    # machines); the broker makes a handful of requests an hour.
    cmake -S "$src" -B "$BUILD/poco-build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" -DBUILD_SHARED_LIBS=OFF \
        -DOPENSSL_ROOT_DIR="$PREFIX" -DOPENSSL_USE_STATIC_LIBS=TRUE \
        -DENABLE_FOUNDATION=ON -DENABLE_JSON=ON -DENABLE_UTIL=ON \
        -DENABLE_NET=ON -DENABLE_CRYPTO=ON -DENABLE_NETSSL=ON -DENABLE_JWT=ON \
        "${off[@]}" > "$ROOT/poco-configure.log"
    timed "poco-build($ver,-j$JOBS)" cmake --build "$BUILD/poco-build" -j"$JOBS" > "$ROOT/poco-build.log" 2>&1 \
        || { grep -m20 -B2 -A5 'error' "$ROOT/poco-build.log"; die "poco build failed"; }
    cmake --install "$BUILD/poco-build" > /dev/null
    touch "$(stamp "$ver")"
}

# Optional (WITH_BOOST_TEST=1, default): Boost.Test as a static mingw library
# built from Debian's boost1.74 source, used with the host's Debian Boost 1.74
# headers (package libboost-test1.74-dev): $PREFIX/include/boost is a symlink to
# /usr/include/boost, so find_package(Boost COMPONENTS unit_test_framework)
# works in the cross build. Only libs/test/src is unpacked.
build_boost_test() {
    [ -f /usr/include/boost/version.hpp ] || { log "boost-test: no /usr/include/boost, skipped"; return; }
    local hv dsc ver src o
    hv=$(sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' /usr/include/boost/version.hpp | tr _ .)
    dsc=$(fetch_src "boost$hv" "$hv"); ver=$(basename "$dsc" .dsc)
    need "$ver" || { log "boost-test: $ver already built"; return; }
    log "boost-test: building unit_test_framework from $ver against /usr/include/boost ($hv)"
    src=$BUILD/src-boost-test; rm -rf "$src"; mkdir -p "$src/obj"
    tar -C "$src" -xJf "$(ls "$CACHE/src/boost${hv}_"*.orig.tar.xz | head -1)" --wildcards '*/libs/test/src/*'
    mkdir -p "$PREFIX/include" "$PREFIX/lib"
    ln -sfn /usr/include/boost "$PREFIX/include/boost"
    local t0=$SECONDS
    for o in compiler_log_formatter debug decorator execution_monitor framework \
             junit_log_formatter plain_report_formatter progress_monitor \
             results_collector results_reporter test_framework_init_observer \
             test_tools test_tree unit_test_log unit_test_main unit_test_monitor \
             unit_test_parameters xml_log_formatter xml_report_formatter; do echo "$o"; done |
        xargs -P"$JOBS" -I{} sh -c "$TRIPLE-g++-posix -std=c++17 -O2 -isystem '$PREFIX/include' \
            -c '$src'/*/libs/test/src/{}.cpp -o '$src/obj/{}.o'" || die "boost-test build failed"
    rm -f "$PREFIX/lib/libboost_unit_test_framework.a"
    $TRIPLE-ar rcs "$PREFIX/lib/libboost_unit_test_framework.a" "$src"/obj/*.o
    echo "boost-test-build($ver,-j$JOBS) $((SECONDS - t0))s" | tee -a "$TIMINGS"
    touch "$(stamp "$ver")"
}

T0=$SECONDS
if [ "${SKIP_APT:-0}" != 1 ]; then
    timed "apt-toolchain" install_toolchain
    timed "apt-deb-src" enable_deb_src
fi
command -v $TRIPLE-g++-posix >/dev/null || die "$TRIPLE-g++-posix missing"
if [ "${APT_ONLY:-0}" = 1 ]; then
    fetch_src "$OPENSSL_SRC" "$OPENSSL_SERIES" >/dev/null
    fetch_src "$YAML_SRC" "$YAML_UPSTREAM" >/dev/null
    fetch_src "$POCO_SRC" "$POCO_UPSTREAM" >/dev/null
    if [ "${WITH_BOOST_TEST:-1}" = 1 ] && [ -f /usr/include/boost/version.hpp ]; then
        hv=$(sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' /usr/include/boost/version.hpp | tr _ .)
        fetch_src "boost$hv" "$hv" >/dev/null
    fi
    log "apt steps and source downloads done in $((SECONDS - T0))s"
    exit 0
fi
discard_old_recipe
build_openssl
build_yaml
build_poco
[ "${WITH_BOOST_TEST:-1}" = 1 ] && build_boost_test
log "done in $((SECONDS - T0))s; prefix $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
echo "  toolchain file: $TOOLCHAIN   (cmake -DCMAKE_TOOLCHAIN_FILE=... -DCMAKE_PREFIX_PATH=$PREFIX)"
echo "total $((SECONDS - T0))s" >> "$TIMINGS"
