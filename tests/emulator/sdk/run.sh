#!/usr/bin/env bash
# Runs the official Coze Node SDK (@coze/api, pinned in package-lock.json)
# against a freshly started coze-emulator over HTTPS.
#   run.sh EMULATOR_EXE SDK_SOURCE_DIR WORK_DIR
# npm installs into WORK_DIR (the build tree), never into the source tree.
set -euo pipefail

emulator=$1
source_dir=$2
work_dir=$3

bash "$(dirname "${BASH_SOURCE[0]}")/../../support/npm-install.sh" "$source_dir" "$work_dir"
cd "$work_dir"

fixture=$(mktemp -d "${TMPDIR:-/tmp}/coze-sdk-conformance-XXXXXX")
emulator_pid=
cleanup() {
  if [[ -n $emulator_pid ]]; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$fixture"
}
trap cleanup EXIT

node make-fixture.mjs "$fixture"
"$emulator" --listen=127.0.0.1:0 --apps="$fixture/apps.yaml" --ca-out="$fixture/ca.pem" \
  >"$fixture/emulator.out" 2>"$fixture/emulator.err" &
emulator_pid=$!

for _ in $(seq 1 300); do
  [[ -s $fixture/emulator.out ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$fixture/emulator.err" >&2; exit 1; }
  sleep 0.05
done
first_line=$(head -n 1 "$fixture/emulator.out")
[[ $first_line == "listening on https://127.0.0.1:"* ]] || { echo "unexpected: $first_line" >&2; exit 1; }

# The SDK trusts the emulator's throwaway CA the ordinary way; TLS
# verification stays on.
NODE_EXTRA_CA_CERTS="$fixture/ca.pem" \
EMULATOR_URL="${first_line#listening on }" \
FIXTURE_DIR="$fixture" \
  node --test --test-reporter=spec conformance.test.mjs
