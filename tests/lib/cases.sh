# The cases of an end-to-end test script. Sourced first, before any cd:
#
#   pardemo_argument "$@"  the script's one argument, the pardemo binary, as an
#                        absolute path in PARDEMO; exits 2 with one line
#                        otherwise
# and, once the script has made its scratch directory TMP and gone there:
#   begin "what the case shows"
#   run CMD ARGS...      stdout to $OUT, stderr to $ERR (also listed in ERRS),
#                        exit status in $RC; returns 1 (and fails the case)
#                        when CMD ran past RUN_LIMIT seconds (default 120): a
#                        hang
#   fail "why"           the case fails, for this reason among others
#   expect_rc CODE       the case fails unless the last command exited CODE
#   expect_out REGEX DESCRIPTION
#                        the case fails unless a stdout line of the last
#                        command matches the ERE
#   skip "why"           in place of end: the case cannot run here; a pass,
#                        but a failure under PARDEMO_CI=1, where every case
#                        must run
#   end                  prints `ok - NAME`, or `not ok - NAME: why; why` and
#                        every non-empty stderr file in ERRS
#   finish               prints the time taken and `N passed, M failed`; its
#                        status is non-zero when a case failed (the script's last
#                        command)
# shellcheck shell=bash

START=$SECONDS
passed=0
failed=0
CASE=""  # name of the current case
WHY=()   # failure reasons of the current case
ERRS=()  # stderr files of the current case's commands
NRUN=0   # counter for unique capture file names
OUT=""   # stdout file of the last command
ERR=""   # stderr file of the last command
RC=0     # exit code of the last command

# pardemo_argument, in its own file for the scripts that need only it.
source "$(dirname "${BASH_SOURCE[0]}")/pardemo_argument.sh"

begin() {
  CASE=$1
  WHY=()
  ERRS=()
}
fail() { WHY+=("$1"); }
run() {
  local limit=${RUN_LIMIT:-120}
  NRUN=$((NRUN + 1))
  OUT=$TMP/$NRUN.out
  ERR=$TMP/$NRUN.err
  ERRS+=("$ERR")
  # --foreground: signal mpirun alone. Signalling the whole process group hits
  # mpirun twice, and a second SIGTERM makes it exit without ending its ranks,
  # which then linger; one SIGTERM makes it end the ranks and exit.
  timeout --foreground -k 10 "$limit" "$@" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  if [[ $RC -eq 124 || $RC -eq 137 ]]; then
    fail "timed out after $limit s (hang?): $*"
    return 1
  fi
  return 0
}
end() {
  if [[ ${#WHY[@]} -eq 0 ]]; then
    echo "ok - $CASE"
    passed=$((passed + 1))
  else
    local why f
    why=$(printf '%s; ' "${WHY[@]}")
    echo "not ok - $CASE: ${why%; }"
    for f in "${ERRS[@]}"; do
      if [[ -s $f ]]; then
        echo "#   captured stderr ($(basename "$f")):"
        sed 's/^/#     /' "$f"
      fi
    done
    failed=$((failed + 1))
  fi
}
expect_rc() {
  if [[ $RC -ne $1 ]]; then fail "exit code $RC, expected $1"; fi
}
expect_out() {
  if ! grep -Eq -- "$1" "$OUT"; then fail "stdout lacks $2 (/$1/)"; fi
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
