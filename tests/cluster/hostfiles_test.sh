#!/usr/bin/env bash
# The example hostfiles in hostfiles/ pass hostfiles/check-hostfile, and the
# checker rejects each kind of mistake it documents (one bad hostfile per
# mistake, each must fail with an error naming its line).
#
#   tests/cluster/hostfiles_test.sh HOSTFILES_DIR
set -u
if [[ $# -ne 1 || ! -d $1 ]]; then
  echo "usage: $0 HOSTFILES_DIR" >&2
  exit 2
fi
DIR=$(cd "$1" && pwd)
CHECK=$DIR/check-hostfile
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-hostfiles.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP
failed=0

for f in localhost docker-cluster.example netns-cluster cluster.template; do
  if out=$("$CHECK" "$DIR/$f" 2>&1); then
    echo "ok - $f: $out"
  else
    echo "not ok - $f is rejected:"; echo "$out"; failed=1
  fi
done

# name|hostfile text|the line the error must name
cases=(
  "underscore|a slots=1\\nproject_worker_1 slots=1\\n|2"
  "zero slots|a slots=0\\n|1"
  "bad address|10.0.0.256 slots=1\\n|1"
  "host:N|a:4\\n|1"
  "unknown key|a slots=2 cores=2\\n|1"
  "max_slots below slots|a slots=4 max_slots=2\\n|1"
  "host twice with slots|a slots=1\\nb\\na slots=1\\n|3"
  "no host|# only a comment\\n|"
)
for c in "${cases[@]}"; do
  IFS='|' read -r name text line <<<"$c"
  printf '%b' "$text" >"$TMP/hosts"
  out=$("$CHECK" "$TMP/hosts" 2>&1)
  rc=$?
  want="$TMP/hosts:${line:+$line:} error:"
  if [[ $rc -eq 1 && $out == *"$want"* ]]; then
    echo "ok - rejects $name"
  else
    echo "not ok - $name: exit $rc, expected 1 and an error at ${line:-file level}:"; echo "$out"; failed=1
  fi
done

# A dotted name is a warning only; a host listed twice without slots= counts
# one slot per line.
printf 'node1.example.org slots=2\nb\nb\n' >"$TMP/hosts"
out=$("$CHECK" "$TMP/hosts" 2>&1)
rc=$?
if [[ $rc -eq 0 && $out == *"1: warning:"* && $out == *"2 hosts, 4 slots"* ]]; then
  echo "ok - dotted name warns, repeated host counts its lines"
else
  echo "not ok - dotted name / repeated host: exit $rc:"; echo "$out"; failed=1
fi

[[ $failed -eq 0 ]] && echo "hostfiles: passed" || echo "hostfiles: FAILED"
exit $failed
