#!/usr/bin/python3
"""Checks the JSON records of the network-namespace cluster test.

    netns_records.py RECORDS.jsonl HAVE_SWEEP NS_A NS_B NS_C IP_A IP_B IP_C

RECORDS.jsonl holds pardemo's records (schema pardemo.run/1) of one
`compare` and, when HAVE_SWEEP is 1, one `sweep`, both run with 3 ranks, one
on each host. Host i is namespace NS_i with address IP_i; its host name is its
namespace's name. Checks that every record verified, every MPI or hybrid run
of k ranks ran in k distinct namespaces of this run, with k distinct
addresses and host names of this run, each rank's namespace and address
belonging to the same host, and that compare (and sweep) have a 3-rank MPI
record covering all three hosts. Prints `ok - ...` or one `not ok - ...` per
problem; exits 0 when there is none, 1 otherwise.
"""
import json
import sys

if len(sys.argv) != 9:
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
path, have_sweep = sys.argv[1], sys.argv[2] == "1"
names, ips = sys.argv[3:6], sys.argv[6:9]
problems = []
try:
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
except (OSError, ValueError) as e:
    print(f"not ok - records: cannot read {path}: {e}")
    sys.exit(1)



def tag(r):
    return f"{r.get('command')}/{r.get('backend')} {r.get('ranks')}x{r.get('threads_per_rank')}"


full = {"compare": 0, "sweep": 0}
for r in records:
    if r.get("verified") is not True:
        problems.append(f"{tag(r)}: verified is {r.get('verified')!r}")
    if r.get("world_size") != 3:
        problems.append(f"{tag(r)}: world_size {r.get('world_size')!r}, expected 3")
    if r.get("backend") not in ("mpi", "hybrid"):
        continue
    k = r.get("ranks")
    ns, addr, hosts = r.get("netns", []), r.get("addresses", []), r.get("hosts", [])
    for field, got, known in (("netns", ns, names), ("addresses", addr, ips), ("hosts", hosts, names)):
        if len(got) != k or len(set(got)) != k:
            problems.append(f"{tag(r)}: {field} {got} are not {k} distinct values")
        elif not set(got) <= set(known):
            problems.append(f"{tag(r)}: {field} {got} not among this run's {known}")
    if k == 3 and sorted(ns) == sorted(names) and sorted(addr) == sorted(ips) and sorted(hosts) == sorted(names):
        full[r.get("command")] = full.get(r.get("command"), 0) + 1
    # Each rank's namespace and address must belong to the same host.
    for n, a in zip(ns, addr):
        if n in names and a in ips and names.index(n) != ips.index(a):
            problems.append(f"{tag(r)}: rank in {n} reports address {a}")

if full["compare"] < 1:
    problems.append("no compare record of 3 MPI ranks spanning the three hosts")
if have_sweep:
    if full["sweep"] < 1:
        problems.append("no sweep record of 3 MPI ranks spanning the three hosts")
    points = sorted({(r.get("backend"), r.get("workers")) for r in records if r.get("command") == "sweep"})
    print(f"    sweep points (backend, workers): {points}")

print(f"    {len(records)} records; 3-rank runs across all hosts: {full}")
for p in problems:
    print(f"not ok - records: {p}")
if not problems:
    print("ok - records: all verified; MPI ranks in distinct namespaces, addresses and host names of this run")
sys.exit(1 if problems else 0)
