# Shared by bench/run.sh: one local coze-emulator, N JWT profiles, and the
# measurements taken of a running broker. Sourced, not run.
#   needs: $build (a build directory), $work (an empty scratch directory)

duration=60          # token lifetime asked for; both brokers renew at half of it

# make_key: an RSA key pair and the emulator's app file in $work
make_key() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
  openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
  cat >"$work/apps.yaml" <<YAML
apps:
  - client_id: "4200"
    type: jwt
    public_keys: { bench: pub.pem }
YAML
}

# start_emulator: a fresh emulator (no spent jtis); sets $emulator and $url
start_emulator() {
  rm -f "$work/emulator.out"
  "$build/bin/coze-emulator" --listen=127.0.0.1:0 --apps="$work/apps.yaml" --ca-out="$work/ca.pem" \
    >"$work/emulator.out" 2>"$work/emulator.err" &
  emulator=$!
  pids+=("$emulator")
  for _ in $(seq 200); do [ -s "$work/emulator.out" ] && break; sleep 0.05; done
  url=$(head -n1 "$work/emulator.out" | sed 's/^listening on //')
}

stop_process() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# write_config N DIR: DIR/tokenbroker.yaml with N profiles writing DIR/out/pI.token
write_config() {
  local n=$1 dir=$2
  mkdir -p "$dir/out"
  {
    echo "broker: { state_dir: $dir/state, admin: off, refresh: { at: 0.5 } }"
    echo "defaults: { base_url: $url, ca_file: $work/ca.pem }"
    echo "logging: { loggers: { root: { level: warning } } }"
    echo "profiles:"
    for ((i = 0; i < n; i++)); do
      echo "  p$i: { flow: jwt, client_id: \"4200\", public_key_id: bench, private_key: { file: $work/key.pem }, duration: ${duration}s, outputs: [ { file: $dir/out/p$i.token } ] }"
    done
  } >"$dir/tokenbroker.yaml"
}

now_ms() { date +%s%3N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# measure NAME PID OUTDIR N T0 WINDOW: waits for N token files, then samples
# the CPU of PID (and of the emulator, which shares the cores) over WINDOW s
measure() {
  local name=$1 pid=$2 out=$3 n=$4 t0=$5 window=$6
  while [ "$(ls "$out" | wc -l)" -lt "$n" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "$name died" >&2; return 1; }
    sleep 0.02
  done
  local ready_ms=$(( $(now_ms) - t0 ))
  local rss_ready; rss_ready=$(rss_kib "$pid")
  local hz; hz=$(getconf CLK_TCK)
  local c0 e0; c0=$(cpu_ticks "$pid"); e0=$(cpu_ticks "$emulator")
  sleep "$window"
  local c1 e1; c1=$(cpu_ticks "$pid"); e1=$(cpu_ticks "$emulator")
  local percent='BEGIN { printf "%.2f", (b - a) * 100 / hz / w }'
  local cpu ecpu
  cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v w="$window" "$percent")
  ecpu=$(awk -v a="$e0" -v b="$e1" -v hz="$hz" -v w="$window" "$percent")
  echo "$name n=$n ready_ms=$ready_ms cpu_percent=$cpu rss_kib=$(rss_kib "$pid") rss_ready_kib=$rss_ready emulator_cpu_percent=$ecpu"
}

# value LINE KEY: the value of KEY=... in a measure line
value() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
