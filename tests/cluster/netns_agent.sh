#!/usr/bin/env bash
# Open MPI's remote-shell agent for hosts that are Linux network namespaces.
#
#   mpirun --mca plm_rsh_agent /path/to/netns_agent.sh ...
#
# mpirun's rsh launcher runs `AGENT [OPTIONS] HOST COMMAND...`, as it would run
# `ssh HOST COMMAND...`: HOST is the host's name or address as the hostfile gives
# it, COMMAND the shell command line that starts Open MPI's daemon (orted). This
# agent finds the namespace of HOST in the map file named by PARDEMO_NETNS_MAP
# (lines `HOST NAMESPACE [HOSTNAME]`, `#` comments) and runs the command there:
#
#   ip netns exec NAMESPACE unshare --uts -- sh -c '...; COMMAND'
#
# `ip netns exec` also bind-mounts /etc/netns/NAMESPACE/* over /etc (the host's
# own /etc/hosts). A UTS namespace gives the host its own host name (HOSTNAME,
# default NAMESPACE), and so its own Open MPI session directory.
#
# Like ssh, the daemon starts with a fresh environment: only PATH, HOME, a
# per-host TMPDIR (PARDEMO_NETNS_TMP/NAMESPACE when that is set) and the
# variables named in PARDEMO_NETNS_KEEP (space-separated, default none) reach
# it, so anything the ranks need (OMPI_ALLOW_RUN_AS_ROOT...) must travel with
# `mpirun -x` or `--mca`, as on a real cluster. (The daemon itself does not
# need OMPI_ALLOW_RUN_AS_ROOT; only mpirun checks it.)
set -u

die() {
  echo "netns_agent: $*" >&2
  exit 255   # what ssh returns when it cannot reach the host
}

# ssh-style options before the host (plm_rsh_args) are accepted and ignored.
while [[ $# -gt 0 && $1 == -* ]]; do shift; done
[[ $# -ge 2 ]] || die "usage: netns_agent.sh [OPTIONS] HOST COMMAND..."
host=$1
shift

map=${PARDEMO_NETNS_MAP:-}
[[ -n $map && -r $map ]] || die "PARDEMO_NETNS_MAP does not name a readable map file"

ns=""
name=""
while read -r h n hn _; do
  [[ -z $h || $h == \#* ]] && continue
  if [[ $h == "$host" ]]; then
    ns=$n
    name=${hn:-$n}
    break
  fi
done <"$map"
[[ -n $ns ]] || die "host $host is not in $map"

tmp=/tmp
if [[ -n ${PARDEMO_NETNS_TMP:-} ]]; then
  tmp=$PARDEMO_NETNS_TMP/$ns
  mkdir -p "$tmp" || die "cannot create $tmp"
fi

envs=(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="${HOME:-/root}" TMPDIR="$tmp")
for v in ${PARDEMO_NETNS_KEEP:-}; do
  if [[ -n ${!v+set} ]]; then envs+=("$v=${!v}"); fi
done

# $1: the host name to set, $2: the command line from mpirun. The host name is
# written through /proc because the UTS namespace is new and private.
# shellcheck disable=SC2016
exec env -i "${envs[@]}" ip netns exec "$ns" unshare --uts -- \
  sh -c 'echo "$1" >/proc/sys/kernel/hostname && eval "$2"' netns_agent "$name" "$*"
