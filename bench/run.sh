#!/usr/bin/env bash
# Every scale figure in one command, each measured in this run on this machine
# (a measurement, not a test: no thresholds):
#   1. JWT assertion signing as a ratio to `openssl speed rsa2048`;
#   2. `check` of the largest configuration, as a ratio to `once` of a single
#      profile (the fixed start-up cost);
#   3. the series over SIZES JWT profiles against one local emulator: time
#      until every token file exists, steady CPU while renewing (60 s tokens
#      renewed at half their lifetime, so a window of 60 s holds a renewal of
#      each), RSS, and memory per profile, (RSS at N - RSS at 1) / (N - 1);
#      where the cost per profile grows faster than the profile count;
#   4. the same job at NODE_N profiles done by the official Coze Node SDK in
#      one Node process, as-is (write and rename) and durable (fsync of file
#      and directory, as tokenbroker does), and tokenbroker's ratios to both.
#
#   bench/run.sh [BUILD_DIR]                                 (default: build)
# Environment: SIZES ("100 1000 10000"), NODE_N (1000), WINDOW (60 s),
# SIGN_SECONDS (3), BENCH_DIR (scratch directory; default: a new one under
# TMPDIR; the filesystem it is on is printed, as it decides the cost of a
# durable write).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-build}" && pwd)
sizes=${SIZES:-100 1000 10000}
node_n=${NODE_N:-1000}
window=${WINDOW:-60}
sign_seconds=${SIGN_SECONDS:-3}
for tool in "$build/bin/tokenbroker" "$build/bin/coze-emulator" "$build/bin/jwt_bench"; do
  [[ -x "$tool" ]] || { echo "no $tool; build the project (and the jwt_bench target) first" >&2; exit 2; }
done

if [[ -n "${BENCH_DIR:-}" ]]; then
  mkdir -p "$BENCH_DIR"
  work=$(mktemp -d "$BENCH_DIR/tokenbroker-bench.XXXXXX")
else
  work=$(mktemp -d)
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=scale/scale-lib.sh
source "$here/scale/scale-lib.sh"

echo "tokenbroker $("$build/bin/tokenbroker" --version 2>/dev/null | head -n1)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "scratch: $work ($(stat -f -c %T "$work"))"
echo

echo "== 1. JWT assertion signing"
"$here/run-jwt-bench.sh" "$build" "$sign_seconds" | sed 's/^/   /'
echo

# The Node SDK, pinned by the emulator's conformance test lock file.
sdk="$build/bench-scale-sdk"
mkdir -p "$sdk"
cp "$root/tests/emulator/sdk/package.json" "$root/tests/emulator/sdk/package-lock.json" "$sdk/"
(cd "$sdk" && { cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null || \
  { npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.installed-lock; }; })
cp "$here/scale/node_broker.mjs" "$sdk/"
make_key

largest=$(tr ' ' '\n' <<<"$sizes" | sort -n | tail -n1)
echo "== 2. Start-up: check of $largest profiles against once of 1"
start_emulator
write_config 1 "$work/one"
write_config "$largest" "$work/check"
best_of_three() {
  local best=""
  for _ in 1 2 3; do
    rm -rf "$work/one/state" "$work/one/out"/*
    local t0; t0=$(now_ms)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    local took=$(( $(now_ms) - t0 ))
    [[ -z "$best" || $took -lt $best ]] && best=$took
  done
  echo "$best"
}
once_ms=$(best_of_three "$build/bin/tokenbroker" once -c "$work/one/tokenbroker.yaml")
check_ms=$(best_of_three "$build/bin/tokenbroker" check -c "$work/check/tokenbroker.yaml")
echo "   once, 1 profile:          ${once_ms} ms (best of 3)"
echo "   check, $largest profiles: ${check_ms} ms (best of 3)   ratio to once of 1: $(ratio "$check_ms" "$once_ms")"
stop_process "$emulator"
rm -rf "$work/check"
echo

echo "== 3. tokenbroker over $sizes profiles (steady window ${window}s)"
# run_broker N WINDOW: the daemon with N profiles against a fresh emulator, measured
run_broker() {
  local n=$1 dir="$work/tb$1"
  start_emulator
  write_config "$n" "$dir"
  local t0; t0=$(now_ms)
  "$build/bin/tokenbroker" run -c "$dir/tokenbroker.yaml" 2>"$dir/log" &
  local tb=$!
  pids+=("$tb")
  local status=0
  measure tokenbroker "$tb" "$dir/out" "$n" "$t0" "$2" || status=$?
  stop_process "$tb"
  stop_process "$emulator"
  rm -rf "$dir"
  return "$status"
}
declare -A line
for n in 1 $sizes; do
  line[$n]=$(run_broker "$n" "$([[ $n == 1 ]] && echo 2 || echo "$window")") || exit 1
done
rss1=$(value "${line[1]}" rss_kib)
printf '   %7s %10s %12s %8s %14s %10s %12s %14s\n' profiles ready_ms ready_us/prof cpu_% cpu_%/1k_prof rss_KiB KiB/profile emulator_cpu_%
previous_n="" bends=()
declare -A per
for n in $sizes; do
  l=${line[$n]}
  ready=$(value "$l" ready_ms)
  cpu=$(value "$l" cpu_percent)
  per[ready,$n]=$(awk -v r="$ready" -v n="$n" 'BEGIN { printf "%.0f", r * 1000 / n }')
  per[cpu,$n]=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.3f", c * 1000 / n }')
  per[kib,$n]=$(awk -v r="$(value "$l" rss_kib)" -v a="$rss1" -v n="$n" 'BEGIN { printf "%.1f", (r - a) / (n - 1) }')
  printf '   %7s %10s %12s %8s %14s %10s %12s %14s\n' "$n" "$ready" "${per[ready,$n]}" "$cpu" "${per[cpu,$n]}" \
    "$(value "$l" rss_kib)" "${per[kib,$n]}" "$(value "$l" emulator_cpu_percent)"
  if [[ -n "$previous_n" ]]; then
    for what in ready cpu kib; do
      awk -v a="${per[$what,$n]}" -v b="${per[$what,$previous_n]}" 'BEGIN { exit !(a > 1.5 * b) }' &&
        bends+=("$what per profile x$(ratio "${per[$what,$n]}" "${per[$what,$previous_n]}"), $previous_n -> $n")
    done
  fi
  previous_n=$n
done
echo "   1 profile: rss_KiB $rss1 (the fixed cost)"
if ((${#bends[@]})); then
  printf '   bends (per-profile cost up more than 1.5x): %s\n' "$(IFS=';'; echo "${bends[*]}")"
else
  echo "   linear: no per-profile cost rises more than 1.5x between sizes"
fi
echo

echo "== 4. The same job by the Coze Node SDK, $node_n profiles"
[[ -n "${line[$node_n]:-}" ]] || line[$node_n]=$(run_broker "$node_n" "$window") || exit 1
tb_line=${line[$node_n]}
echo "   $tb_line"
for durability in as-is durable; do
  start_emulator
  mkdir -p "$work/node-$durability/out"
  t0=$(now_ms)
  NODE_EXTRA_CA_CERTS="$work/ca.pem" node "$sdk/node_broker.mjs" "$url" 4200 bench "$work/key.pem" "$node_n" \
    "$work/node-$durability/out" "$duration" 8 "$durability" >"$work/node-$durability/log" 2>&1 &
  node_pid=$!
  pids+=("$node_pid")
  node_line=$(measure "node-sdk-$durability" "$node_pid" "$work/node-$durability/out" "$node_n" "$t0" "$window")
  echo "   $node_line"
  echo "   ratios tokenbroker/node ($durability): ready_time=$(ratio "$(value "$tb_line" ready_ms)" "$(value "$node_line" ready_ms)")" \
       "cpu=$(ratio "$(value "$tb_line" cpu_percent)" "$(value "$node_line" cpu_percent)")" \
       "rss=$(ratio "$(value "$tb_line" rss_kib)" "$(value "$node_line" rss_kib)")"
  stop_process "$node_pid"
  stop_process "$emulator"
done
