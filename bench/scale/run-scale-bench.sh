#!/usr/bin/env bash
# Scale benchmark (issue 6): N JWT profiles against one local coze-emulator.
# Measures, for tokenbroker and for the same job done by the official Node
# SDK in one Node process (node_broker.mjs), in the same run:
#   - time until every profile's token file exists,
#   - steady-state CPU (% of one core) and RSS while tokens renew at half of
#     their lifetime,
# and prints tokenbroker / Node ratios. A measurement, not a test.
#
#   bench/scale/run-scale-bench.sh [BUILD_DIR] [N] [STEADY_SECONDS]   (defaults: build 1000 30)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
window=${3:-30}
duration=60          # token lifetime asked for; both renew at half of it

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The Node SDK, pinned by the emulator's conformance test lock file.
sdk="$build/bench-scale-sdk"
mkdir -p "$sdk"
cp "$root/tests/emulator/sdk/package.json" "$root/tests/emulator/sdk/package-lock.json" "$sdk/"
(cd "$sdk" && { cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null || \
  { npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock; }; })
cp "$here/node_broker.mjs" "$sdk/"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
cat >"$work/apps.yaml" <<YAML
apps:
  - client_id: "4200"
    type: jwt
    public_keys: { bench: pub.pem }
YAML

start_emulator() {
  "$build/bin/coze-emulator" --listen=127.0.0.1:0 --apps="$work/apps.yaml" --ca-out="$work/ca.pem" \
    >"$work/emulator.out" 2>"$work/emulator.err" &
  emulator=$!
  pids+=("$emulator")
  for _ in $(seq 200); do [ -s "$work/emulator.out" ] && break; sleep 0.05; done
  url=$(head -n1 "$work/emulator.out" | sed 's/^listening on //')
}

# ticks of user+system CPU of a process
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# measure NAME PID OUTDIR: waits for N token files, then samples a window
measure() {
  local name=$1 pid=$2 out=$3 t0=$4
  while [ "$(find "$out" -name '*.token' | wc -l)" -lt "$n" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "$name died" >&2; exit 1; }
    sleep 0.1
  done
  local ready_ms=$(( $(date +%s%3N) - t0 ))
  local hz; hz=$(getconf CLK_TCK)
  local c0; c0=$(cpu_ticks "$pid")
  sleep "$window"
  local c1; c1=$(cpu_ticks "$pid")
  local cpu; cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v w="$window" 'BEGIN { printf "%.1f", (b - a) * 100 / hz / w }')
  local rss; rss=$(rss_kib "$pid")
  echo "$name ready_ms=$ready_ms cpu_percent=$cpu rss_kib=$rss"
}

echo "N=$n profiles, token lifetime ${duration}s renewed at 50%, steady window ${window}s, $(nproc) cores"

start_emulator
mkdir -p "$work/tb/out"
{
  echo "broker: { state_dir: $work/tb/state, admin: off, refresh: { at: 0.5 } }"
  echo "defaults: { base_url: $url, ca_file: $work/ca.pem }"
  echo "logging: { loggers: { root: { level: warning } } }"
  echo "profiles:"
  for i in $(seq 0 $((n - 1))); do
    echo "  p$i: { flow: jwt, client_id: \"4200\", public_key_id: bench, private_key: { file: $work/key.pem }, duration: ${duration}s, outputs: [ { file: $work/tb/out/p$i.token } ] }"
  done
} >"$work/tb/tokenbroker.yaml"
t0=$(date +%s%3N)
"$build/bin/tokenbroker" run -c "$work/tb/tokenbroker.yaml" 2>"$work/tb/log" &
tb=$!
pids+=("$tb")
tb_line=$(measure tokenbroker "$tb" "$work/tb/out" "$t0")
echo "$tb_line"
kill -TERM "$tb"; wait "$tb" || true
kill -TERM "$emulator"; wait "$emulator" || true

start_emulator
mkdir -p "$work/node/out"
t0=$(date +%s%3N)
NODE_EXTRA_CA_CERTS="$work/ca.pem" node "$sdk/node_broker.mjs" "$url" 4200 bench "$work/key.pem" "$n" \
  "$work/node/out" "$duration" 8 >"$work/node/log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
node_line=$(measure node-sdk "$node_pid" "$work/node/out" "$t0")
echo "$node_line"

value() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo "ratios tokenbroker/node: ready_time=$(ratio "$(value "$tb_line" ready_ms)" "$(value "$node_line" ready_ms)")" \
     "cpu=$(ratio "$(value "$tb_line" cpu_percent)" "$(value "$node_line" cpu_percent)")" \
     "rss=$(ratio "$(value "$tb_line" rss_kib)" "$(value "$node_line" rss_kib)")"
