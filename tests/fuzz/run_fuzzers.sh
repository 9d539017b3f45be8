#!/usr/bin/env bash
# Builds the libFuzzer harnesses in fuzz/ with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for FUZZ_SECONDS over a copy of its
# seed corpus, fuzz/corpus/<name>/. The seeds, which include every input that
# once crashed a harness, run first. Any crash, sanitizer report, failed check,
# timeout or out-of-memory fails the test.
#
#   tests/fuzz/run_fuzzers.sh [HARNESS...]     (default: all of them)
#
# Environment: FUZZ_SECONDS (per harness, default 60), FUZZ_BUILD (build
# directory, default build/fuzz), FUZZ_KEEP=1 keeps the grown corpora.
# Exits 0 when no harness failed, 1 when one did (the input that failed is
# copied to FUZZ_BUILD/artifacts/ and named), 77 (skipped) when clang or the
# libFuzzer runtime is missing; under PARDEMO_CI=1 a skip is a failure.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=${FUZZ_BUILD:-$REPO/build/fuzz}
HARNESSES=("$@")
[[ ${#HARNESSES[@]} -gt 0 ]] || HARNESSES=(fuzz_options fuzz_count fuzz_records fuzz_wordfreq)

skip() {
  if [[ ${PARDEMO_CI:-0} == 1 ]]; then
    echo "fuzz: cannot run: $* (PARDEMO_CI=1: a skip is a failure)"
    exit 1
  fi
  echo "fuzz: skipped: $*"
  exit 77
}

command -v clang++ >/dev/null || skip "clang++ is not installed (Debian package clang)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-fuzz.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM HUP
echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' >"$TMP/probe.cpp"
clang++ -fsanitize=fuzzer,address,undefined "$TMP/probe.cpp" -o "$TMP/probe" 2>"$TMP/probe.log" ||
  skip "clang++ cannot link a libFuzzer program (Debian package libclang-rt-14-dev): $(head -n 1 "$TMP/probe.log")"

echo "fuzz: building ${HARNESSES[*]} in $BUILD"
if ! CC=clang CXX=clang++ cmake -S "$REPO/fuzz" -B "$BUILD" -G Ninja >"$TMP/configure.log" 2>&1; then
  cat "$TMP/configure.log"
  echo "fuzz: FAILED: cmake could not configure $BUILD"
  exit 1
fi
if ! cmake --build "$BUILD" -j "$(nproc)" --target "${HARNESSES[@]}" >"$TMP/build.log" 2>&1; then
  grep -E 'error|FAILED' "$TMP/build.log" | head -n 40
  echo "fuzz: FAILED: the harnesses did not build"
  exit 1
fi

failed=0
mkdir -p "$BUILD/artifacts"
for h in "${HARNESSES[@]}"; do
  seeds=$REPO/fuzz/corpus/$h
  if [[ ! -d $seeds ]]; then
    echo "not ok - $h: no seed corpus $seeds"
    failed=1
    continue
  fi
  work=$TMP/$h
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$seeds"/* "$work/corpus/"
  dict=()
  [[ -f $REPO/fuzz/$h.dict ]] && dict=("-dict=$REPO/fuzz/$h.dict")
  # -timeout: one input taking 20 s is a hang. -rss_limit_mb: a leak or a
  # runaway allocation. -close_fd_mask=1: the harnesses' stdout is noise.
  "$BUILD/$h" "$work/corpus" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 \
    -close_fd_mask=1 -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  inputs=$(find "$work/corpus" -type f | wc -l)
  if [[ $rc -eq 0 ]] && [[ -z $(ls -A "$work/artifacts") ]]; then
    echo "ok - $h: ${runs:-?} inputs in ${SECONDS_EACH} s, corpus $(ls "$seeds" | wc -l) -> $inputs"
  else
    echo "not ok - $h: exit code $rc"
    grep -E -A 12 'ERROR:|runtime error|check failed|terminate called' "$work/log" | head -n 60
    for a in "$work/artifacts"/*; do
      [[ -e $a ]] || continue
      cp "$a" "$BUILD/artifacts/$h-$(basename "$a")"
      echo "  input: $BUILD/artifacts/$h-$(basename "$a") (replay: $BUILD/$h FILE)"
    done
    failed=1
  fi
  if [[ ${FUZZ_KEEP:-0} == 1 ]]; then
    rm -rf "$BUILD/corpus/$h" && mkdir -p "$BUILD/corpus" && cp -r "$work/corpus" "$BUILD/corpus/$h"
  fi
done
exit "$failed"
