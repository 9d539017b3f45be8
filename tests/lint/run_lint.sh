#!/usr/bin/env bash
# Static analysis of src/: clang-tidy with the repository's .clang-tidy over every
# .cpp under src/ (and the src/ headers they include), then cppcheck (warning, performance, portability). Any finding
# fails. Both read the compile commands of a configured build directory.
#
#   tests/lint/run_lint.sh [BUILD_DIR]      (default build/default)
#
# Environment: LINT_JOBS (parallel clang-tidy processes, default nproc).
# Exits 0 when both are clean, 1 on a finding, 2 on bad usage, 77 (skipped)
# when clang-tidy or cppcheck is missing; under PARDEMO_CI=1 a skip is a failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$REPO/build/default}" 2>/dev/null && pwd) || {
  echo "lint: no build directory ${1:-$REPO/build/default}: configure one first (cmake --preset default)" >&2
  exit 2
}
JOBS=${LINT_JOBS:-$(nproc)}

skip() {
  if [[ ${PARDEMO_CI:-0} == 1 ]]; then
    echo "lint: cannot run: $* (PARDEMO_CI=1: a skip is a failure)"
    exit 1
  fi
  echo "lint: skipped: $*"
  exit 77
}

if [[ ! -f $BUILD/compile_commands.json ]]; then
  echo "lint: $BUILD/compile_commands.json is missing (CMAKE_EXPORT_COMPILE_COMMANDS is on in the main build)" >&2
  exit 2
fi
TIDY=$(command -v clang-tidy-14 || command -v clang-tidy) || skip "clang-tidy is not installed (Debian package clang-tidy)"
command -v cppcheck >/dev/null || skip "cppcheck is not installed (Debian package cppcheck)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-lint.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP
failed=0

# Every src/ .cpp the build compiles, checked in parallel. The compile commands
# are g++'s: clang does not know a few of its warning options.
start=$(date +%s)
/usr/bin/python3 -c 'import json, sys; print("\n".join(sorted({e["file"] for e in json.load(open(sys.argv[1]))
                                                          if e["file"].startswith(sys.argv[2])})))' \
  "$BUILD/compile_commands.json" "$REPO/src/" >"$TMP/files"
count=$(wc -l <"$TMP/files")
xargs -a "$TMP/files" -P "$JOBS" -n 1 "$TIDY" -p "$BUILD" --quiet --extra-arg=-Wno-unknown-warning-option \
  >"$TMP/tidy.log" 2>&1
rc=$?
findings=$(grep -cE ': (warning|error): ' "$TMP/tidy.log" || true)
if [[ $rc -eq 0 && $findings -eq 0 && $count -gt 0 ]]; then
  echo "ok - clang-tidy: $count files of src/ are clean ($(( $(date +%s) - start )) s)"
else
  grep -E -A 3 ': (warning|error): ' "$TMP/tidy.log" | head -n 200
  echo "not ok - clang-tidy: $findings finding(s) in $count files, exit code $rc"
  failed=1
fi

start=$(date +%s)
# BUILD is absolute, so the project's paths are too, and so must the filter be.
cppcheck --project="$BUILD/compile_commands.json" --file-filter="$REPO/src/*" -j "$JOBS" --quiet \
  --enable=warning,performance,portability --inline-suppr --error-exitcode=1 \
  --suppress=missingIncludeSystem \
  --template='{file}:{line}: {severity}: {message} [{id}]' >"$TMP/cppcheck.log" 2>&1
rc=$?
if [[ $rc -eq 0 ]]; then
  echo "ok - cppcheck: src/ is clean ($(( $(date +%s) - start )) s)"
else
  cat "$TMP/cppcheck.log"
  echo "not ok - cppcheck: exit code $rc"
  failed=1
fi
exit "$failed"
