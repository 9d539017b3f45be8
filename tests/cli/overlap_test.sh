#!/usr/bin/env bash
# End-to-end test of `pardemo overlap` and of --cpus naming CPUs the process may
# not use (overlap and race).
#
#   tests/cli/overlap_test.sh PATH_TO_PARDEMO
#
# Prints `ok - NAME` or `not ok - NAME: why` per case, then `N passed, M failed`;
# exits non-zero when a case failed. A case that cannot run here (the cpuset case
# needs root and a cpuset cgroup) prints `ok - NAME # SKIP why`, and fails
# instead when PARDEMO_CI=1.
#
# Environment: MPIRUN (default mpirun), PYTHON (default /usr/bin/python3).
set -u

source "$(dirname "${BASH_SOURCE[0]}")/../lib/cases.sh"
pardemo_argument "$@"
MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-overlap.XXXXXX") || exit 3
CGROUP=""
cleanup() {
  # A launcher's last processes may take a moment to leave the cgroup.
  local i
  for i in $(seq 50); do
    [[ -n $CGROUP && -d $CGROUP ]] || break
    rmdir "$CGROUP" 2>/dev/null || sleep 0.1
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 3

# Checks a JSON report: JSON_FILE and then Python conditions on `r` (the report)
# and `c` (its cases by name), each a separate argument.
check_json() {
  local file=$1
  shift
  "$PYTHON" - "$file" "$@" <<'EOF' || fail "JSON check failed (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["case"]: x for x in r["cases"]}
for cond in sys.argv[2:]:
    if not eval(cond):
        print("#   failed: " + cond)
        print("#   cases: " + json.dumps(r["cases"]))
        sys.exit(1)
EOF
}

# ------------------------------------------------------------ good runs

# Waits far longer than the computation: even on a loaded 2-core machine the
# overlapped waits stay well under 0.6 of the sequential ones (sleeping takes no CPU).
begin "overlap: waits hidden on one thread, computation not; checksums agree"
run "$PARDEMO" overlap --tasks 6 --wait-ms 150 --compute-ms 80 --format json -o "$TMP/o.json" && {
  expect_rc 0
  cmp -s "$OUT" "$TMP/o.json" || fail "-o differs from stdout"
  check_json "$TMP/o.json" \
    'r["schema"] == "pardemo.overlap/1" and len(r["cases"]) == 5' \
    'c["waiting, event loop"]["wall_s"] < 0.6 * c["waiting, sequential"]["wall_s"]' \
    'c["waiting, sequential"]["wall_s"] >= 6 * 0.150' \
    'c["waiting, event loop"]["wall_s"] >= 0.150' \
    'c["computing, event loop"]["wall_s"] / c["computing, sequential"]["wall_s"] > 0.6' \
    'abs(c["computing, event loop"]["ratio"] - c["computing, event loop"]["wall_s"] / c["computing, sequential"]["wall_s"]) < 1e-9' \
    'c["waiting, sequential"]["checksum"] == c["waiting, event loop"]["checksum"]' \
    'len({x["checksum"] for n, x in c.items() if n.startswith("computing")}) == 1' \
    'c["waiting, sequential"]["checksum"] != c["computing, sequential"]["checksum"]' \
    'r["checksums_identical"] is True and len(r["cpus_allowed"]) >= 1' \
    'all(x["expected_s"] > 0 and x["conclusion"] for x in r["cases"])' \
    'abs(c["waiting, sequential"]["expected_s"] - 6 * (0.150 + r["waiting_task_compute_s"])) < 1e-9'
  # The conclusion is computed from the measurement: the hidden share it states
  # must follow from the walls in the same report.
  "$PYTHON" - "$TMP/o.json" <<'EOF' || fail "the stated hidden share does not follow from the walls"
import json, re, sys
r = json.load(open(sys.argv[1]))
c = {x["case"]: x for x in r["cases"]}
m = re.search(r"hid (-?\d+)%", c["waiting, event loop"]["conclusion"])
saved = c["waiting, sequential"]["wall_s"] - c["waiting, event loop"]["wall_s"]
share = 100 * saved / (5 * r["wait_ms"] / 1000)
sys.exit(0 if m and abs(int(m.group(1)) - share) <= 1 else 1)
EOF
}
end

# Two threads on one CPU take turns: their wall stays near the sequential one
# (ratio ~1), where two cores would halve it (ratio ~0.5). The bound 0.7 leaves
# room for a busy machine's time slices and still fails on a real 2x.
begin "overlap --cpus 0 --threads 2: one CPU allowed and reported; two threads gain nothing"
run "$PARDEMO" overlap --tasks 4 --wait-ms 20 --compute-ms 100 --cpus 0 --threads 2 --format json && {
  expect_rc 0
  check_json "$OUT" \
    'r["cpus_allowed"] == [0] and r["pinned"] and r["threads"] == 2' \
    'c["computing, 2 threads"]["ratio"] > 0.7' \
    '"on 1 CPU" in c["computing, 2 threads"]["conclusion"]' \
    'r["checksums_identical"]'
}
end

begin "overlap table and md: one row per case, the CPUs, the checksum line"
run "$PARDEMO" overlap --tasks 3 --wait-ms 10 --compute-ms 5 && {
  expect_rc 0
  expect_out '^CPUs this process may run on: [0-9]' "the allowed CPUs"
  for row in "waiting, sequential" "waiting, event loop" "computing, sequential" "computing, event loop" "computing, [0-9]+ threads"; do
    expect_out "^$row +[0-9]+ +[0-9.]+ +[0-9.]+ " "a row '$row'"
  done
  expect_out '^Checksums: waiting tasks [0-9a-f]{16} in both ways; computing tasks [0-9a-f]{16} in all three ways$' "agreeing checksums"
}
run "$PARDEMO" overlap --tasks 3 --wait-ms 10 --compute-ms 5 --format md && {
  expect_rc 0
  expect_out '^\| case \| threads \| wall \(s\) \|' "a Markdown header"
  [[ $(grep -c '^| computing' "$OUT") -eq 3 ]] || fail "not 3 Markdown rows of computing tasks"
}
end

begin "stencil --exchange overlap under mpirun -np 2: per rank, blocking and exposed halo time, hidden within blocking"
run "$MPIRUN" -np 2 --oversubscribe "$PARDEMO" run stencil --class S --exchange overlap --repeat 2 --json "$TMP/st.jsonl" && {
  expect_rc 0
  expect_out '^Halo exchange per rank' "the halo table"
  [[ $(grep -Ec '^mpi +[01] +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+%$' "$OUT") -eq 2 ]] || fail "not one halo row per rank"
  "$PYTHON" - "$TMP/st.jsonl" <<'EOF' || fail "halo figures missing, negative or inconsistent in the JSON record"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
for rep in r["repeats"]:
    h = rep["halo_overlap"]
    assert [x["rank"] for x in h] == [0, 1], h
    for x in h:
        assert x["blocking_comm_s"] >= 0 and x["exposed_comm_s"] >= 0 and x["hidden_s"] >= 0, x
        assert x["hidden_s"] <= x["blocking_comm_s"], x
        assert abs(x["hidden_s"] - max(0.0, x["blocking_comm_s"] - x["exposed_comm_s"])) < 1e-12, x
EOF
}
run "$MPIRUN" -np 2 --oversubscribe "$PARDEMO" run stencil --class S --exchange blocking --json "$TMP/stb.jsonl" && {
  expect_rc 0
  grep -q '^Halo exchange per rank' "$OUT" && fail "a halo table without the overlapping exchange"
  grep -q halo_overlap "$TMP/stb.jsonl" && fail "halo figures in a blocking record"
}
end

# ------------------------------------------------------------ bad input

bad() {
  local needle=$1
  shift
  begin "bad input: pardemo $*"
  run "$PARDEMO" "$@" && {
    expect_rc 2
    [[ $(grep -c '' "$ERR") -eq 1 ]] || fail "$(grep -c '' "$ERR") stderr lines, expected 1"
    local first
    first=$(head -n 1 "$ERR")
    [[ $first == "pardemo: error:"*"$needle"* ]] || fail "error line does not name '$needle': $first"
    [[ ! -s $OUT ]] || fail "something on stdout"
  }
  end
}
bad "--tasks" overlap --tasks 0
bad "--tasks" overlap --tasks 100000
bad "--wait-ms" overlap --wait-ms -5
bad "--wait-ms" overlap --wait-ms 1e9
bad "--wait-ms" overlap --wait-ms soon
bad "--compute-ms" overlap --compute-ms 0
bad "would run for about" overlap --tasks 10000 --wait-ms 1000
bad "--threads" overlap --threads 0
bad "--threads" overlap --threads 100000
bad "--cpus" overlap --cpus 4096
bad "csv" overlap --format csv
bad "--output" overlap --tasks 1 --wait-ms 1 -o "$TMP/no/such/dir/x.json"

begin "bad input under mpirun -np 2: pardemo overlap --tasks 0"
run "$MPIRUN" -np 2 --oversubscribe "$PARDEMO" overlap --tasks 0 && {
  expect_rc 2
  [[ $(grep -c 'pardemo: error:' "$ERR") -eq 1 ]] || fail "not one error line"
}
end

# --cpus naming a CPU that exists but lies outside the process's cpuset: the
# kernel would drop it silently; pardemo refuses it by name. Needs root, two
# CPUs and a cpuset cgroup to confine a shell to CPU 0: the cgroup v1 cpuset
# hierarchy where there is one, else the unified (v2) hierarchy with the cpuset
# controller enabled for its children.
begin "--cpus with a CPU outside the cpuset: one error line naming it, exit 2 (overlap, race, mpirun race)"
CPUSET_ROOT=""
if [[ -w /sys/fs/cgroup/cpuset/cgroup.procs ]]; then
  CPUSET_ROOT=/sys/fs/cgroup/cpuset
elif [[ $(id -u) -eq 0 && -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw cpuset /sys/fs/cgroup/cgroup.controllers; then
  grep -qw cpuset /sys/fs/cgroup/cgroup.subtree_control || echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
  grep -qw cpuset /sys/fs/cgroup/cgroup.subtree_control && CPUSET_ROOT=/sys/fs/cgroup
fi
if [[ $(id -u) -ne 0 ]]; then
  skip "needs root to create a cpuset cgroup"
elif [[ -z $CPUSET_ROOT ]]; then
  skip "no writable cpuset cgroup: neither /sys/fs/cgroup/cpuset (v1) nor the cpuset controller at /sys/fs/cgroup (v2)"
elif [[ $(nproc --all) -lt 2 ]]; then
  skip "needs 2 CPUs"
else
  CGROUP=$CPUSET_ROOT/pardemo-test.$$
  mems=$(cat "$CPUSET_ROOT/cpuset.mems" 2>/dev/null || true)
  [[ -n $mems ]] || mems=$(cat "$CPUSET_ROOT/cpuset.mems.effective" 2>/dev/null || echo 0)
  mkdir "$CGROUP" && echo 0 >"$CGROUP/cpuset.cpus" && echo "$mems" >"$CGROUP/cpuset.mems" ||
    fail "cannot set up $CGROUP"
  # A shell that moves itself into the cgroup, then becomes the command.
  confined=(bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' confined "$CGROUP")
  run "${confined[@]}" "$PARDEMO" overlap --tasks 1 --wait-ms 1 --cpus 1 && {
    expect_rc 2
    grep -q '^pardemo: error: --cpus 1: .*may not run on' "$ERR" || fail "overlap: no clear error: $(head -1 "$ERR")"
  }
  run "${confined[@]}" "$PARDEMO" race --cpus 0,1 --increments 1000 && {
    expect_rc 2
    [[ $(grep -c '' "$ERR") -eq 1 ]] || fail "race: not one stderr line"
    grep -q '^pardemo: error: --cpus 0,1: .*may not run on CPU 1' "$ERR" || fail "race: no clear error: $(head -1 "$ERR")"
  }
  run "${confined[@]}" "$MPIRUN" -np 2 --oversubscribe --bind-to none "$PARDEMO" race --cpus 1 --increments 1000 && {
    expect_rc 2
    [[ $(grep -c 'pardemo: error:' "$ERR") -eq 1 ]] || fail "mpirun race: not one error line"
  }
  run "${confined[@]}" "$PARDEMO" race --cpus 0 --increments 1000 && expect_rc 0
  end
fi

finish
