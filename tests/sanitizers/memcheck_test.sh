#!/usr/bin/env bash
# valgrind memcheck of pardemo's serial and threads paths.
#
#   tests/sanitizers/memcheck_test.sh PATH_TO_PARDEMO PATH_TO_FAULTY
#
# First, valgrind must catch the deliberate bugs of PATH_TO_FAULTY (faulty.cpp,
# built without sanitizers): an invalid read, and a definite leak with the
# suppressions below in force; otherwise a clean run of pardemo proves nothing.
# Then it runs every workload that `pardemo list` names, at a small size, with
# --backend serial and with --backend threads --threads 2, each as a plain process
# under
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
# and fails if any run reports a memory error or a definite leak (exit code 99),
# or does not verify its answer (any other non-zero exit code). Open MPI's own
# noise during MPI_Init/MPI_Finalize (pardemo starts MPI even for serial runs) is
# suppressed by Debian's openmpi-valgrind.supp and by valgrind.supp next to this
# script; every entry there is explained. Possible and indirect leaks (Open MPI
# keeps much of its state until exit) are listed but do not fail the run.
#
# Exits 0 when every run is clean, 1 otherwise, 2 on bad usage, and 77 (skipped)
# when valgrind is not installed, except under PARDEMO_CI=1, where that fails.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH_TO_PARDEMO PATH_TO_FAULTY" >&2
  exit 2
fi
PARDEMO=$1
FAULTY=$2
for f in "$PARDEMO" "$FAULTY"; do
  if [[ ! -x $f ]]; then
    echo "$0: $f is not an executable file" >&2
    exit 2
  fi
done
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v valgrind >/dev/null; then
  if [[ ${PARDEMO_CI:-} == 1 ]]; then
    echo "memcheck: valgrind is not installed (PARDEMO_CI=1: not skipping; scripts/setup installs it)" >&2
    exit 1
  fi
  echo "memcheck: skipped: valgrind is not installed (scripts/setup installs it)" >&2
  exit 77
fi

# Small sizes: valgrind runs the program 20 to 50 times slower.
declare -A SMALL=(
  [ep]="--class S"
  [mandelbrot]="--width 240 --height 120 --max-iter 200"
  [primes]="--size 300000"
  [sort]="--size 20011"
  [stencil]="--size 101 --iterations 3"
  [wordfreq]="--size 200003"
)

SUPP=(--suppressions="$HERE/valgrind.supp")
DEBIAN_SUPP=/usr/share/openmpi/openmpi-valgrind.supp
if [[ -r $DEBIAN_SUPP ]]; then SUPP+=(--suppressions="$DEBIAN_SUPP"); fi

if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-memcheck.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT

VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
  --show-leak-kinds=definite --num-callers=40 "${SUPP[@]}")
failed=0

# The canary: each fault must be reported (exit code 99, the report in the log).
for fault in "heap:Invalid read of size" "leak:definitely lost in loss record"; do
  log=$TMP/faulty-${fault%%:*}.log
  timeout -k 10 120 "${VALGRIND[@]}" --log-file="$log" "$FAULTY" "${fault%%:*}" >/dev/null 2>&1 </dev/null
  rc=$?
  if [[ $rc -eq 99 ]] && grep -q "${fault#*:}" "$log"; then
    echo "ok - valgrind catches faulty ${fault%%:*} ('${fault#*:}', exit code 99)"
  else
    echo "not ok - valgrind did not catch faulty ${fault%%:*}: exit code $rc, no '${fault#*:}'"
    sed 's/^/    /' "$log"
    failed=$((failed + 1))
  fi
done

# The workload names: the first column of `pardemo list`'s table, up to its blank line.
mapfile -t WORKLOADS < <("$PARDEMO" list | awk '/^ *workload +sizes/ {t = 1; next} t && /^ *$/ {exit} t && $1 !~ /^[-=+|]+$/ {print $1}')
if [[ ${#WORKLOADS[@]} -eq 0 ]]; then
  echo "not ok - pardemo list named no workload"
  failed=$((failed + 1))
fi

n=0
for w in "${WORKLOADS[@]}"; do
  if [[ -z ${SMALL[$w]:-} ]]; then
    echo "not ok - $w: no small size known here; add it to SMALL in $0"
    failed=$((failed + 1))
    continue
  fi
  for backend in "serial" "threads --threads 2"; do
    n=$((n + 1))
    log=$TMP/$n.log
    # shellcheck disable=SC2086  # the sizes and backend are word lists
    timeout -k 10 600 "${VALGRIND[@]}" --log-file="$log" "$PARDEMO" run "$w" ${SMALL[$w]} --backend $backend >"$TMP/$n.out" 2>"$TMP/$n.err" </dev/null
    rc=$?
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n1)
    what="$w --backend $backend"
    if [[ $rc -eq 0 && $errors == 0 ]]; then
      echo "ok - $what (0 errors, $(grep -o 'definitely lost: [0-9,]* bytes' "$log" | tail -n1 || echo 'no leaks'))"
    else
      failed=$((failed + 1))
      case $rc in
        99) echo "not ok - $what: valgrind reported ${errors:-?} errors" ;;
        124 | 137) echo "not ok - $what: timed out" ;;
        *) echo "not ok - $what: exit code $rc (errors: ${errors:-?})" ;;
      esac
      sed 's/^/    /' "$log" "$TMP/$n.err"
    fi
  done
done
echo "memcheck: $n runs, $failed failed"
[[ $failed -eq 0 ]]
