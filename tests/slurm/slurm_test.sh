#!/usr/bin/env bash
# Every job script in jobs/ under a real SLURM scheduler: a private, single-host
# instance (munged, slurmctld, slurmd) started for this test only.
#
#   tests/slurm/slurm_test.sh PATH_TO_PARDEMO
#
# The instance lives in a temporary directory: its own munge key and socket, a generated
# slurm.conf (SLURM_CONF points every client at it) with free ports and a unique cluster
# name, state, spool, logs and pid files. It touches no SLURM or munge installation
# already on the machine (/etc/slurm, /etc/munge, a running munged or slurmd) and uses
# no systemctl. The node claims 4 CPUs (4 tasks on however few cores).
#
# Submitted: run.sbatch, hybrid.sbatch, strong.sbatch, weak.sbatch, array.sbatch with
# report.sbatch (through jobs/submit-array, afterany), all of which must end COMPLETED
# with ExitCode 0:0, their results holding verified records and the report its table
# and plots; and jobs that must fail: an unknown workload (exit 2, no record), a run
# stopped by its --timeout (exit 4, only whole records), an array with a task that
# cannot run (the report still runs, exits 1 and names what is missing).
#
# Exits 0 when every check passes, 1 when one fails, 77 (skipped) when it cannot run
# here (not root, SLURM or munge missing), with the reason; under PARDEMO_CI=1 a skip
# is a failure (exit 1). On exit, also on failure, timeout or a signal, it cancels its
# jobs, stops the daemons it started (by their pid files, then any process still
# carrying this run's tag) and removes its directory.
#
# Environment: PYTHON (default /usr/bin/python3), SLURM_TEST_DEADLINE (seconds to
# wait for all jobs, default 240), KEEP=1 keeps the directory (the daemons still stop).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
JOBS=$REPO/jobs
PYTHON=${PYTHON:-/usr/bin/python3}
DEADLINE=${SLURM_TEST_DEADLINE:-240}

skip() {
  if [[ ${PARDEMO_CI:-} == 1 ]]; then
    echo "slurm_test: cannot run: $* (PARDEMO_CI=1: not skipping)" >&2
    exit 1
  fi
  echo "slurm_test: skipped: $*"
  exit 77
}

stop_pidfile() {  # stop_pidfile FILE: TERM the process named in FILE, wait up to 10 s, then KILL
  local pid
  [[ -r $1 ]] || return 0
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

tagged_pids() {  # processes other than this shell that carry this run's tag
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    grep -qzxF "PARDEMO_SLURM_TEST=$T" "$p/environ" 2>/dev/null && echo "$pid"
  done
}

# teardown: cancel the jobs, stop the daemons by their pid files, end whatever else
# carries this run's tag (job steps whose slurmd is gone), remove the directory.
teardown() {
  local pids=()
  if [[ -e $T/slurm.conf ]]; then
    SLURM_CONF=$T/slurm.conf timeout 10 scancel --user="$(id -un)" 2>/dev/null
    for _ in $(seq 50); do
      [[ -z $(SLURM_CONF=$T/slurm.conf timeout 5 squeue -h 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
  stop_pidfile "$T/run/slurmd.pid"
  stop_pidfile "$T/run/slurmctld.pid"
  stop_pidfile "$T/run/munged.pid"
  mapfile -t pids < <(tagged_pids)
  if ((${#pids[@]} > 0)); then
    echo "slurm_test: ending leftover processes ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null
    sleep 1
    mapfile -t pids < <(tagged_pids)
    ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null
  fi
  if [[ ${KEEP:-} == 1 ]]; then echo "slurm_test: kept $T"; else rm -rf "$T"; fi
}

# --reap PID DIR: started below in a session of its own, waits for the test (PID) to end
# and tears its instance down, so that nothing is left behind when the test cannot
# clean up itself (ctest ends a test that runs past its TIMEOUT with SIGKILL).
if [[ ${1:-} == --reap ]]; then
  trap '' INT HUP
  T=$3
  while kill -0 "$2" 2>/dev/null; do sleep 1; done
  [[ -d $T ]] && teardown >/dev/null 2>&1
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/../lib/pardemo_argument.sh"
pardemo_argument "$@"

[[ $(id -u) -eq 0 ]] || skip "needs root (slurmd starts jobs as their users; SlurmUser=root here)"
for tool in munged munge slurmctld slurmd sbatch squeue scontrol scancel srun sinfo; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (Debian: slurm-wlm, munge)"
done
[[ -x $PYTHON ]] || skip "$PYTHON is missing"
"$PARDEMO" --help 2>&1 | grep -qw sweep || skip "$PARDEMO has no sweep command"

# A SLURM job around this test (ctest run inside an allocation) must not leak into ours.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SRUN|SALLOC)_')

T=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-slurm.XXXXXX") || exit 3
# munged insists that every directory above its socket be searchable by all.
chmod 755 "$T"
START=$SECONDS
# Every daemon and job of this run carries the tag, so that cleanup finds exactly them.
export PARDEMO_SLURM_TEST=$T
# The reaper does not carry the tag: it is not one of the processes it ends.
env -u PARDEMO_SLURM_TEST setsid "$0" --reap $$ "$T" </dev/null >/dev/null 2>&1 &
REAPER=$!

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  kill "$REAPER" 2>/dev/null
  teardown
  echo "slurm_test: $((SECONDS - START)) s in all"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fatal() {  # setting up the instance failed: show the logs
  echo "slurm_test: $*" >&2
  for f in "$T"/log/*.log; do [[ -r $f ]] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2
  exit 1
}

# ---------------------------------------------------------------- the instance

mkdir -p "$T/run" "$T/key" "$T/log" "$T/state" "$T/spool" "$T/tmp" "$T/work"
chmod 755 "$T/run"
chmod 700 "$T/key" "$T/state"
head -c 1024 /dev/urandom >"$T/key/munge.key"
chmod 400 "$T/key/munge.key"
munged --socket="$T/run/munge.socket" --key-file="$T/key/munge.key" --pid-file="$T/run/munged.pid" \
  --log-file="$T/log/munged.log" --seed-file="$T/run/munged.seed" ||
  fatal "munged did not start"
munge -S "$T/run/munge.socket" -n | unmunge -S "$T/run/munge.socket" >/dev/null ||
  fatal "the private munged does not answer"

read -r CTLD_PORT SLURMD_PORT < <("$PYTHON" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
HOST=$(hostname -s)
: >"$T/plugstack.conf"
cat >"$T/slurm.conf" <<EOF
ClusterName=pdtest$$
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$T/run/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool/%n
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
TmpFS=$T/tmp
PlugStackConfig=$T/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
ReturnToService=2
# The node below claims more CPUs than the machine may have.
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=900
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=4 Sockets=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=pardemo Nodes=ALL Default=YES MaxTime=30 State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -c || fatal "slurmctld did not start"
slurmd || fatal "slurmd did not start"

idle=""
for _ in $(seq 60); do
  idle=$(sinfo -h -N -o %T 2>/dev/null)
  [[ $idle == idle ]] && break
  sleep 0.5
done
[[ $idle == idle ]] || fatal "the node is not idle after 30 s (state: '${idle:-none}')"
echo "slurm_test: private SLURM up in $((SECONDS - START)) s: $(sinfo -h -o '%P %D node %c CPUs %T') ($T)"

# ---------------------------------------------------------------- the jobs

export PARDEMO WORKLOAD=ep CLASS=S REPEAT=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
cd "$T/work" || exit 3

declare -A JOB  # test name -> job id
submit() {  # submit NAME [ENV=VALUE...] -- SBATCH ARGS...
  local name=$1 out envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  if ! out=$(env "${envs[@]}" sbatch --parsable "$@" 2>&1); then
    echo "not ok - submit $name: sbatch $*: $out"
    exit 1
  fi
  JOB[$name]=${out%%;*}
}
submit_array() {  # submit_array NAME [ENV=VALUE...] -- SUBMIT-ARRAY ARGS...
  local name=$1 out envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  if ! out=$(env "${envs[@]}" "$JOBS/submit-array" "$@" 2>&1); then
    echo "not ok - submit $name: submit-array $*: $out"
    exit 1
  fi
  JOB[$name]=$(sed -n 's/^array job \([0-9]*\) .*/\1/p' <<<"$out")
  JOB[$name-report]=$(sed -n 's/^report job \([0-9]*\) .*/\1/p' <<<"$out")
  [[ -n ${JOB[$name]} && -n ${JOB[$name-report]} ]] || { echo "not ok - submit $name: unexpected output: $out"; exit 1; }
}

submit run -- --ntasks=4 "$JOBS/run.sbatch"
submit hybrid -- "$JOBS/hybrid.sbatch"
submit strong -- "$JOBS/strong.sbatch"
submit weak LAUNCHER=mpirun -- "$JOBS/weak.sbatch"
submit_array array --
# The report's dependency, while it is still pending (the array queues behind the jobs above).
scontrol show job -o "${JOB[array-report]}" | sed -n 's/.* Dependency=\([^ ]*\) .*/\1/p' >"$T/array-report.dependency"
# Jobs that must fail.
submit bad_workload WORKLOAD=nosuch -- --ntasks=2 --job-name=bad-workload "$JOBS/run.sbatch"
# mpirun passes pardemo's exit code on; srun reports 137 when the PMIx plugin kills the
# ranks left behind by one that exited without MPI_Finalize.
submit timeout CLASS=W REPEAT=10 TIMEOUT=2 LAUNCHER=mpirun -- --ntasks=2 --job-name=timeout "$JOBS/run.sbatch"
submit_array short_array -- --array=0-1 --ntasks=1 --job-name=short-array

echo "slurm_test: submitted $(for k in "${!JOB[@]}"; do printf '%s=%s ' "$k" "${JOB[$k]}"; done)"

# squeue lists pending and running jobs (array tasks included): wait until it is empty.
waited_from=$SECONDS
while :; do
  queue=$(squeue -h -o '%i %j %T' 2>&1) || queue="squeue failed: $queue"
  [[ -z $queue ]] && break
  if ((SECONDS - waited_from > DEADLINE)); then
    echo "not ok - jobs still queued after ${DEADLINE} s:"
    echo "$queue"
    tail -n 20 "$T/log/slurmctld.log"
    exit 1
  fi
  sleep 1
done
echo "slurm_test: all jobs ended after $((SECONDS - waited_from)) s"
scontrol show job -o >"$T/jobs.txt" 2>&1

# ---------------------------------------------------------------- the checks

ids=()
for k in "${!JOB[@]}"; do ids+=("$k=${JOB[$k]}"); done
"$PYTHON" - "$T/jobs.txt" "$T/work" "${ids[@]}" <<'EOF'
import glob, json, os, re, sys

jobs_txt, work, *pairs = sys.argv[1:]
ids = dict(p.split("=", 1) for p in pairs)
passed = failed = 0

# scontrol show job -o: one line per job (per array task), KEY=VALUE fields.
jobs = {}
for line in open(jobs_txt):
    f = dict(re.findall(r"(\w+)=(\S*)", line))
    if "JobId" not in f:
        continue
    key = f["ArrayJobId"] + "_" + f["ArrayTaskId"] if f.get("ArrayTaskId") else f["JobId"]
    jobs[key] = f

def check(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}: {why}")
    return ok

def job(name, task=None):
    key = ids[name] + (f"_{task}" if task is not None else "")
    return jobs.get(key, {})

def output_of(j):
    path = j.get("StdOut", "")
    return open(path).read() if path and os.path.exists(path) else ""

def show_output(j):
    text = output_of(j)
    print("  | " + "\n  | ".join(text.splitlines()[-25:]))

def ended(name, state, code, task=None):
    j = job(name, task)
    what = f"{name}{'' if task is None else f' task {task}'} (job {ids[name]}) ends {state} {code}"
    ok = check(what, j.get("JobState") == state and j.get("ExitCode") == code,
               f"JobState={j.get('JobState')} ExitCode={j.get('ExitCode')}")
    if not ok:
        show_output(j)
    return j

def results_dir(name, job_name=None):
    """The scripts' default: results/<job name>-<job id> (of the array for array tasks)."""
    return os.path.join(work, "results", f"{job_name or job(name).get('JobName', name)}-{ids[name]}")

def records(path):
    """Every line of a JSON-lines file as a dict; a line that does not parse is an error."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                raise AssertionError(f"{path}:{n}: not a whole JSON record: {e}")
            if r.get("schema") != "pardemo.run/1":
                raise AssertionError(f"{path}:{n}: schema {r.get('schema')!r}")
            out.append(r)
    return out

def check_records(name, path, expect):
    """expect: set of (backend, workers, ranks, threads_per_rank) that must be there, verified."""
    try:
        rs = records(path)
    except AssertionError as e:
        return check(name, False, str(e))
    got = {(r["backend"], r["workers"], r["ranks"], r["threads_per_rank"]) for r in rs}
    bad = [r["backend"] for r in rs if r.get("verified") is not True]
    return check(name, expect <= got and not bad and len(rs) >= len(expect),
                 f"expected {sorted(expect)}, got {sorted(got)}, unverified {bad}, in {path}")

def check_report(name, d):
    summary = os.path.join(d, "summary.md")
    text = open(summary).read() if os.path.exists(summary) else ""
    table = [l for l in text.splitlines() if l.startswith("|")]
    check(f"{name}: summary.md holds a markdown table", len(table) >= 3, f"{summary}: {text[:300]!r}")
    plots = os.listdir(os.path.join(d, "plots")) if os.path.isdir(os.path.join(d, "plots")) else []
    for ext in ("png", "svg"):
        files = [p for p in plots if p.endswith("." + ext) and os.path.getsize(os.path.join(d, "plots", p)) > 0]
        check(f"{name}: plots/ holds {ext} plots", len(files) >= 2, f"plots: {plots}")
    return text

def strong_points(maxw):
    pts, w = set(), 1
    while w <= maxw:
        pts |= {("threads", w, 1, w), ("mpi", w, w, 1)}
        w *= 2
    return pts | {("serial", 1, 1, 1)}

# run.sbatch: serial, threads and MPI on the 4 tasks, one compare.
ended("run", "COMPLETED", "0:0")
d = results_dir("run")
check_records("run: compare records", os.path.join(d, "records.jsonl"),
              {("serial", 1, 1, 1), ("threads", 4, 1, 4), ("mpi", 4, 4, 1)})
try:
    mpi = [r for r in records(os.path.join(d, "records.jsonl")) if r["backend"] == "mpi"]
    check("run: the MPI record has 4 ranks of world size 4, on this host",
          mpi and mpi[0]["world_size"] == 4 and len(mpi[0]["hosts"]) == 4 and mpi[0].get("command") == "compare",
          f"{mpi[:1]}")
except (AssertionError, KeyError) as e:
    check("run: the MPI record", False, str(e))

# hybrid.sbatch: 2 ranks x 2 threads (from --cpus-per-task), after a serial baseline.
ended("hybrid", "COMPLETED", "0:0")
d = results_dir("hybrid")
check_records("hybrid: serial and 2 x 2 hybrid records", os.path.join(d, "records.jsonl"),
              {("serial", 1, 1, 1), ("hybrid", 4, 2, 2)})
check_report("hybrid", d)

# strong.sbatch and weak.sbatch: one sweep each, 1, 2, 4 workers.
for name in ("strong", "weak"):
    ended(name, "COMPLETED", "0:0")
    d = results_dir(name)
    check_records(f"{name}: sweep records for 1, 2, 4 workers and serial", os.path.join(d, "records.jsonl"),
                  strong_points(4))
    try:
        rs = records(os.path.join(d, "records.jsonl"))
        check(f"{name}: records say command sweep", rs and all(r.get("command") == "sweep" for r in rs),
              f"{[r.get('command') for r in rs]}")
    except AssertionError as e:
        check(f"{name}: records", False, str(e))
    check_report(name, d)

# array.sbatch (0-2: 1, 2, 4 workers) and the report after it.
for task, w in ((0, 1), (1, 2), (2, 4)):
    ended("array", "COMPLETED", "0:0", task)
d = results_dir("array", "pardemo-array")
check_records("array: serial baseline from task 0", os.path.join(d, "serial.jsonl"), {("serial", 1, 1, 1)})
for w in (1, 2, 4):
    check_records(f"array: threads and mpi records at {w} workers", os.path.join(d, f"workers-{w}.jsonl"),
                  {("threads", w, 1, w), ("mpi", w, w, 1)})
ended("array-report", "COMPLETED", "0:0")
dep = open(os.path.join(os.path.dirname(jobs_txt), "array-report.dependency")).read().strip()
check("array-report: waited for the array with afterany", dep.startswith(f"afterany:{ids['array']}"), dep)
text = check_report("array-report", d)
check("array-report: the table has every worker count",
      # A row is "threads on 2 cpus" where the threads outnumbered the CPUs.
      all(re.search(rf"\|\s*{b}( on \d+ cpus?)?\s*\|\s*{w}\s*\|", text) for b in ("threads", "mpi") for w in (1, 2, 4)),
      text[:600])
missing = os.path.join(d, "missing.txt")
check("array-report: nothing missing", os.path.exists(missing) and open(missing).read().strip() == "",
      open(missing).read() if os.path.exists(missing) else "no missing.txt")
out = output_of(job("array-report"))
check("array-report: saw every task COMPLETED before it ran",
      all(f"task {t}: COMPLETED" in out for t in range(3)), out[-800:])

# The launchers: auto picks srun --mpi=pmix here; weak.sbatch was told mpirun. Both
# pass a --timeout below the job's 10 or 20 minute limit.
for name, launcher, limit in (("run", "srun --mpi=pmix", 600), ("weak", "mpirun -np 4", 1200)):
    out = output_of(job(name))
    m = re.search(r"^== \d\d:\d\d:\d\d (srun --mpi=pmix|mpirun -np \d+) .* --timeout (\d+)", out, re.M)
    check(f"{name}: launched with {launcher} and a --timeout under the time limit",
          m and m.group(1) == launcher and 0 < int(m.group(2)) < limit, out[:800])

# Failures. An unknown workload: exit 2 from pardemo, nothing recorded.
j = ended("bad_workload", "FAILED", "2:0")
d = results_dir("bad_workload")
check("bad_workload: no record written", not records(os.path.join(d, "records.jsonl")), d)
check("bad_workload: the job output names the bad workload",
      "pardemo: error:" in output_of(j) and "nosuch" in output_of(j), output_of(j)[-500:])

# A compare stopped by --timeout 2: exit 4; what was written is whole records.
j = ended("timeout", "FAILED", "4:0")
d = results_dir("timeout")
try:
    rs = records(os.path.join(d, "records.jsonl"))
    check(f"timeout: only whole, verified records ({len(rs)} of 3 backends)",
          len(rs) < 3 and all(r.get("verified") is True for r in rs), f"{len(rs)} records")
except AssertionError as e:
    check("timeout: only whole records", False, str(e))
check("timeout: the job output says why it stopped", "timeout" in output_of(j).lower(), output_of(j)[-500:])

# An array whose task 1 needs 2 workers in a 1-task allocation: the task fails, the
# report runs anyway (afterany), writes the partial table, names what is missing, exits 1.
ended("short_array", "COMPLETED", "0:0", 0)
j = ended("short_array", "FAILED", "2:0", 1)
check("short_array task 1: says why", "--ntasks=2" in output_of(j), output_of(j)[-400:])
ended("short_array-report", "FAILED", "1:0")
d = results_dir("short_array", "short-array")
check_report("short_array-report (partial)", d)
missing = os.path.join(d, "missing.txt")
lines = open(missing).read().split("\n") if os.path.exists(missing) else []
check("short_array-report: missing.txt names the 2-worker points",
      "threads at 2 workers" in lines and "mpi at 2 workers" in lines and len([l for l in lines if l]) == 2, lines)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
