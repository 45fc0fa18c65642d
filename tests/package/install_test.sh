#!/usr/bin/env bash
# The Debian packages on this machine, as an operator uses them:
#   1. apt-get install ./tokenbroker_V-1_amd64.deb ./tokenbroker-dev_V-1_all.deb
#      - the layout, the service user and its directories, the unit enabled,
#        `systemd-analyze verify` clean, `tokenbroker check` as the unit runs it
#      - an out-of-tree plugin built with find_package(tokenbroker)
#      - the installed broker run as `tokenbroker` against the Coze emulator:
#        a consumer in the output's group reads the token, another user cannot
#   2. apt-get install of revision 2 (an upgrade): the edited conffile and the
#      state survive, and the broker goes on from that state
#   3. apt-get remove: configuration and state stay
#   4. apt-get purge: state, tokens and configuration are gone
# Where systemd is not PID 1 (CI containers), deb-systemd-invoke starts,
# restarts and stops nothing: the test says so and checks the rest.
#   install_test.sh PACKAGE_DIR COZE_EMULATOR HELLO_FLOW_C
set -uo pipefail
packages=$1
emulator=$2
hello_source=$3

unit=tokenbroker.service
config=/etc/tokenbroker/tokenbroker.yaml
wants_link=/etc/systemd/system/multi-user.target.wants/$unit
plugin_prefix=/opt/tokenbroker-package-test
consumers=tb-pkg-consumers
reader=tb-pkg-reader
outsider=tb-pkg-outsider
pat=pat_pkg_0123456789

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect() {
  local what=$1
  shift
  "$@" || fail "$what"
  echo "ok: $what"
}
equals() {
  local what=$1 actual=$2 expected=$3
  [ "$actual" = "$expected" ] || fail "$what: '$actual', expected '$expected'"
  echo "ok: $what ($actual)"
}

[ "$(id -u)" = 0 ] || { echo "SKIP: installing packages needs root"; exit 77; }
command -v apt-get >/dev/null || { echo "SKIP: no apt-get"; exit 77; }
if [ -n "$(dpkg-query -W -f='${db:Status-Abbrev}' tokenbroker 2>/dev/null | tr -d ' ')" ] &&
   [ "$(dpkg-query -W -f='${db:Status-Abbrev}' tokenbroker 2>/dev/null | tr -d ' ')" != un ]; then
  fail "tokenbroker is installed on this machine; this test installs and purges its own build. Purge it first (apt-get purge tokenbroker)"
fi

shopt -s nullglob
first=("$packages"/first/tokenbroker_*-1_amd64.deb "$packages"/first/tokenbroker-dev_*-1_all.deb)
upgrade=("$packages"/upgrade/tokenbroker_*-2_amd64.deb "$packages"/upgrade/tokenbroker-dev_*-2_all.deb)
[ ${#first[@]} = 2 ] && [ ${#upgrade[@]} = 2 ] || fail "packages missing in $packages (DebianPackageBuild makes them)"
version=$(basename "${first[0]}" | sed 's/^tokenbroker_\(.*\)-1_amd64\.deb$/\1/')

work=$(mktemp -d)
had_user=no
getent passwd tokenbroker >/dev/null && had_user=yes
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
  dpkg --purge tokenbroker tokenbroker-dev >/dev/null 2>&1
  for user in "$reader" "$outsider"; do userdel "$user" >/dev/null 2>&1; done
  groupdel "$consumers" >/dev/null 2>&1
  groupdel "$outsider" >/dev/null 2>&1
  if [ "$had_user" = no ]; then
    userdel tokenbroker >/dev/null 2>&1
    groupdel tokenbroker >/dev/null 2>&1
  fi
  rm -rf "$work" "$plugin_prefix"
}
trap cleanup EXIT

apt_get() {
  # --force-confold: what an unattended upgrade does with an edited conffile.
  DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@" >"$work/apt.log" 2>&1 || {
    cat "$work/apt.log" >&2
    fail "apt-get $*"
  }
}
as_user() {
  # What the unit's User=/Group= (and supplementary groups) give a process.
  local user=$1
  shift
  setpriv --reuid "$user" --regid "$(id -g "$user")" --init-groups "$@"
}
package_status() {
  dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '
}
systemd_runs() {
  [ -d /run/systemd/system ]
}

echo "== 1. install $version-1"
apt_get install "${first[@]}"
equals "installed version" "$(dpkg-query -W -f='${Version}' tokenbroker)" "$version-1"
equals "tokenbroker-dev version" "$(dpkg-query -W -f='${Version}' tokenbroker-dev)" "$version-1"
expect "/usr/bin/tokenbroker is stripped" sh -c 'file -b /usr/bin/tokenbroker | grep -q ", stripped"'
for plugin in pat jwt oauth; do
  expect "plugin $plugin.so installed" test -f /usr/lib/tokenbroker/plugins/$plugin.so
done
expect "the emulator is in no package" sh -c '! dpkg -L tokenbroker tokenbroker-dev | grep -q emulator'
expect "manual pages are compressed" test -f /usr/share/man/man8/tokenbroker.8.gz -a -f /usr/share/man/man5/tokenbroker.yaml.5.gz
expect "bash completion installed" test -f /usr/share/bash-completion/completions/tokenbroker
expect "examples installed" test -f /usr/share/doc/tokenbroker/examples/jwt.yaml
expect "$config is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' tokenbroker | grep -q ' $config '"
expect "plugin.h in tokenbroker-dev" test -f /usr/include/tokenbroker/plugin.h

passwd_entry=$(getent passwd tokenbroker) || fail "no tokenbroker user after install"
uid=$(echo "$passwd_entry" | cut -d: -f3)
expect "tokenbroker is a system user (uid $uid)" test "$uid" -lt 1000
equals "tokenbroker's shell" "$(echo "$passwd_entry" | cut -d: -f7)" /usr/sbin/nologin
equals "/var/lib/tokenbroker" "$(stat -c '%U:%G %a' /var/lib/tokenbroker)" "tokenbroker:tokenbroker 700"
equals "/run/tokenbroker" "$(stat -c '%U:%G %a' /run/tokenbroker)" "tokenbroker:tokenbroker 711"
equals "/etc/tokenbroker" "$(stat -c '%U:%G %a' /etc/tokenbroker)" "root:tokenbroker 750"
equals "enabled: $wants_link" "$(readlink "$wants_link")" /lib/systemd/system/$unit
verify_output=$(systemd-analyze verify /lib/systemd/system/$unit 2>&1)
equals "systemd-analyze verify" "$?:$verify_output" "0:"
equals "check as the unit runs it" "$(as_user tokenbroker /usr/bin/tokenbroker check 2>&1)" "ok: 0 profiles"
if systemd_runs; then
  expect "the service runs (READY=1 came)" systemctl is-active --quiet $unit
  systemctl stop $unit
fi

echo "== an out-of-tree plugin built against tokenbroker-dev"
mkdir -p "$work/hello"
cp "$hello_source" "$work/hello/hello_flow.c"
cat >"$work/hello/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.18)
project(hello C)
find_package(tokenbroker 0.1 REQUIRED)
message(STATUS "tokenbroker plugin ABI ${TOKENBROKER_PLUGIN_ABI_VERSION}")
tokenbroker_add_plugin(hello hello_flow.c)
CMAKE
{ cmake -S "$work/hello" -B "$work/hello/build" -DCMAKE_INSTALL_PREFIX=$plugin_prefix &&
  cmake --build "$work/hello/build" && cmake --install "$work/hello/build"; } >"$work/hello.log" 2>&1 || {
  cat "$work/hello.log" >&2
  fail "the out-of-tree plugin does not build with find_package(tokenbroker)"
}
expect "find_package(tokenbroker) gives the ABI version" grep -q "tokenbroker plugin ABI 1" "$work/hello.log"
expect "hello.so installed by tokenbroker_add_plugin" test -f $plugin_prefix/lib/tokenbroker/plugins/hello.so

echo "== the installed broker, as tokenbroker, against the Coze emulator"
printf 'pats: [%s]\n' "$pat" >"$work/apps.yaml"
exec 3< <(exec "$emulator" --listen=127.0.0.1:0 --apps="$work/apps.yaml" --ca-out="$work/ca.pem" 2>"$work/emulator.err")
emulator_pid=$!
read -r -t 60 listening <&3 || { cat "$work/emulator.err" >&2; fail "the emulator did not start"; }
url=${listening#listening on }
install -m 0644 "$work/ca.pem" /etc/tokenbroker/emulator-ca.pem

groupadd "$consumers"
useradd --no-create-home --gid "$consumers" --shell /usr/sbin/nologin "$reader"
useradd --no-create-home --user-group --shell /usr/sbin/nologin "$outsider"
# What the README's drop-in (SupplementaryGroups=) does for the unit.
usermod -aG "$consumers" tokenbroker

cat >"$config" <<YAML
broker:
  state_dir: /var/lib/tokenbroker
  admin: off
  plugin_dirs: [/usr/lib/tokenbroker/plugins, $plugin_prefix/lib/tokenbroker/plugins]
defaults:
  base_url: $url
  ca_file: /etc/tokenbroker/emulator-ca.pem
profiles:
  coze:
    flow: pat
    token: $pat
    verify: true
    outputs:
      - file: /run/tokenbroker/coze.token
        group: $consumers
        mode: "0640"
  hello:
    flow: hello
    prefix: pkg
    outputs:
      - file: /run/tokenbroker/hello.token
YAML
equals "check of the edited configuration" "$(as_user tokenbroker /usr/bin/tokenbroker check 2>&1)" "ok: 2 profiles"
as_user tokenbroker /usr/bin/tokenbroker once >"$work/once.log" 2>&1 || {
  cat "$work/once.log" >&2
  fail "tokenbroker once as tokenbroker"
}
equals "the Coze token" "$(cat /run/tokenbroker/coze.token)" "$pat"
equals "the Coze token's owner and mode" "$(stat -c '%U:%G %a' /run/tokenbroker/coze.token)" "tokenbroker:$consumers 640"
equals "the out-of-tree plugin's token" "$(cat /run/tokenbroker/hello.token)" pkg-1
equals "hello's state" "$(stat -c '%U %a' /var/lib/tokenbroker/hello.json)" "tokenbroker 600"
equals "a consumer in $consumers reads the token" "$(as_user "$reader" cat /run/tokenbroker/coze.token)" "$pat"
expect "a user outside $consumers cannot read it" sh -c "! setpriv --reuid $outsider --regid $outsider --init-groups cat /run/tokenbroker/coze.token 2>/dev/null"
expect "nor can a consumer list /run/tokenbroker" sh -c "! setpriv --reuid $reader --regid $consumers --init-groups ls /run/tokenbroker >/dev/null 2>&1"

echo "== 2. upgrade to $version-2"
config_sum=$(sha256sum <"$config")
state_sum=$(sha256sum </var/lib/tokenbroker/hello.json)
apt_get install "${upgrade[@]}"
equals "upgraded version" "$(dpkg-query -W -f='${Version}' tokenbroker)" "$version-2"
equals "the edited configuration after the upgrade" "$(sha256sum <"$config")" "$config_sum"
equals "hello's state after the upgrade" "$(sha256sum </var/lib/tokenbroker/hello.json)" "$state_sum"
equals "still enabled" "$(readlink "$wants_link")" /lib/systemd/system/$unit
if systemd_runs; then
  expect "the service was restarted on the new files" systemctl is-active --quiet $unit
  systemctl stop $unit
fi
as_user tokenbroker /usr/bin/tokenbroker once hello >"$work/once.log" 2>&1 || {
  cat "$work/once.log" >&2
  fail "tokenbroker once after the upgrade"
}
expect "the upgraded broker goes on from the kept state (token $(cat /run/tokenbroker/hello.token))" \
  sh -c '[ "$(cat /run/tokenbroker/hello.token)" != pkg-1 ] && grep -qx "pkg-[0-9]*" /run/tokenbroker/hello.token'

echo "== 3. remove"
apt_get remove tokenbroker-dev tokenbroker
equals "status after remove" "$(package_status tokenbroker)" rc
expect "the executable is gone" test ! -e /usr/bin/tokenbroker
equals "the configuration after remove" "$(sha256sum <"$config")" "$config_sum"
expect "the state stays after remove" test -f /var/lib/tokenbroker/hello.json

echo "== 4. purge"
rm -f /etc/tokenbroker/emulator-ca.pem
apt_get purge tokenbroker   # tokenbroker-dev has no conffiles: removed is purged
status=$(package_status tokenbroker)
expect "status after purge ('$status')" test -z "$status" -o "$status" = un
expect "no state after purge (refresh tokens included)" test ! -e /var/lib/tokenbroker
expect "no token files after purge" test ! -e /run/tokenbroker
expect "no configuration after purge" test ! -e /etc/tokenbroker
expect "no enablement after purge" test ! -e "$wants_link" -a ! -L "$wants_link"
expect "the tokenbroker user stays (Debian policy: a uid is not recycled)" sh -c "getent passwd tokenbroker >/dev/null"

if ! systemd_runs; then
  echo "not covered here: systemd is not PID 1, so the service was not started on install," \
    "restarted on upgrade or stopped on remove (deb-systemd-invoke skips them without systemd);" \
    "ServiceManagerTest covers the unit's READY/RELOADING/STOPPING messages"
fi
echo "DebianPackageInstallTest: passed"
