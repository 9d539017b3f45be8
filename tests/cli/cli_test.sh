#!/usr/bin/env bash
# End-to-end test of the pardemo command line.
#
#   tests/cli/cli_test.sh PATH_TO_PARDEMO
#
# Every case runs its commands under `timeout 60` (a hang fails the case), with
# stdout, stderr and the exit code captured in a temporary directory, and prints
# `ok - NAME` or `not ok - NAME: why` followed by the captured stderr. The last
# line is `N passed, M failed`; the exit status is non-zero if any case failed.
#
# Documented behaviour under test: exit codes 0 ok, 1 verification failed,
# 2 bad usage, 3 runtime error; a usage error prints exactly one stderr line,
# starting `pardemo: error:`, from rank 0 only, even under mpirun.
#
# Environment: MPIRUN (default mpirun), PYTHON (default /usr/bin/python3).
set -u

source "$(dirname "${BASH_SOURCE[0]}")/../lib/cases.sh"
pardemo_argument "$@"

MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
RUN_LIMIT=60

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-cli.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 3

# ---------------------------------------------------------------- harness

# Runs pardemo as a plain process / under mpirun with NP ranks.
pd() { run "$PARDEMO" "$@"; }
pdmpi() {
  local np=$1
  shift
  run "$MPIRUN" -np "$np" --oversubscribe "$PARDEMO" "$@"
}

# expect_no_out REGEX DESCRIPTION : no stdout line matches the ERE.
expect_no_out() {
  if grep -Eq -- "$1" "$OUT"; then
    fail "stdout has $2: $(grep -E -- "$1" "$OUT" | head -3 | tr '\n' '|')"
  fi
}

# Number of lines in a file, counting an unterminated last line.
count_lines() { grep -c '' "$1"; }

# await_exit PID TENTHS WHAT : waits up to TENTHS tenths of a second for the
# background job PID to end (killing it and failing with WHAT if it does not),
# then sets RC to its exit code.
await_exit() {
  local pid=$1 tenths=$2 what=$3
  for _ in $(seq "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    fail "$what"
    kill -KILL "$pid"
  fi
  wait "$pid"
  RC=$?
}

# ------------------------------------------------------------ preconditions

begin "prerequisites: $MPIRUN, $PYTHON, timeout"
command -v "$MPIRUN" >/dev/null || fail "$MPIRUN not found"
[[ -x $PYTHON ]] || fail "$PYTHON not found"
command -v timeout >/dev/null || fail "timeout not found"
end

# ------------------------------------------------------------ 1. good runs

begin "run ep --class S: exit 0, SUCCESSFUL, Result: sx= sy="
pd run ep --class S && {
  expect_rc 0
  expect_out '^Verification = SUCCESSFUL$' "'Verification = SUCCESSFUL'"
  expect_out '^Result: sx=[^ ]+ sy=[^ ]+' "a 'Result: sx=... sy=...' line"
  expect_out '^serial[[:space:]]' "a table row for the default backend serial"
}
end

for b in serial threads; do
  begin "run primes --size 100000000 --backend $b: primes=5761455"
  pd run primes --size 100000000 --backend "$b" && {
    expect_rc 0
    expect_out '^Result: primes=5761455$' "'Result: primes=5761455'"
    expect_out "^$b[[:space:]]" "a table row starting with $b"
    expect_out '^Verification = SUCCESSFUL$' "'Verification = SUCCESSFUL'"
  }
  end
done

begin "mpirun -np 3 run primes --size 100000000: default backend mpi, primes=5761455"
pdmpi 3 run primes --size 100000000 && {
  expect_rc 0
  expect_out '^Result: primes=5761455$' "'Result: primes=5761455'"
  expect_out '^mpi[[:space:]]+3[[:space:]]+3 x 1[[:space:]]' "a table row starting with mpi (3 workers, 3 x 1)"
  expect_no_out '^(serial|threads|hybrid)[[:space:]]' "a row for a backend other than mpi"
}
end

begin "mpirun -np 3 run primes --size 100000000 --backend hybrid --threads 2: primes=5761455"
pdmpi 3 run primes --size 100000000 --backend hybrid --threads 2 && {
  expect_rc 0
  expect_out '^Result: primes=5761455$' "'Result: primes=5761455'"
  expect_out '^hybrid[[:space:]]+6[[:space:]]+3 x 2[[:space:]]' "a table row starting with hybrid (6 workers, 3 x 2)"
}
end

JSON=$TMP/compare.jsonl
COMPARE_RESULT=""
begin "mpirun -np 4 compare ep --class S --repeat 1: serial, threads, mpi all verified, one Result line"
pdmpi 4 compare ep --class S --repeat 1 --json "$JSON" && {
  expect_rc 0
  for b in serial threads mpi; do
    # The timing-table row ends in the columns `verified` and `same bits as serial`.
    if ! grep -Eq "^$b[[:space:]].*[[:space:]]yes[[:space:]]+yes[[:space:]]*$" "$OUT"; then
      fail "no timing row for $b ending 'yes yes' (verified, same bits as serial)"
    fi
  done
  n=$(grep -Ec '^Result: sx=[^ ]+ sy=[^ ]+' "$OUT")
  [[ $n -eq 1 ]] || fail "$n 'Result: sx=... sy=...' lines, expected 1"
  expect_no_out '^Result \(' "'Result (backend):' lines (backends disagree)"
  expect_out '^Verification = SUCCESSFUL$' "'Verification = SUCCESSFUL'"
  COMPARE_RESULT=$(grep -E '^Result: ' "$OUT" | head -1)
}
end

begin "compare --json: 3 records serial/threads/mpi, verified, sx/sy bit-identical, hosts list, mpi ranks 4"
if [[ ! -f $JSON ]]; then
  fail "compare wrote no $JSON"
else
  NRUN=$((NRUN + 1))
  ERR=$TMP/$NRUN.err
  ERRS+=("$ERR")
  if ! why=$("$PYTHON" - "$JSON" 2>"$ERR" <<'EOF'
import json, math, struct, sys
problems = []
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
recs = [json.loads(l) for l in lines]
if len(recs) != 3:
    problems.append(f"{len(recs)} records, expected 3")
backends = [r.get("backend") for r in recs]
if backends != ["serial", "threads", "mpi"]:
    problems.append(f"backends {backends}, expected ['serial', 'threads', 'mpi']")
def bits(x):
    return struct.pack("<d", x).hex() if isinstance(x, float) else repr(x)
for r in recs:
    b = r.get("backend")
    if r.get("verified") is not True:
        problems.append(f"{b}: verified is {r.get('verified')!r}")
    if not isinstance(r.get("hosts"), list):
        problems.append(f"{b}: hosts is {type(r.get('hosts')).__name__}, expected a list")
    res = r.get("result", {})
    for k in ("sx", "sy"):
        if not isinstance(res.get(k), float) or not math.isfinite(res[k]):
            problems.append(f"{b}: result.{k} is {res.get(k)!r}, expected a finite float")
if recs:
    ref = recs[0].get("result", {})
    for r in recs[1:]:
        res = r.get("result", {})
        for k in ("sx", "sy"):
            if bits(res.get(k)) != bits(ref.get(k)):
                problems.append(f"{r.get('backend')}: result.{k} {res.get(k)!r} differs from serial's {ref.get(k)!r}")
mpi = [r for r in recs if r.get("backend") == "mpi"]
if mpi and mpi[0].get("ranks") != 4:
    problems.append(f"mpi: ranks {mpi[0].get('ranks')!r}, expected 4")
if problems:
    print("; ".join(problems))
    sys.exit(1)
EOF
  ); then
    fail "${why:-python check failed (see stderr)}"
  fi
fi
end

begin "compare --json appended twice: 6 whole lines, each valid JSON"
if [[ ! -f $JSON ]]; then
  fail "first compare wrote no $JSON"
else
  pdmpi 4 compare ep --class S --repeat 1 --json "$JSON" && {
    expect_rc 0
    NRUN=$((NRUN + 1))
    ERR=$TMP/$NRUN.err
    ERRS+=("$ERR")
    if ! why=$("$PYTHON" - "$JSON" 2>"$ERR" <<'EOF'
import json, sys
data = open(sys.argv[1], "rb").read()
problems = []
if not data.endswith(b"\n"):
    problems.append("file does not end in a newline")
lines = data.decode("utf-8").splitlines()
if len(lines) != 6:
    problems.append(f"{len(lines)} lines, expected 6")
for i, l in enumerate(lines, 1):
    try:
        if not isinstance(json.loads(l), dict):
            problems.append(f"line {i} is not a JSON object")
    except ValueError as e:
        problems.append(f"line {i} is not valid JSON: {e}")
if problems:
    print("; ".join(problems))
    sys.exit(1)
EOF
    ); then
      fail "${why:-python check failed (see stderr)}"
    fi
  }
fi
end

# ------------------------------------------- 2. ep bit-identity across workers

begin "ep --class S: identical Result line for mpirun -np 1..4 (cyclic, dynamic) and --threads 1..4"
declare -A results=()
for np in 1 2 3 4; do
  pdmpi "$np" run ep --class S --split cyclic || continue
  [[ $RC -eq 0 ]] || fail "mpirun -np $np: exit code $RC"
  results["mpi np=$np"]=$(grep -E '^Result: ' "$OUT")
done
for np in 2 3; do
  pdmpi "$np" run ep --class S --split dynamic --chunk 3 || continue
  [[ $RC -eq 0 ]] || fail "mpirun -np $np --split dynamic: exit code $RC"
  results["mpi dynamic np=$np"]=$(grep -E '^Result: ' "$OUT")
done
for t in 1 2 3 4; do
  pd run ep --class S --backend threads --threads "$t" || continue
  [[ $RC -eq 0 ]] || fail "--threads $t: exit code $RC"
  results["threads $t"]=$(grep -E '^Result: ' "$OUT")
done
ref=${COMPARE_RESULT:-}
for k in "${!results[@]}"; do
  line=${results[$k]}
  if [[ $(printf '%s\n' "$line" | grep -c '') -ne 1 || $line != "Result: sx="* ]]; then
    fail "$k: expected one 'Result: sx=...' line, got '${line//$'\n'/|}'"
    continue
  fi
  if [[ -z $ref ]]; then ref=$line; fi
  if [[ $line != "$ref" ]]; then fail "$k: '$line' differs from '$ref'"; fi
done
[[ ${#results[@]} -eq 10 ]] || fail "only ${#results[@]} of 10 runs finished"
end

# --------------------------------------------------------------- 3. help etc.

begin "list: exit 0, names ep and primes"
pd list && {
  expect_rc 0
  expect_out '^ep[[:space:]]' "a row for ep"
  expect_out '^primes[[:space:]]' "a row for primes"
}
end

for args in "--help" "run --help" "compare --help"; do
  begin "pardemo $args: exit 0, usage on stdout"
  # shellcheck disable=SC2086  # word splitting of $args is intended
  pd $args && {
    expect_rc 0
    expect_out '^Usage: ' "a 'Usage:' line"
    if [[ -s $ERR ]]; then fail "stderr is not empty"; fi
  }
  end
done

begin "pardemo with no arguments: exit 2"
pd && expect_rc 2
end

# ---------------------------------------------------------- 4. bad input

if [[ -e /nonexistent-dir ]]; then
  begin "precondition: /nonexistent-dir must not exist"
  fail "/nonexistent-dir exists, the --json case cannot test a missing directory"
  end
fi

# bad_input NAME NEEDLE ARGS... : exit 2, one `pardemo: error:` line naming NEEDLE,
# both as a plain process and under mpirun -np 3.
bad_input() {
  local name=$1 needle=$2
  shift 2

  begin "bad input ($name): pardemo $*"
  pd "$@" && {
    expect_rc 2
    local n
    n=$(count_lines "$ERR")
    if [[ $n -ne 1 ]]; then
      fail "$n stderr lines, expected exactly 1"
    fi
    local first
    first=$(head -n 1 "$ERR")
    if [[ $first != "pardemo: error:"* ]]; then
      fail "stderr does not start with 'pardemo: error:'"
    elif [[ $first != *"$needle"* ]]; then
      fail "error line does not name '$needle': $first"
    fi
  }
  end

  begin "bad input ($name): mpirun -np 3 pardemo $*"
  pdmpi 3 "$@" && {
    # Open MPI 4 passes on the ranks' common exit code 2.
    expect_rc 2
    local n
    n=$(grep -c '^pardemo: error:' "$ERR")
    if [[ $n -eq 0 ]] && grep -Eq 'Process name: \[\[[0-9]+,[0-9]+\],[1-9]' "$ERR"; then
      fail "no stderr line starts with 'pardemo: error:', expected exactly 1 (rank 0's): mpirun ended the job when another rank exited first, and rank 0's message was lost"
    elif [[ $n -ne 1 ]]; then
      fail "$n stderr lines start with 'pardemo: error:', expected exactly 1 (rank 0 only)"
    elif ! grep '^pardemo: error:' "$ERR" | grep -qF -- "$needle"; then
      fail "error line does not name '$needle': $(grep '^pardemo: error:' "$ERR")"
    fi
  }
  end
}

bad_input "unknown command" "frobnicate" frobnicate
bad_input "unknown workload" "nosuch" run nosuch
bad_input "unknown backend" "gpu" run ep --backend gpu
bad_input "unknown class" "Z" run ep --class Z
bad_input "size zero" "'0'" run primes --size 0
bad_input "size negative" "-5" run primes --size -5
bad_input "size not a number" "abc" run primes --size abc
bad_input "size trailing junk" "12abc" run primes --size 12abc
bad_input "size overflows 64 bits" "99999999999999999999999" run primes --size 99999999999999999999999
bad_input "size past 10^12" "10000000000000" run primes --size 10000000000000
bad_input "threads zero" "'0'" run primes --threads 0
bad_input "threads too many" "100000" run primes --threads 100000
bad_input "repeat zero" "'0'" run primes --repeat 0
bad_input "unknown split" "diagonal" run primes --split diagonal
bad_input "--size given to ep" "--size" run ep --size 1000
bad_input "stencil radius larger than the grid" "got 4" run stencil --size 4 --radius 2
bad_input "stencil radius too large" "--radius '9'" run stencil --radius 9
bad_input "stencil unknown exchange" "sideways" run stencil --class S --exchange sideways
bad_input "sort size zero" "'0'" run sort --size 0
bad_input "wordfreq missing file" "/nonexistent-file.txt" run wordfreq /nonexistent-file.txt
printf 'abc\0def' > "$TMP/binary.dat"
bad_input "wordfreq binary file" "$TMP/binary.dat" run wordfreq "$TMP/binary.dat"
: > "$TMP/empty.txt"
bad_input "wordfreq empty file" "$TMP/empty.txt" run wordfreq "$TMP/empty.txt"
bad_input "wordfreq directory" "$TMP" run wordfreq "$TMP"
truncate -s 5G "$TMP/huge.txt" # sparse: takes no disk space
bad_input "wordfreq huge file" "over the 4 GiB limit" run wordfreq "$TMP/huge.txt"
# A file its user may not read. Root reads anything, so as root the run drops to
# the unprivileged uid 65534 with setpriv (util-linux).
printf 'some words\n' >"$TMP/unreadable.txt"
chmod 000 "$TMP/unreadable.txt"
chmod o+x "$TMP" # the other user may pass through, to find the file unreadable
begin "bad input (wordfreq unreadable file): one line naming it, exit 2"
as_user=()
[[ $(id -u) -ne 0 ]] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run "${as_user[@]}" "$PARDEMO" run wordfreq "$TMP/unreadable.txt" && {
  expect_rc 2
  [[ $(count_lines "$ERR") -eq 1 ]] || fail "$(count_lines "$ERR") stderr lines, expected exactly 1"
  grep -q "^pardemo: error: $TMP/unreadable.txt: cannot be opened for reading" "$ERR" ||
    fail "no clear error: $(head -1 "$ERR")"
}
end
bad_input "input file given to ep" "stray.txt" run ep stray.txt
bad_input "mandelbrot window with zero area" "window has no area" run mandelbrot --class S --window -2,-2,-1,1
bad_input "mandelbrot window not numbers" "x0" run mandelbrot --class S --window x0,1,2,3
bad_input "mandelbrot width zero" "--width '0'" run mandelbrot --width 0
bad_input "--png for a workload without a picture" "--png" run ep --class S --png /tmp/x.png
bad_input "--png in a missing directory" "/nonexistent-dir/m.png" run mandelbrot --class S --png /nonexistent-dir/m.png

JSON_BAD=/nonexistent-dir/x.jsonl
bad_input "--json in a missing directory" "$JSON_BAD" run ep --class S --json "$JSON_BAD"
begin "--json in a missing directory: $JSON_BAD not created"
if [[ -e $JSON_BAD ]]; then fail "$JSON_BAD was created"; fi
end

# An output directory its user may not write to (as root: run as uid 65534 over
# a directory of root's): refused before the run, nothing created.
mkdir -p "$TMP/readonly" && chmod 555 "$TMP/readonly" && chmod o+x "$TMP"
begin "bad input (--json in a read-only directory): one line naming it, exit 2, nothing created"
as_user=()
[[ $(id -u) -ne 0 ]] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run "${as_user[@]}" "$PARDEMO" run ep --class S --json "$TMP/readonly/x.jsonl" && {
  expect_rc 2
  [[ $(count_lines "$ERR") -eq 1 ]] || fail "$(count_lines "$ERR") stderr lines, expected exactly 1"
  grep -q "^pardemo: error: .*$TMP/readonly/x.jsonl" "$ERR" || fail "no error naming the file: $(head -1 "$ERR")"
  [[ ! -e $TMP/readonly/x.jsonl ]] || fail "$TMP/readonly/x.jsonl was created"
}
end

# ------------------------------------------------------------- mandelbrot

begin "mandelbrot: block, cyclic and dynamic give the same image under mpirun -np 3; PNGs written"
declare -A mresults=()
for split in block cyclic dynamic; do
  pdmpi 3 run mandelbrot --class S --split "$split" --chunk 7 \
    --png "$TMP/m-$split.png" --owners-png "$TMP/o-$split.png" || continue
  [[ $RC -eq 0 ]] || fail "--split $split: exit code $RC"
  mresults[$split]=$(grep -E '^Result: ' "$OUT")
  for f in "$TMP/m-$split.png" "$TMP/o-$split.png"; do
    [[ $(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$f is not a PNG"
  done
done
[[ ${#mresults[@]} -eq 3 ]] || fail "only ${#mresults[@]} of 3 runs finished"
[[ ${mresults[block]:-} == "${mresults[cyclic]:-x}" && ${mresults[block]:-} == "${mresults[dynamic]:-y}" ]] ||
  fail "results differ: ${mresults[*]}"
[[ ${mresults[block]:-} == *checksum=* ]] || fail "no checksum in '${mresults[block]:-}'"
end

# ------------------------------------------------------- sort and wordfreq

for args in "sort --class S" "wordfreq /usr/share/common-licenses/GPL-3" "wordfreq --class S --flat-merge" \
  "stencil --class S --exchange blocking" "stencil --size 501 --radius 3 --iterations 4 --exchange overlap"; do
  begin "compare $args under mpirun -np 3: all verified, same bits"
  # shellcheck disable=SC2086
  pdmpi 3 compare $args --repeat 1 && {
    expect_rc 0
    expect_out '^Verification = SUCCESSFUL' "Verification = SUCCESSFUL"
    [[ $(grep -cE '^(serial|threads|mpi) .* yes +yes$' "$OUT") -eq 3 ]] || fail "not all three rows verified with the same bits"
  }
  end
done

begin "stencil under mpirun -np 2: the iterations alone timed in every repeat, within the wall; their rate printed"
pdmpi 2 compare stencil --size 600 --iterations 6 --repeat 2 --json "$TMP/st_rate.jsonl" && {
  expect_rc 0
  expect_out '^Rate in the median repeat over the iterations alone' "the table of rates over the iterations"
  [[ $(grep -cE '^(serial|threads|mpi) +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' "$OUT") -eq 3 ]] ||
    fail "not one rate row per backend"
  "$PYTHON" - "$TMP/st_rate.jsonl" <<'PY' || fail "iterations_s missing or outside the wall (see stderr)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 3, len(recs)
for r in recs:
    for rep in r["repeats"]:
        it = rep["iterations_s"]
        assert 0 < it <= rep["wall_s"], (r["backend"], it, rep["wall_s"])
PY
}
end

# ------------------------------------------------------ sweep and report

begin "sweep --mode strong under mpirun -np 4: every worker count of every backend, verified; plots"
pdmpi 4 sweep ep --class S --mode strong --repeat 1 --json "$TMP/sweep.jsonl" --plot "$TMP/plots" \
  --format csv --output "$TMP/sweep.csv" && {
  expect_rc 0
  [[ -s $ERR ]] && fail "stderr is not empty (progress must stay off when stderr is not a terminal)"
  "$PYTHON" - "$TMP/sweep.jsonl" <<'PY' || fail "records do not hold the sweep (see stderr)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((r["backend"], r["workers"]) for r in recs)
want = sorted([("serial", 1)] + [(b, w) for b in ("threads", "mpi") for w in (1, 2, 4)])
assert got == want, f"points {got}, expected {want}"
for r in recs:
    assert r["command"] == "sweep" and r["mode"] == "strong", r
    assert r["verified"] and r["identical_to_serial"], (r["backend"], r["workers"], r["verification"])
    assert r["parameters"]["class"] == "S"
    assert len(r["hosts"]) == r["ranks"], r["hosts"]
PY
  [[ $(count_lines "$TMP/sweep.csv") -eq 8 ]] || fail "sweep.csv has $(count_lines "$TMP/sweep.csv") lines, expected 8"
  grep -q "^ep,strong,.*,mpi,4,4,1," "$TMP/sweep.csv" || fail "sweep.csv lacks the row of mpi at 4 workers"
  expect_out '^mpi +4 +4 x 1 ' "the table row of mpi at 4 workers"
  expect_out '^Plots: ' "the list of plots"
  n=0
  for f in "$TMP"/plots/*.png; do
    [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$f is not a PNG"
    n=$((n + 1))
  done
  [[ $n -eq 4 ]] || fail "$n PNG plots, expected 4 (speedup, efficiency, workers, timeline)"
  [[ $(grep -l "</svg>" "$TMP"/plots/*.svg | wc -l) -eq 4 ]] || fail "not 4 complete SVG plots"
}
end

begin "sweep --mode weak under mpirun -np 3: sizes grow with the workers, all verified"
pdmpi 3 sweep primes --size 300000 --mode weak --backends mpi,hybrid --repeat 1 --json "$TMP/weak.jsonl" && {
  expect_rc 0
  expect_out 'scaled speedup' "the scaled speedup column"
  expect_out 'hybrid at 3 workers skipped' "a note on the hybrid points that do not fit"
  "$PYTHON" - "$TMP/weak.jsonl" <<'PY' || fail "weak records wrong (see stderr)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((r["backend"], r["workers"], r["scale"], r["parameters"]["n"]) for r in recs)
want = sorted([("serial", 1, 1, 300000), ("mpi", 1, 1, 300000), ("mpi", 2, 2, 600000), ("mpi", 3, 3, 900000),
               ("hybrid", 2, 2, 600000)])
assert got == want, f"points {got}, expected {want}"
assert all(r["verified"] and r["mode"] == "weak" and r["base_parameters"]["n"] == 300000 for r in recs)
PY
}
end

begin "report merges records of separate runs; bad lines are named and skipped"
if [[ -s $TMP/sweep.jsonl ]]; then
  pdmpi 2 run ep --class S --backend mpi --json "$TMP/more.jsonl" >/dev/null
  cp "$TMP/sweep.jsonl" "$TMP/broken.jsonl"
  printf '{"schema": "pardemo.run/1", "workload"\n{"schema": "pardemo.run/7"}\n' >>"$TMP/broken.jsonl"
  head -c 100 "$TMP/more.jsonl" >>"$TMP/broken.jsonl"
  pd report "$TMP/broken.jsonl" "$TMP/more.jsonl" --format md --plot "$TMP/rplots" && {
    expect_rc 0
    grep -q "broken.jsonl:8: malformed JSON" "$ERR" || fail "no warning naming broken.jsonl:8 as malformed"
    grep -q "broken.jsonl:9: unknown schema" "$ERR" || fail "no warning naming broken.jsonl:9's schema"
    grep -q "broken.jsonl:10: truncated record" "$ERR" || fail "no warning naming broken.jsonl:10 as truncated"
    expect_out '^\| mpi \| 2 \| 2 x 1 \|' "the Markdown row of mpi at 2 workers"
    # The mpi point at 2 workers pools the sweep's repeat and the separate run's.
    grep -E '^\| mpi \| 2 \|' "$OUT" | grep -qE '\| 2 \|$' || fail "mpi at 2 workers does not pool 2 records"
    [[ $(ls "$TMP"/rplots/*.png 2>/dev/null | wc -l) -eq 4 ]] || fail "report --plot did not write 4 PNGs"
  }
else
  fail "no sweep records to report on (the sweep case failed)"
fi
end

begin "report of an empty file: one error line, exit 2, no output file"
: >"$TMP/empty.jsonl"
pd report "$TMP/empty.jsonl" --output "$TMP/never.md" && {
  expect_rc 2
  [[ $(count_lines "$ERR") -eq 1 ]] || fail "$(count_lines "$ERR") stderr lines, expected 1"
  grep -q "^pardemo: error: no usable records in $TMP/empty.jsonl" "$ERR" || fail "error does not name the file"
  [[ -e $TMP/never.md ]] && fail "an output file was created"
}
end

begin "--timeout stops a run that takes too long: exit 4, one clear line"
t0=$SECONDS
pd run ep --class C --timeout 1 && {
  expect_rc 4
  grep -q "^pardemo: error: --timeout 1 s expired" "$ERR" || fail "no --timeout message on stderr"
  [[ $((SECONDS - t0)) -le 10 ]] || fail "took $((SECONDS - t0)) s"
}
end

begin "--timeout under mpirun -np 3: the whole job ends within seconds, non-zero"
t0=$SECONDS
pdmpi 3 run ep --class C --backend mpi --timeout 2 && {
  [[ $RC -ne 0 ]] || fail "exit code 0"
  [[ $(grep -c "^pardemo: error: --timeout" "$ERR") -eq 1 ]] || fail "expected exactly one --timeout line (rank 0's)"
  [[ $((SECONDS - t0)) -le 15 ]] || fail "took $((SECONDS - t0)) s"
}
end

begin "ranks given different arguments (MPMD): refused with one line, exit 2, also when one rank's are invalid"
for other in "--class W" "--class Z"; do
  # shellcheck disable=SC2086
  run "$MPIRUN" -np 1 "$PARDEMO" run ep --class S : -np 2 --oversubscribe "$PARDEMO" run ep $other && {
    expect_rc 2
    [[ $(grep -c '^pardemo: error:' "$ERR") -eq 1 ]] || fail "expected exactly one error line ($other)"
    grep -q "rank 1 was started with other arguments" "$ERR" || fail "the error does not name rank 1 ($other)"
  }
done
end

begin "a rank killed with SIGKILL mid-run: mpirun ends non-zero within 10 s; the JSON file holds whole records only"
rm -f "$TMP/killed.jsonl"
"$MPIRUN" -np 3 --oversubscribe "$PARDEMO" compare ep --class A --repeat 4 --json "$TMP/killed.jsonl" \
  >"$TMP/killed.out" 2>"$TMP/killed.err" </dev/null &
job=$!
victim=""
for _ in $(seq 100); do
  victim=$(pgrep -P "$job" -f "$PARDEMO" | tail -n 1)
  [[ -n $victim ]] && break
  sleep 0.1
done
sleep 2
if [[ -z $victim ]]; then
  fail "no rank process found"
  kill "$job"
else
  kill -KILL "$victim"
  t0=$SECONDS
  await_exit "$job" 150 "mpirun still running 15 s after a rank was killed"
  [[ $RC -ne 0 ]] || fail "mpirun exit code 0 after a rank was killed"
  [[ $((SECONDS - t0)) -le 10 ]] || fail "mpirun took $((SECONDS - t0)) s to end"
  if [[ -e $TMP/killed.jsonl ]]; then
    "$PYTHON" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/killed.jsonl" ||
      fail "the JSON file holds a partial record"
  fi
fi
end

begin "SIGTERM to mpirun: the job stops within seconds, non-zero, and says so"
# mpirun passes SIGTERM to the ranks and rank 0 prints one line; under load
# mpirun can be torn down before it forwards that last line, so the line must
# appear in at least one of three attempts (the stop itself is checked every time).
said=0
for attempt in 1 2 3; do
  "$MPIRUN" -np 3 --oversubscribe "$PARDEMO" compare ep --class A >"$TMP/term.out" 2>"$TMP/term.err" </dev/null &
  job=$!
  sleep 3
  kill -TERM "$job"
  t0=$SECONDS
  await_exit "$job" 100 "mpirun still running 10 s after SIGTERM (attempt $attempt)"
  [[ $RC -ne 0 ]] || fail "exit code 0 after SIGTERM (attempt $attempt)"
  if grep -q '^pardemo: stopped by SIGTERM' "$TMP/term.err"; then
    said=1
    break
  fi
done
[[ $said -eq 1 ]] || fail "no 'pardemo: stopped by SIGTERM' line on stderr in 3 attempts"
ERRS+=("$TMP/term.err")
end

begin "SIGINT (Ctrl-C) to a plain run: exit 130 and one line"
"$PARDEMO" run ep --class B >"$TMP/int.out" 2>"$TMP/int.err" </dev/null &
job=$!
sleep 1
kill -INT "$job"
wait "$job"
rc=$?
[[ $rc -eq 130 ]] || fail "exit code $rc, expected 130"
[[ $(cat "$TMP/int.err") == "pardemo: stopped by SIGINT before the job finished" ]] || fail "stderr: $(cat "$TMP/int.err")"
end

begin "pingpong under mpirun -np 2: every size from 0 B to --max-bytes, three ways, payloads intact, fits"
pdmpi 2 pingpong --max-bytes 4096 --rounds 2 --json "$TMP/pp.jsonl" && {
  expect_rc 0
  for b in 0 1 2 4 8 16 32 64 128 256 512 1024 2048 4096; do
    grep -qE "^ +$b +[0-9]+ .* yes$" "$OUT" || fail "no intact row for $b bytes"
  done
  expect_out '^# raw +alpha' "the raw fit"
  expect_out '^# boost serialized +alpha' "the serialized fit"
  "$PYTHON" -c 'import json,sys; t=json.loads(open(sys.argv[1]).readline()); assert t["schema"]=="pardemo.pingpong/1" and len(t["rows"])==14, t["rows"]' \
    "$TMP/pp.jsonl" || fail "the JSON table is wrong"
}
end

begin "pingpong on one rank: one error line, exit 2"
pd pingpong && {
  expect_rc 2
  grep -q "^pardemo: error: pingpong needs at least 2 ranks" "$ERR" || fail "no clear error"
}
end

begin "model with a given link: a prediction per rank count; p = 1 is the measured serial time"
pd model ep --class S --repeat 1 --alpha 1e-6 --beta 1e9 --ranks 1,2,8,1024 && {
  expect_rc 0
  expect_out '^Link given: alpha 1 us, beta 1000 MB/s' "the link"
  expect_out '^1 +[0-9.]+ +[0-9.]+ +0\.00000 +1\.00 +1\.000 +[0-9.]+ +\+0\.0$' "p = 1 with speedup 1 and no error"
  expect_out '^1024 ' "the row for 1024 ranks"
}
end

begin "model under mpirun -np 2: the link measured, the measured point beside the prediction"
pdmpi 2 model stencil --class S --repeat 1 --ranks 1,2,4 && {
  expect_rc 0
  expect_out '^Link measured by a ping-pong' "the measured link"
  expect_out '^2 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[-+][0-9.]+$' "a measured time and error at 2 ranks"
  expect_out 'halo exchange' "the pattern's name"
}
end

begin "model without a link on one process: one error line, exit 2"
pd model ep && {
  expect_rc 2
  grep -q "needs --alpha and --beta" "$ERR" || fail "no clear error"
}
end

bad_input "sweep without --mode" "--mode" sweep ep
bad_input "sweep mode" "sideways" sweep ep --mode sideways
bad_input "sweep backend" "serial" sweep ep --mode strong --backends threads,serial
bad_input "sweep max workers" "--max-workers" sweep ep --mode strong --max-workers 0
bad_input "weak sweep of files" "generated corpus" sweep wordfreq /usr/share/common-licenses/GPL-3 --mode weak
bad_input "report format" "pdf" report x.jsonl --format pdf
bad_input "timeout" "--timeout" run ep --timeout soon
bad_input "timeout zero" "--timeout" run ep --timeout 0
bad_input "cpus" "--cpus" run ep --cpus 4096
bad_input "pingpong rounds" "--rounds" pingpong --rounds 0
bad_input "cpus range" "descending" run ep --cpus 1-0

begin "--cpus 0: two threads on one CPU are concurrent, not parallel, and the summary says so"
pd run ep --class S --backend threads --threads 2 --cpus 0 --json "$TMP/cpus.jsonl" && {
  expect_rc 0
  expect_out 'may run on 1 CPU only.*--cpus pinned it' "the note on pinning"
  "$PYTHON" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); assert r["cpus_per_rank"]==[1] and r["verified"], r["cpus_per_rank"]' \
    "$TMP/cpus.jsonl" || fail "the record does not show 1 CPU"
}
end

bad_input "race increments zero" "--increments" race --increments 0
bad_input "race increments too many" "--increments" race --increments 1e11
bad_input "race threads zero" "--threads" race --threads 0
bad_input "race threads absurd" "--threads" race --threads 100000
bad_input "race cpus" "--cpus" race --cpus 4096
bad_input "race cpus range" "descending" race --cpus 1-0

begin "race --cpus 0: the table says 1 CPU, the safe ways are exact"
pd race --threads 2 --increments 100000 --cpus 0 && {
  expect_rc 0
  expect_out 'five ways; 1 CPU usable here' "1 usable CPU"
  expect_out '^mutex +2 threads +200000 +200000 +0 ' "an exact row for the mutex"
  expect_out '^partials +2 threads +200000 +200000 +0 ' "an exact row for the partials"
}
end

# ------------------------------------------------------------------ summary

finish
