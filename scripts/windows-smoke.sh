#!/usr/bin/env bash
# Cross-builds tokenbroker for Windows with mingw-w64 (scripts/windows/
# build.sh) and runs the .exe under wine: plugins load, a pat
# profile writes its token file and the registry environment, and a jwt
# profile obtains a token over verified HTTPS from the (Linux) emulator.
# Needs a Linux build in $BUILD_DIR (default build) for coze-emulator.
# About 10 minutes the first time (cross-building OpenSSL and POCO).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
linux_build=$root/${BUILD_DIR:-build}
win_build=$root/${WIN_BUILD_DIR:-build-win}
WIN_BUILD_DIR=$win_build WIN_BUILD_ARGS="--target tokenbroker pat jwt oauth" scripts/windows/build.sh

work=$(mktemp -d)
emulator_pid=
cleanup() { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null; wineserver -k 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export WINEPREFIX=$work/prefix WINEDEBUG=-all
wineboot --init >/dev/null 2>&1
cp -r "$win_build/bin" "$win_build/lib" "$work/"
cd "$work"
winpath() { echo "Z:${1//\//\\}"; }
passed=0 failed=0
expect() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi; }

cat >pat.yaml <<YAML
broker: { state_dir: state, admin: off }
profiles:
  w:
    flow: pat
    token: pat_windows_smoke
    outputs:
      - file: out/w.token
      - env: TOKENBROKER_SMOKE_TOKEN
YAML
wine bin/tokenbroker.exe plugins >plugins.out 2>&1
expect "plugins lists pat, jwt and oauth flows" "grep -q 'flow pat' plugins.out && grep -q 'flow jwt' plugins.out && grep -q 'flow device' plugins.out"
expect "check passes" "wine bin/tokenbroker.exe check -c '$(winpath "$work/pat.yaml")' | grep -q 'ok: 1 profiles'"
expect "once exits 0" "wine bin/tokenbroker.exe once -c '$(winpath "$work/pat.yaml")' >/dev/null 2>&1"
expect "token file written" "[ \"\$(cat out/w.token)\" = pat_windows_smoke ]"
expect "registry environment set" "wine reg query 'HKCU\\Environment' /v TOKENBROKER_SMOKE_TOKEN 2>/dev/null | grep -q pat_windows_smoke"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl pkey -in key.pem -pubout -out pub.pem
printf 'apps:\n  - client_id: "42"\n    type: jwt\n    public_keys: { k: pub.pem }\n' >apps.yaml
"$linux_build/bin/coze-emulator" --listen=127.0.0.1:0 --apps=apps.yaml --ca-out=ca.pem >emulator.out 2>emulator.err &
emulator_pid=$!
for _ in $(seq 100); do [ -s emulator.out ] && break; sleep 0.05; done
url=$(head -n1 emulator.out | sed 's/^listening on //')
cat >jwt.yaml <<YAML
broker: { state_dir: state, admin: off }
profiles:
  j:
    flow: jwt
    base_url: $url
    ca_file: ca.pem
    client_id: "42"
    public_key_id: k
    private_key: { file: key.pem }
    outputs: [ { file: out/j.token } ]
YAML
expect "jwt over HTTPS exits 0" "wine bin/tokenbroker.exe once -c '$(winpath "$work/jwt.yaml")' >/dev/null 2>&1"
expect "jwt token written" "grep -q '^czs_' out/j.token"
echo "windows-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
