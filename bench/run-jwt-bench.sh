#!/usr/bin/env bash
# Measures, in one run on one machine:
#   - RSA-2048 signing with OpenSSL itself (`openssl speed rsa2048`),
#   - JWT assertion signing with the jwt plugin's code and a fresh 2048-bit key,
#   - full jwt acquire round trips against a local coze-emulator over HTTPS,
# and prints each as a ratio to OpenSSL's sign/s, so figures from different
# machines compare. No thresholds: this is a measurement, not a test.
#
#   bench/run-jwt-bench.sh [BUILD_DIR] [SECONDS]     (defaults: build, 3)
# BUILD_DIR must contain bin/jwt_bench (cmake --build BUILD_DIR --target jwt_bench).
set -euo pipefail

build=${1:-build}
seconds=${2:-3}
bench="$build/bin/jwt_bench"
[[ -x "$bench" ]] || { echo "no $bench; build the jwt_bench target first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
openssl rsa -in "$work/key.pem" -pubout -out "$work/pub.pem" 2>/dev/null

echo "openssl: $(openssl version)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores online)"

# The line reads: rsa 2048 bits <sign time>s <verify time>s <sign/s> <verify/s>
openssl_speed() {
    local rate
    rate=$(openssl speed -seconds "$seconds" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }')
    [[ -n "$rate" ]] || { echo "could not read openssl speed output" >&2; exit 1; }
    echo "$rate"
}

# OpenSSL is measured before and after, and the ratios use the mean, so a
# change in machine load during the run shows and is partly evened out.
openssl_before=$(openssl_speed)
"$bench" --key "$work/key.pem" --public-key "$work/pub.pem" --seconds "$seconds" > "$work/bench.out"
openssl_after=$(openssl_speed)
jwt_sign=$(awk '$1 == "jwt_sign_per_s" { print $2 }' "$work/bench.out")
jwt_acquire=$(awk '$1 == "jwt_acquire_per_s" { print $2 }' "$work/bench.out")

awk -v b="$openssl_before" -v f="$openssl_after" -v s="$jwt_sign" -v a="$jwt_acquire" 'BEGIN {
    o = (b + f) / 2
    printf "openssl rsa2048 sign/s      %10.1f   (before %.1f, after %.1f)\n", o, b, f
    printf "jwt assertion sign/s        %10.1f   ratio to openssl %.3f\n", s, s / o
    printf "jwt acquire round trips/s   %10.1f   ratio to openssl %.4f\n", a, a / o
}'
