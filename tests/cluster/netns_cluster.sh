#!/usr/bin/env bash
# A three-host MPI job on one machine: each host is a Linux network namespace.
#
#   tests/cluster/netns_cluster.sh PATH_TO_PARDEMO
#
# Builds, under names unique to this run (P = this script's process id):
#   pdns-P-br         a namespace holding only a Linux bridge, br0;
#   pdns-P-{a,b,c}    three hosts, each with loopback, one veth (eth0) plugged
#                     into br0, its own address 10.213.X.{1,2,3}/24 (X chosen
#                     per run) and its own /etc/hosts (/etc/netns/NAME/hosts,
#                     which `ip netns exec` bind-mounts over /etc/hosts).
# Nothing is added to the root namespace: the veth pairs are created directly
# inside the bridge's and the hosts' namespaces.
#
# Then, from host a (the head, where mpirun runs), one rank per host:
#   mpirun -np 3 --hostfile (the three addresses, slots=1)
#          --mca plm_rsh_agent netns_agent.sh   (starts orted on b and c in their
#                                                 namespaces, like ssh would)
#          --mca btl tcp,self                   (TCP between hosts; no shared memory)
#          --mca btl_tcp_if_include / oob_tcp_if_include 10.213.X.0/24
#          --leave-session-attached             (orted stays the agent's child
#                                                 instead of daemonizing: the
#                                                 whole job is one process tree
#                                                 under mpirun, reaped by it)
#   pardemo compare ep --class S --json ...
#   pardemo sweep ep --mode strong --class S --max-workers 3 --json ...
# and checks the JSON records: every run verified, every MPI run of k ranks ran
# in k distinct namespaces of this run with k distinct addresses and host names,
# and the 3-rank runs cover all three hosts exactly.
#
# Everything it made (namespaces, hence veths and bridge, /etc/netns/NAME,
# temporary files, daemons and ranks still running in its namespaces) is removed
# on exit, also after a failure, INT or TERM. Namespaces left by an earlier run
# that was killed outright (SIGKILL) are removed at start when their run's
# process is gone.
#
# Needs root and `ip netns`; otherwise prints why and exits 77 (exit 1 under
# PARDEMO_CI=1, where a skip counts as a failure).
#
# A test driver's timeout may end it with SIGKILL, which no trap sees: every
# mpirun gets at most PARDEMO_NETNS_STEP_TIMEOUT seconds (default 120) and all
# of them together PARDEMO_NETNS_BUDGET seconds (default 240), so the script
# ends by itself inside CTest's TIMEOUT of 300.
#
# Environment: MPIRUN (default mpirun), PYTHON (default /usr/bin/python3),
# PARDEMO_NETNS_STEP_TIMEOUT, PARDEMO_NETNS_BUDGET.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/../lib/pardemo_argument.sh"
pardemo_argument "$@"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AGENT=$HERE/netns_agent.sh
MPIRUN=${MPIRUN:-mpirun}
PYTHON=${PYTHON:-/usr/bin/python3}
STEP_TIMEOUT=${PARDEMO_NETNS_STEP_TIMEOUT:-120}
BUDGET=${PARDEMO_NETNS_BUDGET:-240}
START=$SECONDS

skip() {
  if [[ ${PARDEMO_CI:-0} == 1 ]]; then
    echo "cluster.netns: cannot run: $* (PARDEMO_CI=1: a skip is a failure)"
    exit 1
  fi
  echo "cluster.netns: skipped: $*"
  exit 77
}

# ------------------------------------------------------------ can it run here?

[[ $(id -u) -eq 0 ]] || skip "needs root to create network namespaces (running as uid $(id -u))"
command -v ip >/dev/null 2>&1 || skip "no ip command (Debian package iproute2)"
command -v unshare >/dev/null 2>&1 || skip "no unshare command (Debian package util-linux)"
command -v "$MPIRUN" >/dev/null 2>&1 || skip "no $MPIRUN (Debian package openmpi-bin)"
[[ -x $PYTHON ]] || skip "no $PYTHON"
[[ -x $AGENT ]] || { echo "$0: $AGENT is not executable" >&2; exit 2; }

PREFIX=pdns-$$
BR_NS=$PREFIX-br
HOSTS=(a b c)
NS=()
for h in "${HOSTS[@]}"; do NS+=("$PREFIX-$h"); done
TMP=""
MADE_ETC_NETNS=0

# ---------------------------------------------------------------- cleanup

# Kills every process still running in namespace $1 (our orted daemons and
# ranks, when a run failed), by process id, then waits briefly for them to go.
kill_in_ns() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null) || return 0
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$1" 2>/dev/null)
    [[ -z $pids ]] && return 0
    sleep 0.2
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null
}

remove_ns() {
  local ns=$1
  if ip netns list 2>/dev/null | grep -q "^$ns\b"; then
    kill_in_ns "$ns"
    ip netns delete "$ns" 2>/dev/null || echo "cluster.netns: warning: could not delete namespace $ns" >&2
  fi
  rm -rf "/etc/netns/$ns"
}

CLEANED=0
# shellcheck disable=SC2317  # cleanup and on_signal run from traps
cleanup() {
  [[ $CLEANED -eq 1 ]] && return
  CLEANED=1
  trap '' INT TERM   # finish cleaning even when signalled again
  # Deleting a namespace destroys the devices in it, and a veth goes with its
  # peer: the bridge namespace's deletion removes br0 and every veth pair.
  local ns
  for ns in "${NS[@]}" "$BR_NS"; do remove_ns "$ns"; done
  if [[ $MADE_ETC_NETNS -eq 1 ]]; then rmdir /etc/netns 2>/dev/null; fi
  [[ -n $TMP ]] && rm -rf "$TMP"
}
# shellcheck disable=SC2317
on_signal() {
  echo "cluster.netns: caught $1, cleaning up" >&2
  cleanup
  exit 1
}
trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# Is process $1 a live run of this script? (A zombie, or a reused process id
# running something else, is not.)
run_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q netns_cluster
}

# Namespaces of earlier runs that were killed outright (no trap runs on
# SIGKILL, e.g. from a test driver's timeout): remove them when their run's
# process is gone.
for old in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pdns-[0-9]+-(a|b|c|br)$'); do
  pid=${old#pdns-}
  pid=${pid%%-*}
  if ! run_alive "$pid"; then
    echo "cluster.netns: removing $old, left by an earlier run (process $pid is gone)"
    remove_ns "$old"
  fi
done
for old in "${TMPDIR:-/tmp}"/pardemo-netns-*.*; do
  [[ -d $old ]] || continue
  pid=${old##*/pardemo-netns-}
  pid=${pid%%.*}
  if [[ $pid =~ ^[0-9]+$ ]] && ! run_alive "$pid"; then
    echo "cluster.netns: removing $old, left by an earlier run (process $pid is gone)"
    rm -rf "$old"
  fi
done

# ---------------------------------------------------------------- the hosts

# One private /24 per run, in 10.213.0.0/16; namespaces are isolated anyway,
# the per-run choice only keeps concurrent runs apart in logs and tables.
X=$(( ($$ % 254) + 1 ))
SUBNET=10.213.$X.0/24
IPS=()
for i in 1 2 3; do IPS+=("10.213.$X.$i"); done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-netns-$$.XXXXXX") || exit 3

setup_failed() {
  echo "cluster.netns: FAIL: $*" >&2
  exit 1
}

ip netns add "$BR_NS" || skip "ip netns add failed (no CAP_SYS_ADMIN, or /run/netns not writable?)"
ip -n "$BR_NS" link set lo up || setup_failed "loopback up in $BR_NS"
ip -n "$BR_NS" link add br0 type bridge 2>"$TMP/err" || skip "cannot create a Linux bridge: $(cat "$TMP/err")"
ip -n "$BR_NS" link set br0 up || setup_failed "br0 up"

if [[ ! -d /etc/netns ]]; then
  mkdir /etc/netns || setup_failed "mkdir /etc/netns"
  MADE_ETC_NETNS=1
fi

for i in 0 1 2; do
  ns=${NS[$i]}
  ip netns add "$ns" || setup_failed "ip netns add $ns"
  # The pair is born with one end in each namespace: nothing in the root one.
  ip -n "$BR_NS" link add "port-${HOSTS[$i]}" type veth peer name eth0 netns "$ns" ||
    setup_failed "veth pair for $ns"
  ip -n "$BR_NS" link set "port-${HOSTS[$i]}" master br0 up || setup_failed "port-${HOSTS[$i]} into br0"
  ip -n "$ns" link set lo up || setup_failed "loopback up in $ns"
  ip -n "$ns" addr add "${IPS[$i]}/24" dev eth0 || setup_failed "address ${IPS[$i]} in $ns"
  ip -n "$ns" link set eth0 up || setup_failed "eth0 up in $ns"
  mkdir -p "/etc/netns/$ns" || setup_failed "mkdir /etc/netns/$ns"
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost ip6-localhost ip6-loopback"
    for j in 0 1 2; do echo "${IPS[$j]} ${NS[$j]}"; done
  } >"/etc/netns/$ns/hosts"
done

# The agent's map: address -> namespace (host name = namespace name).
{
  echo "# address namespace hostname"
  for i in 0 1 2; do echo "${IPS[$i]} ${NS[$i]} ${NS[$i]}"; done
} >"$TMP/hosts.map"
{
  echo "# the three namespace hosts of this run, one rank each"
  for i in 0 1 2; do echo "${IPS[$i]} slots=1"; done
} >"$TMP/hostfile"

# The generated hostfile must pass the project's own checker.
CHECK_HOSTFILE=$HERE/../../hostfiles/check-hostfile
if [[ -x $CHECK_HOSTFILE ]]; then
  out=$("$CHECK_HOSTFILE" "$TMP/hostfile" 2>&1) || setup_failed "hostfiles/check-hostfile rejects the generated hostfile: $out"
  echo "    $out"
fi

# A bridge port forwards once it leaves the listening/learning states (at
# once without STP, which is off by default); wait for all three.
for _ in $(seq 50); do
  [[ $(bridge -n "$BR_NS" link show 2>/dev/null | grep -c 'state forwarding') -eq 3 ]] && break
  sleep 0.1
done
[[ $(bridge -n "$BR_NS" link show 2>/dev/null | grep -c 'state forwarding') -eq 3 ]] ||
  setup_failed "bridge ports not forwarding: $(bridge -n "$BR_NS" link show 2>&1)"
echo "cluster.netns: hosts ${NS[*]} at ${IPS[*]} on $SUBNET, bridge in $BR_NS ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- the runs

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export PARDEMO_NETNS_MAP=$TMP/hosts.map PARDEMO_NETNS_TMP=$TMP/hosts
mkdir -p "$TMP/hosts/${NS[0]}"

# shellcheck disable=SC2054  # tcp,self is one value
MPI_ARGS=(
  -np 3 --hostfile "$TMP/hostfile"
  --mca plm_rsh_agent "$AGENT"
  --mca plm_rsh_no_tree_spawn 1
  --mca btl tcp,self
  --mca btl_tcp_if_include "$SUBNET"
  --mca oob_tcp_if_include "$SUBNET"
  --mca pml ob1
  --bind-to none --oversubscribe --leave-session-attached
  -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
)

FAILED=0
NRUN=0
# on_head NAME ARGS...: runs pardemo ARGS under mpirun on the head host, in
# its own UTS namespace, with a time limit; prints its output.
on_head() {
  local what=$1
  shift
  NRUN=$((NRUN + 1))
  local args=("$@")
  local out=$TMP/run$NRUN.out t0=$SECONDS rc limit=$STEP_TIMEOUT
  local left=$((START + BUDGET - SECONDS))
  if [[ $left -lt $limit ]]; then limit=$left; fi
  if [[ $left -lt 10 ]]; then
    echo "not ok - $what: not started, the time budget of $BUDGET s is spent"
    FAILED=1
    return
  fi
  # pardemo's own watchdog ends the job with a message a little before
  # `timeout` would kill mpirun.
  local watchdog=$((limit >= 40 ? limit - 10 : limit * 3 / 4))
  if [[ $HAVE_TIMEOUT -eq 1 ]]; then args+=(--timeout "$watchdog"); fi
  # --foreground: signal mpirun alone, once; it then ends its daemons and ranks.
  # shellcheck disable=SC2016  # $1 and $@ belong to the inner sh
  ip netns exec "${NS[0]}" unshare --uts -- \
    sh -c 'echo "$1" >/proc/sys/kernel/hostname && shift && exec "$@"' sh "${NS[0]}" \
    env TMPDIR="$TMP/hosts/${NS[0]}" \
    timeout --foreground -k 10 "$limit" "$MPIRUN" "${MPI_ARGS[@]}" "$PARDEMO" "${args[@]}" \
    >"$out" 2>&1 </dev/null &
  # In the background, so that INT or TERM reach the trap at once (bash runs
  # traps only between foreground commands); the trap then ends mpirun and
  # whatever it started, by process id, through the namespaces.
  wait $!
  rc=$?
  sed 's/^/    /' "$out"
  if [[ $rc -eq 0 ]]; then
    echo "ok - $what ($((SECONDS - t0)) s)"
  else
    if [[ $HAVE_TIMEOUT -eq 1 && $rc -eq 4 ]]; then
      echo "not ok - $what: pardemo --timeout $watchdog expired (exit code 4)"
    elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
      echo "not ok - $what: timed out after $limit s (ended after $((SECONDS - t0)) s)"
    else
      echo "not ok - $what: exit code $rc"
    fi
    FAILED=1
  fi
}

JSON=$TMP/records.jsonl
HAVE_TIMEOUT=0
if timeout 20 "$PARDEMO" compare --help 2>/dev/null | grep -q -- --timeout; then HAVE_TIMEOUT=1; fi
on_head "compare ep --class S on 3 hosts" compare ep --class S --repeat 3 --json "$JSON"

HAVE_SWEEP=0
if timeout 20 "$PARDEMO" --help 2>/dev/null | grep -qw sweep; then
  HAVE_SWEEP=1
  on_head "sweep ep --mode strong on 3 hosts" \
    sweep ep --mode strong --class S --max-workers 3 --repeat 2 --json "$JSON"
else
  # The sweep command is newer than this test; older binaries skip this step.
  echo "# skip - sweep: this pardemo has no sweep command (pardemo --help does not list it)"
fi

# ---------------------------------------------------------------- the records

"$PYTHON" "$HERE/netns_records.py" "$JSON" "$HAVE_SWEEP" "${NS[@]}" "${IPS[@]}" || FAILED=1

echo "cluster.netns: $((SECONDS - START)) s in all"
if [[ $FAILED -ne 0 ]]; then
  echo "cluster.netns: FAILED"
  exit 1
fi
echo "cluster.netns: passed"
exit 0
