#!/bin/sh
# expect_report.sh <pattern> <program> [args...]: passes only when the program
# ends with a non-zero exit code AND its output matches the (extended) regular
# expression: the sanitizer saw the fault and the options make a report fatal,
# which is what every other test in the asan build relies on.
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
  echo "FAIL: $* exited 0: a sanitizer report must fail the program" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq "$pattern"; then
  echo "FAIL: no report matching '$pattern' from $* (exit code $rc)" >&2
  exit 1
fi
echo "PASS: reported ('$pattern') and exited with $rc"
