# The cases of an end-to-end test script, sourced by it once it has made its
# scratch directory TMP:
#
#   begin "what the case shows"
#   run CMD ARGS...      stdout to $OUT, stderr to $ERR, exit status in $RC;
#                        returns 1 (and fails the case) when CMD ran past
#                        RUN_LIMIT seconds (default 120): a hang
#   fail "why"           the case fails, for this reason among others
#   skip "why"           in place of end: the case cannot run here; a pass,
#                        but a failure under PARDEMO_CI=1, where every case
#                        must run
#   end                  prints `ok - NAME`, or `not ok - NAME: why; why` and
#                        the last run's stderr
#   finish               prints the time taken and `N passed, M failed`; its
#                        status is non-zero when a case failed (the script's last
#                        command)
# shellcheck shell=bash

START=$SECONDS
passed=0
failed=0
CASE=""
WHY=()
NRUN=0
OUT=""
ERR=""
RC=0

begin() {
  CASE=$1
  WHY=()
}
fail() { WHY+=("$1"); }
run() {
  NRUN=$((NRUN + 1))
  OUT=$TMP/$NRUN.out
  ERR=$TMP/$NRUN.err
  timeout --foreground -k 10 "${RUN_LIMIT:-120}" "$@" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  if [[ $RC -eq 124 || $RC -eq 137 ]]; then
    fail "timed out (hang?): $*"
    return 1
  fi
  return 0
}
end() {
  if [[ ${#WHY[@]} -eq 0 ]]; then
    echo "ok - $CASE"
    passed=$((passed + 1))
  else
    local why
    why=$(printf '%s; ' "${WHY[@]}")
    echo "not ok - $CASE: ${why%; }"
    if [[ -s $ERR ]]; then sed 's/^/#     /' "$ERR"; fi
    failed=$((failed + 1))
  fi
}
skip() {
  if [[ ${PARDEMO_CI:-0} == 1 ]]; then
    echo "not ok - $CASE: skipped under PARDEMO_CI=1: $1"
    failed=$((failed + 1))
  else
    echo "ok - $CASE # SKIP $1"
    passed=$((passed + 1))
  fi
}
finish() {
  echo "# elapsed: $((SECONDS - START)) s"
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
