#!/usr/bin/python3
"""Runs a command and records its peak resident memory.

    peak_rss.py FILE COMMAND [ARGS...]

Runs COMMAND as a child, waits for it, and appends one line to FILE:
"<rank> <peak resident set size of the child in KiB>", where <rank> is the MPI
rank from Open MPI's environment (OMPI_COMM_WORLD_RANK, or PMIX_RANK), 0 when
run outside mpirun. Under `mpirun -np N peak_rss.py FILE pardemo ...` every
rank's peak lands in FILE (one short append per rank). The exit status is the
child's; the wrapper's own memory is not counted (RUSAGE_CHILDREN).
"""
import os
import resource
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: peak_rss.py FILE COMMAND [ARGS...]")
out, command = sys.argv[1], sys.argv[2:]
code = subprocess.call(command)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
rank = os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMIX_RANK", "0"))
with open(out, "a") as f:
    f.write(f"{rank} {peak_kib}\n")
sys.exit(code if code >= 0 else 128 - code)
