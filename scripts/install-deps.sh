#!/usr/bin/env bash
# Installs the build and test dependencies on Debian 12 (as root, or via sudo).
set -euo pipefail

packages=(cmake g++ make pkg-config ccache libpoco-dev libyaml-cpp-dev libboost-test-dev libssl-dev openssl python3-jwt
  clang libclang-rt-14-dev systemd bash-completion lintian file dpkg-dev curl prometheus chromium)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
