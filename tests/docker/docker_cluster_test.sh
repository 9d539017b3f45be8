#!/usr/bin/env bash
# docker.cluster: pardemo across a docker compose cluster of four containers.
#
#   tests/docker/docker_cluster_test.sh PATH_TO_PARDEMO
#
# 1. scripts/cluster up --workers 3: the base image (pulled, or built here from
#    Debian packages and then kept as a cache), the pardemo image, 1 head + 3
#    workers, under a project name of its own.
# 2. `compare ep` and a strong `sweep ep` (when the binary has it) over 4 ranks,
#    one per container; check_records.py asserts from the JSON records that the
#    4-rank mpi runs had one rank on each container (hosts and addresses as
#    docker reports them) and that every run verified.
# 3. A long run (ep class B on 4 ranks, about a minute); one worker is stopped
#    while its rank computes. The job must end within 60 s with a non-zero exit
#    and Open MPI's error, no rank may be left on the other nodes, and the
#    results file it appends to must still hold only whole JSON lines.
# 4. Tear down: containers, network, volume (the cluster's keys) and the image it
#    tagged; the base image stays. Also on failure, TERM or INT (trap); projects
#    left by a test that was killed outright are removed at the next start.
#
# No Docker engine (or no compose): exit 77, or 1 under PARDEMO_CI=1.
# PARDEMO_DOCKER_KEEP=1 leaves the cluster and the image up for a look around.
set -uo pipefail

PARDEMO=${1:-}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
CHECK="$PYTHON $ROOT/tests/docker/check_records.py"
STOP_LIMIT=60   # seconds from stopping a worker to the end of the job
START=$SECONDS

# shellcheck source=tests/docker/lib.sh
source "$ROOT/tests/docker/lib.sh"

if [[ -n $PARDEMO && ! -x $PARDEMO ]]; then fail "$PARDEMO is not an executable file"; fi
docker_checks "$PYTHON"

# ------------------------------------------------------------------ set-up
docker_project pardemotest
CLUSTER=("$ROOT/scripts/cluster")

BG=""        # process group of the command running in the background, if any
TORN_DOWN=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $BG ]]; then kill -TERM -- "-$BG" 2>/dev/null; sleep 1; kill -KILL -- "-$BG" 2>/dev/null; fi
  finish "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# Runs a command in a process group of its own, in the background, and waits:
# a signal to this script is handled at once and ends the whole group.
run() {
  setsid "$@" &
  BG=$!
  wait "$BG"
  local rc=$?
  BG=""
  return "$rc"
}

reap_stale

# ------------------------------------------------------------------ 1. up
say "project $COMPOSE_PROJECT_NAME, image $PARDEMO_IMAGE, base ${BASE_IMAGE:-debian:bookworm-slim}"
base_present=no
if docker image inspect "${BASE_IMAGE:-debian:bookworm-slim}" >/dev/null 2>&1; then base_present=yes; fi
t=$SECONDS
run timeout 900 "${CLUSTER[@]}" up --workers 3 || fail "scripts/cluster up failed"
T_UP=$((SECONDS - t))
say "cluster up in $T_UP s (base image present before: $base_present)"

HEAD=$(compose_p "$COMPOSE_PROJECT_NAME" ps -q head)
mapfile -t WORKERS < <(compose_p "$COMPOSE_PROJECT_NAME" ps -q worker)
[[ -n $HEAD && ${#WORKERS[@]} -eq 3 ]] || fail "expected 1 head and 3 worker containers, found '${HEAD}' and ${#WORKERS[@]}"
# What docker says each node is: its host name and its address.
for id in "$HEAD" "${WORKERS[@]}"; do
  docker inspect -f '{{.Config.Hostname}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id"
done >"$WORK/nodes"
say "nodes (hostname address): $(tr '\n' ';' <"$WORK/nodes")"

# The keys are the cluster's, made at start: none in the image.
if docker run --rm --entrypoint sh "$PARDEMO_IMAGE" -c \
  'ls /etc/ssh/ssh_host_* /cluster/* /home/mpi/.ssh/* 2>/dev/null | grep .'; then
  fail "the image holds ssh keys"
fi
# Ranks run as the unprivileged user; sshd refuses passwords and root.
sshd_conf=$(docker exec "$HEAD" /usr/sbin/sshd -T 2>/dev/null) || fail "sshd -T failed on the head"
for want in "passwordauthentication no" "permitrootlogin no" "kbdinteractiveauthentication no"; do
  grep -qx "$want" <<<"$sshd_conf" || fail "sshd on the head: expected '$want'"
done

# ------------------------------------------------------------------ 2. runs
t=$SECONDS
run timeout 300 "${CLUSTER[@]}" run compare ep --class S --repeat 3 --json compare.jsonl \
  || fail "compare ep across the cluster failed"
T_COMPARE=$((SECONDS - t))
files=("$PARDEMO_RESULTS/compare.jsonl:compare")

T_SWEEP=-
if docker exec "$HEAD" pardemo --help | grep -Eq '^[[:space:]]+sweep[[:space:]]'; then
  t=$SECONDS
  run timeout 300 "${CLUSTER[@]}" run sweep ep --mode strong --class S --json sweep.jsonl \
    || fail "sweep ep --mode strong across the cluster failed"
  T_SWEEP=$((SECONDS - t))
  files+=("$PARDEMO_RESULTS/sweep.jsonl:sweep")
else
  say "this pardemo has no sweep command: the sweep step is left out"
fi
$CHECK "$WORK/nodes" "${files[@]}" || fail "the records do not show a verified run on all four containers"

# ------------------------------------------------------------------ 3. a worker dies
VICTIM=${WORKERS[1]}
victim_name=$(docker inspect -f '{{.Name}}' "$VICTIM")
victim_name=${victim_name#/}
say "long run (ep class B, 4 ranks, 5 repeats); $victim_name will be stopped"
t=$SECONDS
# It appends to the file of the compare run: whatever happens to the job, that
# file must still hold whole JSON lines only.
lines_before=$(wc -l <"$PARDEMO_RESULTS/compare.jsonl")
setsid "${CLUSTER[@]}" run run ep --class B --backend mpi --repeat 5 --json compare.jsonl >"$WORK/long.out" 2>&1 &
BG=$!
# Stop it once its rank has computed for a few seconds.
started=""
while ((SECONDS - t < 90)); do
  if ! kill -0 "$BG" 2>/dev/null; then break; fi
  if docker top "$VICTIM" -o pid,comm 2>/dev/null | awk '$2 == "pardemo" {found = 1} END {exit !found}'; then
    started=$SECONDS
    break
  fi
  sleep 0.5
done
[[ -n $started ]] || { cat "$WORK/long.out"; fail "the long run did not start a rank on $victim_name"; }
sleep 5
kill -0 "$BG" 2>/dev/null || { cat "$WORK/long.out"; fail "the long run ended before the worker was stopped"; }
stop_at=$SECONDS
docker stop "$VICTIM" >/dev/null || fail "docker stop $victim_name failed"
say "stopped $victim_name $((stop_at - t)) s into the run"
rc=""
while ((SECONDS - stop_at <= STOP_LIMIT + 30)); do
  if ! kill -0 "$BG" 2>/dev/null; then
    wait "$BG"
    rc=$?
    break
  fi
  sleep 0.5
done
T_END=$((SECONDS - stop_at))
if [[ -z $rc ]]; then
  cat "$WORK/long.out"
  fail "the job still runs $T_END s after a worker was stopped (it hangs)"
fi
BG=""
sed 's/^/    | /' "$WORK/long.out"
say "the job ended $T_END s after the stop, exit code $rc"
((rc != 0)) || fail "the job exited 0 although a worker was stopped"
((T_END <= STOP_LIMIT)) || fail "the job took $T_END s (> $STOP_LIMIT s) to end after a worker was stopped"
# Open MPI reports the lost daemon ("ORTE has lost communication with a remote
# daemon", or, when the daemon's ssh session ends first, "ORTE was unable to
# reliably start one or more daemons"); scripts/cluster names the lost node.
grep -Eq 'ORTE has lost communication|ORTE was unable to reliably start|lost contact|ORTE_ERROR' "$WORK/long.out" \
  || fail "no error from Open MPI about the lost node"
grep -Fq "cluster: node $victim_name is not running" "$WORK/long.out" \
  || fail "scripts/cluster did not name the lost node $victim_name"
# Nothing of the job may be left on the nodes that are still up.
for id in "$HEAD" "${WORKERS[0]}" "${WORKERS[2]}"; do
  left=""
  for _ in $(seq 20); do
    left=$(docker top "$id" -o pid,comm 2>/dev/null | awk '$2 == "pardemo" || $2 == "orted" || $2 == "mpirun"')
    [[ -z $left ]] && break
    sleep 1
  done
  [[ -z $left ]] || fail "left running on $(docker inspect -f '{{.Name}}' "$id"): $left"
done
say "results file: $lines_before lines before the failed job, $(wc -l <"$PARDEMO_RESULTS/compare.jsonl") after"
$CHECK "$WORK/nodes" "$PARDEMO_RESULTS/compare.jsonl:compare" || fail "the results file is damaged after the failed job"
T_FAIL=$((SECONDS - t))

# ------------------------------------------------------------------ 4. teardown
teardown

say "PASS: up ${T_UP} s, compare ${T_COMPARE} s, sweep ${T_SWEEP} s, worker failure ${T_FAIL} s (job ended ${T_END} s after the stop), teardown ${T_DOWN} s, total $((SECONDS - START)) s"
exit 0
