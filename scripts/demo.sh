#!/usr/bin/env bash
# The README's main command: build, start the bundled Coze emulator, and run
# the broker against it so real tokens flow without a Coze account.
#   scripts/demo.sh                  runs until Ctrl-C
#   DEMO_SECONDS=40 scripts/demo.sh  stops by itself
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh
scripts/build.sh >/dev/null
build=${BUILD_DIR:-build}
bin=$root/$build/bin
demo=$root/$build/demo
mkdir -p "$demo"
cd "$demo"

if [ ! -f demo-private.pem ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out demo-private.pem 2>/dev/null
  chmod 600 demo-private.pem
  openssl pkey -in demo-private.pem -pubout -out demo-public.pem
fi
cp "$root/config/demo/apps.yaml" apps.yaml

emulator_pid= broker_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  [ -n "$emulator_pid" ] && kill -TERM "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

"$bin/coze-emulator" --listen=127.0.0.1:0 --apps=apps.yaml --ca-out=emulator-ca.pem >emulator.out 2>emulator.err &
emulator_pid=$!
for _ in $(seq 100); do [ -s emulator.out ] && break; sleep 0.05; done
url=$(head -n1 emulator.out | sed 's/^listening on //')
echo "== Coze emulator at $url (log: $demo/emulator.err)"

sed -e "s|@EMULATOR_URL@|$url|" -e "s|@PLUGIN_DIR@|$root/$build/lib/tokenbroker/plugins|" \
  "$root/config/demo/tokenbroker.yaml" >tokenbroker.yaml
echo "== tokenbroker check"
"$bin/tokenbroker" check -c tokenbroker.yaml
echo "== tokenbroker once demo-jwt demo-pat"
"$bin/tokenbroker" once demo-jwt demo-pat -c tokenbroker.yaml
echo "== $demo/out/demo-jwt.json:"
cat out/demo-jwt.json

echo "== tokenbroker run (log: $demo/broker.log); Ctrl-C stops"
"$bin/tokenbroker" run -c tokenbroker.yaml 2>broker.log &
broker_pid=$!
deadline=$(( $(date +%s) + ${DEMO_SECONDS:-1000000000} ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  sleep 10
  echo "-- $(date +%T) tokenbroker status:"
  "$bin/tokenbroker" status -c tokenbroker.yaml || true
  echo "   demo-jwt token now: $(cut -c1-16 out/demo-jwt.token)..."
done
