#!/usr/bin/env bash
# The bash completion (installer/bash-completion/tokenbroker) as a user's
# shell runs it: commands, options, and the profile names of the
# configuration named on the command line.
#   bash_completion_test.sh TOKENBROKER_BIN_DIR COMPLETION_FILE
set -uo pipefail
bin_dir=$1
completion=$2
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
  echo "bash-completion is not installed (apt-get install bash-completion)" >&2
  exit 1
fi
source /usr/share/bash-completion/bash_completion
source "$completion"
export PATH="$bin_dir:$PATH"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/tokenbroker.yaml" <<YAML
broker:
  state_dir: $dir/state
profiles:
  alpha:
    flow: pat
    token: t1
    outputs: [{file: $dir/a}]
  beta:
    flow: pat
    token: t2
    outputs: [{file: $dir/b}]
YAML

failures=0
expect() {
  local line=$1 want=$2
  COMP_LINE=$line
  COMP_POINT=${#line}
  read -ra COMP_WORDS <<< "$line"
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _tokenbroker tokenbroker "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  local got="${COMPREPLY[*]}"
  if [ "$got" = "$want" ]; then
    echo "ok   [$line] -> $got"
  else
    echo "FAIL [$line] -> '$got', expected '$want'"
    failures=$((failures + 1))
  fi
}

expect "tokenbroker " "run check once token login status reload plugins"
expect "tokenbroker lo" "login"
expect "tokenbroker --con" "--config"
expect "tokenbroker once -c $dir/tokenbroker.yaml " "alpha beta"
expect "tokenbroker token --config=$dir/tokenbroker.yaml b" "beta"
expect "tokenbroker -c $dir/tokenbroker.yaml login a" "alpha"
expect "tokenbroker status " ""
expect "tokenbroker token --format e" "env exec-credential"
expect "tokenbroker --format json token -c $dir/tokenbroker.yaml a" "alpha"
exit $((failures > 0))
