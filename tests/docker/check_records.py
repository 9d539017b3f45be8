#!/usr/bin/python3
"""Check pardemo's JSON-lines records from a run across the docker cluster.

    check_records.py NODES FILE[:KIND]...

NODES has one line per cluster container: "HOSTNAME ADDRESS". Every FILE must
hold only whole JSON objects, one per line, and every record must have
verified. KIND names what the file must contain:
  compare  serial, threads and mpi records; the mpi one with one rank per node
  sweep    "command": "sweep" records; an mpi point with one rank per node
  spread   every mpi record of 2 or more ranks (there must be one) ran on more
           than one node, and only on the listed nodes (a SLURM job, placed by
           the scheduler)
  any      nothing more (a file cut short by a failed job: whole lines only)
An mpi record "with one rank per node" has as many ranks as there are nodes,
and its "hosts" and "addresses" arrays name every node exactly once.
"""
import json
import sys


def fail(msg):
    print(f"check_records: FAIL: {msg}")
    sys.exit(1)


def load(path):
    records = []
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    if text and not text.endswith("\n"):
        fail(f"{path}: the last line is not terminated (a partial write)")
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            fail(f"{path}:{number}: not a whole JSON line ({e}): {line[:80]!r}")
        if not isinstance(record, dict):
            fail(f"{path}:{number}: not a JSON object")
        records.append(record)
    return records


def spans_all_nodes(path, record, hosts, addresses):
    where = f"{path}: {record.get('command', '?')} {record.get('backend')} ranks={record.get('ranks')}"
    got_hosts = record.get("hosts") or []
    got_addresses = record.get("addresses") or []
    if len(got_hosts) != len(hosts) or set(got_hosts) != hosts:
        fail(f"{where}: hosts {got_hosts}, expected one rank on each of {sorted(hosts)}")
    if len(got_addresses) != len(addresses) or set(got_addresses) != addresses:
        fail(f"{where}: addresses {got_addresses}, expected each of {sorted(addresses)} once")
    print(f"check_records: {where}: {len(hosts)} distinct hosts {sorted(got_hosts)}, addresses {sorted(got_addresses)}")


def spread_over_nodes(path, records, hosts, addresses):
    multi = [r for r in records if r.get("backend") == "mpi" and (r.get("ranks") or 0) >= 2]
    if not multi:
        fail(f"{path}: no mpi record with 2 or more ranks")
    for r in multi:
        where = f"{path}: {r.get('command', '?')} mpi ranks={r.get('ranks')}"
        got_hosts = r.get("hosts") or []
        got_addresses = r.get("addresses") or []
        if len(got_hosts) != r.get("ranks") or not set(got_hosts) <= hosts:
            fail(f"{where}: hosts {got_hosts}, expected one per rank, each of {sorted(hosts)}")
        if not set(got_addresses) <= addresses:
            fail(f"{where}: addresses {got_addresses}, expected some of {sorted(addresses)}")
        if len(set(got_hosts)) < 2:
            fail(f"{where}: all ranks on {sorted(set(got_hosts))}, expected more than one node")
        print(f"check_records: {where}: hosts {got_hosts}")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    nodes = [line.split() for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    hosts = {n[0] for n in nodes}
    addresses = {n[1] for n in nodes}
    if len(hosts) != len(nodes) or len(addresses) != len(nodes):
        fail(f"the nodes are not distinct: {nodes}")
    for arg in sys.argv[2:]:
        path, _, kind = arg.partition(":")
        kind = kind or "any"
        records = load(path)
        if records is None:
            if kind == "any":
                print(f"check_records: {path}: absent (no record was written)")
                continue
            fail(f"{path}: missing")
        for r in records:
            if r.get("verified") is not True:
                fail(f"{path}: a {r.get('backend')} record did not verify: {json.dumps(r)[:200]}")
        full = [r for r in records if r.get("backend") == "mpi" and r.get("ranks") == len(nodes)]
        if kind == "compare":
            backends = {r.get("backend") for r in records}
            if not {"serial", "threads", "mpi"} <= backends:
                fail(f"{path}: backends {sorted(backends)}, expected serial, threads and mpi")
        elif kind == "sweep":
            if not records or any(r.get("command") != "sweep" for r in records):
                fail(f"{path}: expected only \"command\": \"sweep\" records")
            points = sorted({(r.get("backend"), r.get("workers")) for r in records}, key=str)
            print(f"check_records: {path}: sweep points {points}")
        if kind == "spread":
            spread_over_nodes(path, records, hosts, addresses)
        if kind in ("compare", "sweep"):
            if not full:
                fail(f"{path}: no mpi record with {len(nodes)} ranks")
            for r in full:
                spans_all_nodes(path, r, hosts, addresses)
        print(f"check_records: {path}: {len(records)} whole JSON lines, all verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
