#!/usr/bin/python3
"""Reproducibility: the same problem gives the same bits, run after run, on any
number of ranks and on every backend.

    tests/repro/repro_test.py PATH_TO_PARDEMO

For every workload that `pardemo list` names, at a small size, it runs
`pardemo run --json` twice on each of these layouts:

    serial                 1 process, 1 rank
    mpi, 1 rank            mpirun -np 1
    threads, 3 threads     1 process
    mpi, 3 ranks           mpirun -np 3 --oversubscribe
    hybrid, 3 ranks x 2    mpirun -np 3 --oversubscribe --threads 2

and asserts that every record verified and that the `result` object of every
record (the workload's answer and checksums; not the timings) is identical to the
first serial run's: same keys, same values, floating-point numbers to the bit
(pardemo writes doubles with enough digits to read back the same double, and
values are compared by their shortest exact text, so one ulp is a difference). The problem `parameters` must also agree, so that like is compared with
like. Exits 0 when every check passes, 1 otherwise, listing each difference.

Environment: MPIRUN (default mpirun).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# A small size for each workload: big enough that every worker of a 3 x 2 layout
# gets work, small enough that a run takes well under a second.
SMALL = {
    "ep": ["--class", "S"],
    "mandelbrot": ["--class", "S"],
    "primes": ["--size", "2000003"],
    "sort": ["--size", "300007"],
    "stencil": ["--size", "301", "--iterations", "5"],
    "wordfreq": ["--size", "1000003"],
}
RUNS_PER_LAYOUT = 2
TIMEOUT_S = 120

LAYOUTS = [
    # (name, ranks, pardemo args)
    ("serial", 1, ["--backend", "serial"]),
    ("mpi 1 rank", 1, ["--backend", "mpi"]),
    ("threads 3", 0, ["--backend", "threads", "--threads", "3"]),
    ("mpi 3 ranks", 3, ["--backend", "mpi"]),
    ("hybrid 3x2", 3, ["--backend", "hybrid", "--threads", "2"]),
]


def workloads(pardemo):
    """The workload names from `pardemo list`'s table (first column, until the blank line)."""
    out = subprocess.run([pardemo, "list"], check=True, capture_output=True, text=True, timeout=TIMEOUT_S).stdout
    lines = out.splitlines()
    names = []
    header = next(i for i, line in enumerate(lines) if re.match(r"\s*workload\s+sizes", line))
    for line in lines[header + 1:]:
        if not line.strip():
            break
        if re.match(r"^[\s\-=+|]*$", line):
            continue  # a rule under the header
        names.append(line.split()[0])
    return names


def run(pardemo, workload, ranks, args, json_path):
    cmd = [pardemo, "run", workload, *SMALL[workload], *args, "--json", json_path]
    if ranks:
        cmd = [os.environ.get("MPIRUN", "mpirun"), "-np", str(ranks), "--oversubscribe", "--bind-to", "none", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"exit code {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()}")
    with open(json_path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    os.unlink(json_path)
    if len(records) != 1:
        raise RuntimeError(f"{len(records)} JSON records, expected 1: {' '.join(cmd)}")
    return records[0]


def differences(a, b):
    """Keys whose values differ between two result objects, with both values."""
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            out.append(f"{key}: only in {'the reference' if key in a else 'this run'}")
        elif json.dumps(a[key]) != json.dumps(b[key]):
            out.append(f"{key}: {json.dumps(a[key])[:80]} vs {json.dumps(b[key])[:80]}")
    return out


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} PATH_TO_PARDEMO", file=sys.stderr)
        return 2
    pardemo = os.path.abspath(sys.argv[1])
    if not os.access(pardemo, os.X_OK):
        print(f"{sys.argv[0]}: {pardemo} is not an executable file", file=sys.stderr)
        return 2
    if os.geteuid() == 0:
        os.environ.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.environ.setdefault("OMPI_MCA_pml", "ob1")

    names = workloads(pardemo)
    failures = []
    if not names:
        failures.append("`pardemo list` named no workload")
    unknown = [n for n in names if n not in SMALL]
    if unknown:
        failures.append(f"no small size known here for {', '.join(unknown)}: add it to SMALL")
    with tempfile.TemporaryDirectory(prefix="pardemo-repro.") as tmp:
        for workload in (n for n in names if n in SMALL):
            reference = None
            compared = 0
            for name, ranks, args in LAYOUTS:
                for attempt in range(1, RUNS_PER_LAYOUT + 1):
                    label = f"{workload} {name} run {attempt}"
                    try:
                        rec = run(pardemo, workload, ranks, args, os.path.join(tmp, "r.jsonl"))
                    except (RuntimeError, subprocess.TimeoutExpired) as e:
                        failures.append(f"{label}: {e}")
                        continue
                    if rec.get("verified") is not True:
                        failures.append(f"{label}: not verified ({rec.get('verification')})")
                    if not rec.get("result"):
                        failures.append(f"{label}: the record has no result fields")
                        continue
                    if reference is None:
                        reference = (label, rec)
                        continue
                    ref_label, ref = reference
                    if rec["parameters"] != ref["parameters"]:
                        failures.append(f"{label}: parameters {rec['parameters']} differ from {ref_label}'s {ref['parameters']}")
                    for d in differences(ref["result"], rec["result"]):
                        failures.append(f"{label} differs from {ref_label}: {d}")
                    compared += 1
            print(f"{workload}: {compared} runs compared with the first, "
                  f"{len(reference[1]['result']) if reference else 0} result fields each")
    for f in failures:
        print(f"FAIL: {f}")
    print(f"repro: {len(names)} workloads, {'FAILED' if failures else 'all results bit-identical'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
