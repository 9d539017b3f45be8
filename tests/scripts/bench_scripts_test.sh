#!/usr/bin/env bash
# End-to-end test of scripts/bench and scripts/bench-scaling at tiny sizes: they
# run, every answer verifies, the markdown holds every table, a figure in it
# agrees with the JSON records it came from, and bad knobs stop them with one
# clear line and no file written.
#
#   tests/scripts/bench_scripts_test.sh PATH_TO_PARDEMO
#
# Prints `ok - NAME` or `not ok - NAME: why` per case, then `N passed, M failed`;
# exits non-zero when a case failed (tests/lib/cases.sh).
set -u

source "$(dirname "${BASH_SOURCE[0]}")/../lib/cases.sh"
pardemo_argument "$@"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-bench-test.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 3

# Tiny sizes: every variant in well under a second.
tiny_bench=(env ROUNDS=2 EP_CLASS=S PRIMES_SIZE=1e6 MANDEL_ARGS="--width 64 --height 32 --max-iter 100"
  SORT_SIZE=65536 WORDFREQ_BYTES=100000 STENCIL_ARGS="--size 100 --iterations 2"
  OVERLAP_LARGE_ARGS="--size 200 --iterations 20" OVERLAP_ARGS="--size 100 --iterations 20"
  WORDFREQ_ARGS="--size 100000" PRK_ARGS="2 100" PARDEMO="$PARDEMO")
tiny_scaling=(env MAX_WORKERS=2 REPEAT=1 EP_REPEAT=1 SORT_REPEAT=1 EP_ARGS="--class S" PRIMES_ARGS="--size 1e6"
  MANDEL_ARGS="--width 64 --height 32 --max-iter 100 --split dynamic" SORT_ARGS="--size 65536"
  STENCIL_ARGS="--size 100 --iterations 2" WORDFREQ_ARGS="--size 100000" TIMEOUT=60 PARDEMO="$PARDEMO")

begin "bench-scaling at 2 workers: every workload swept, verified, written as markdown and JSON lines"
mkdir -p docs
RUN_LIMIT=300 run "${tiny_scaling[@]}" OUT=docs/performance-2cores.md "$ROOT/scripts/bench-scaling" && {
  [[ $RC -eq 0 ]] || fail "exit $RC"
  [[ -s docs/performance-2cores.md ]] || fail "no docs/performance-2cores.md"
  [[ -s docs/performance-2cores.jsonl ]] || fail "no docs/performance-2cores.jsonl"
  "$PYTHON" - docs/performance-2cores.jsonl docs/performance-2cores.md 2>>"$ERR" <<'PY' || fail "records or markdown wrong (see stderr)"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
workloads = {"ep", "primes", "mandelbrot", "sort", "stencil", "wordfreq"}
assert {r["workload"] for r in recs} == workloads, sorted({r["workload"] for r in recs})
assert all(r["verified"] for r in recs), [r["workload"] for r in recs if not r["verified"]]
md = open(sys.argv[2]).read()
for w in workloads:
    assert f"| {w} |" in md, f"no row of {w}"
PY
}
end

begin "bench: every table written, every run verified, the larger machine's file linked"
RUN_LIMIT=600 run "${tiny_bench[@]}" BENCH_KEEP=1 TMPDIR="$TMP" OUT=docs/performance.md "$ROOT/scripts/bench" && {
  [[ $RC -eq 0 ]] || fail "exit $RC"
  md=docs/performance.md
  [[ -s $md ]] || fail "no $md"
  for heading in "## EP serial rate" "## Efficiency at 2 workers" "## stencil: overlapped against blocking" "## Memory bandwidth" \
    "## On a larger machine" "## Every measurement"; do
    grep -qF "$heading" "$md" || fail "no '$heading'"
  done
  grep -q "Every run's answer was verified" "$md" || fail "not every run verified"
  grep -q "(performance-2cores.md)" "$md" || fail "the 2-core file is not linked"
  # Overlap table: one row per grid, each with a numeric ratio of iterations.
  [[ $(grep -cE '^\| --size (200|100) --iterations 20 \| [0-9.]+ \[' "$md") -eq 2 ]] ||
    fail "the overlap table lacks a row per grid"
}
end

begin "bench: the table's efficiency of ep on threads is the median of serial / (2 x threads) over the rounds"
work=$(ls -d "$TMP"/pardemo-bench.* 2>/dev/null | head -1)
if [[ -z $work || ! -f docs/performance.md ]]; then
  fail "no kept work directory or no markdown from the case above"
else
  "$PYTHON" - "$work" docs/performance.md 2>>"$ERR" <<'PY' || fail "figure and records disagree (see stderr)"
import json, re, statistics, sys
work, md = sys.argv[1], open(sys.argv[2]).read()
def wall(r, tag):
    (rec,) = [json.loads(l) for l in open(f"{work}/r{r}.{tag}.jsonl")]
    return rec["wall_s"]["median"]
eff = statistics.median(wall(r, "ep.serial.block") / (2 * wall(r, "ep.threads.block")) for r in (1, 2))
row = next(l for l in md.splitlines() if re.match(r"\| ep \| class S \| block \| threads \|", l))
cells = [c.strip() for c in row.strip("|").split("|")]
shown = float(cells[7].split()[0])
assert abs(shown - eff) <= 0.0006, (shown, eff, row)
PY
fi
end

begin "bench: a bad knob stops it with one line and no file"
RUN_LIMIT=60 run env ROUNDS=0 OUT=docs/bad.md "$ROOT/scripts/bench" && {
  [[ $RC -ne 0 ]] || fail "exit 0"
  [[ $(grep -c '' "$ERR") -eq 1 ]] || fail "not one stderr line"
  grep -q "^bench: ROUNDS must be a positive integer" "$ERR" || fail "no clear error: $(head -1 "$ERR")"
  [[ ! -e docs/bad.md ]] || fail "docs/bad.md written"
}
RUN_LIMIT=60 run "${tiny_bench[@]}" WORKLOADS="ep nonsense" OUT=docs/bad.md "$ROOT/scripts/bench" && {
  [[ $RC -ne 0 ]] || fail "unknown workload: exit 0"
  grep -q "unknown workload 'nonsense'" "$ERR" || fail "unknown workload: no clear error: $(head -1 "$ERR")"
  [[ ! -e docs/bad.md ]] || fail "docs/bad.md written for an unknown workload"
}
end

begin "bench-scaling: a bad knob stops it with one line and no file"
RUN_LIMIT=60 run env MAX_WORKERS=1 OUT=docs/bad-scaling.md "$ROOT/scripts/bench-scaling" && {
  [[ $RC -ne 0 ]] || fail "exit 0"
  [[ $(grep -c '' "$ERR") -eq 1 ]] || fail "not one stderr line"
  grep -q "^bench-scaling: MAX_WORKERS must be at least 2" "$ERR" || fail "no clear error: $(head -1 "$ERR")"
  [[ ! -e docs/bad-scaling.md ]] || fail "docs/bad-scaling.md written"
}
end

finish
