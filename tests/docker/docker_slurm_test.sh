#!/usr/bin/env bash
# docker.slurm: jobs/strong.sbatch under SLURM across docker compose containers.
#
#   tests/docker/docker_slurm_test.sh
#
# 1. The "slurm" profile of docker-compose.yml under a project name of its own:
#    the image (base image pulled, or built here from Debian packages), then
#    slurm-head (munged, slurmctld) and 2 slurm-workers (munged, slurmd) that
#    declare 2 CPUs each. No munge key may be in the image. Waits (up to 90 s)
#    until sinfo shows both workers idle.
# 2. Submits jobs/strong.sbatch, unchanged, as the unprivileged user mpi, with
#    --distribution=cyclic so that the 2-rank point is spread too, and waits for
#    it (up to 150 s). It must end COMPLETED with exit code 0:0, run as mpi, use
#    srun --mpi=pmix, and its records (in the shared results directory) must all
#    verify, with every mpi record of 2 or more ranks on more than one worker
#    container (check_records.py spread). The same job with LAUNCHER=mpirun
#    (Open MPI starting its daemons through SLURM; MPIRUN_ARGS="--map-by node
#    --bind-to none", as mpirun does not follow SLURM's distribution) must pass
#    the same checks.
# 3. Tear down: containers, network, volumes (the munge key and slurm.conf) and
#    the image it tagged; the base image stays. Also on failure, TERM or INT.
#
# No Docker engine (or no compose): exit 77, or 1 under PARDEMO_CI=1.
# PARDEMO_DOCKER_KEEP=1 leaves the cluster and the image up for a look around.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
CHECK="$PYTHON $ROOT/tests/docker/check_records.py"
WORKERS_N=2
CPUS=2
START=$SECONDS

# shellcheck source=tests/docker/lib.sh
source "$ROOT/tests/docker/lib.sh"
docker_checks "$PYTHON"
docker_project pardemoslurm
export PARDEMO_SLURM_CPUS=$CPUS
compose() { compose_p "$COMPOSE_PROJECT_NAME" --profile slurm "$@"; }

TORN_DOWN=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ $rc -ne 0 && -n ${HEAD:-} ]]; then
    say "slurm logs:"
    for id in "$HEAD" "${WORKERS[@]}"; do
      docker exec "$id" sh -c 'tail -n 15 /var/log/slurm/*.log' 2>&1 | sed "s/^/    $(docker inspect -f '{{.Config.Hostname}}' "$id" 2>/dev/null) | /"
    done
  fi
  finish "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

reap_stale

# ------------------------------------------------------------------ 1. up
say "project $COMPOSE_PROJECT_NAME, image $PARDEMO_IMAGE, base ${BASE_IMAGE:-debian:bookworm-slim}"
t=$SECONDS
base=${BASE_IMAGE:-debian:bookworm-slim}
if ! docker image inspect "$base" >/dev/null 2>&1; then
  docker pull "$base" >/dev/null 2>&1 || timeout 900 "$ROOT/docker/build-base-image" "$base" ||
    fail "no base image $base"
fi
PARDEMO_GIT_REVISION=$(git -C "$ROOT" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
export PARDEMO_GIT_REVISION
timeout 900 "${COMPOSE[@]}" -f "$ROOT/docker-compose.yml" -p "$COMPOSE_PROJECT_NAME" --profile slurm \
  build slurm-head >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; fail "building the image failed"; }
T_BUILD=$((SECONDS - t))
t=$SECONDS
compose up -d --scale "slurm-worker=$WORKERS_N" slurm-head slurm-worker || fail "compose up failed"

HEAD=$(compose ps -q slurm-head)
mapfile -t WORKERS < <(compose ps -q slurm-worker)
[[ -n $HEAD && ${#WORKERS[@]} -eq $WORKERS_N ]] ||
  fail "expected 1 slurm-head and $WORKERS_N slurm-worker containers, found '$HEAD' and ${#WORKERS[@]}"
# The default profile's services stay down.
[[ -z $(compose ps -q head) && -z $(compose ps -q worker) ]] || fail "the slurm profile started head or worker"
for id in "${WORKERS[@]}"; do
  docker inspect -f '{{.Config.Hostname}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id"
done >"$WORK/nodes"
say "workers (hostname address): $(tr '\n' ';' <"$WORK/nodes")"

# The key is the cluster's, made at start: none in the image.
if docker run --rm --entrypoint sh "$PARDEMO_IMAGE" -c \
  'ls /etc/munge/munge.key /slurm/* 2>/dev/null | grep .'; then
  fail "the image holds a munge key or SLURM files"
fi

nodes=""
for _ in $(seq 90); do
  nodes=$(docker exec "$HEAD" sinfo -h -N -o '%N %T' 2>/dev/null | sort -u)
  if [[ $(grep -c ' idle$' <<<"$nodes") -eq $WORKERS_N ]]; then break; fi
  sleep 1
done
[[ $(grep -c ' idle$' <<<"$nodes") -eq $WORKERS_N ]] ||
  fail "after 90 s sinfo shows '${nodes:-nothing}', expected $WORKERS_N idle nodes"
# The nodes are the workers, by their host names.
[[ $(cut -d' ' -f1 <<<"$nodes") == "$(cut -d' ' -f1 "$WORK/nodes" | sort)" ]] ||
  fail "sinfo nodes '$(cut -d' ' -f1 <<<"$nodes" | tr '\n' ' ')' are not the workers' host names"
T_UP=$((SECONDS - t))
say "SLURM up in $T_UP s: $(docker exec "$HEAD" sinfo -h -o '%P %D nodes %c CPUs/node %T')"

# ------------------------------------------------------------------ 2. jobs
# submit_and_check NAME [ENV=VALUE...]: strong.sbatch with these settings, as mpi.
submit_and_check() {
  local name=$1 launcher_line id state="" info out records envs=()
  shift
  for kv in CLASS=S REPEAT=1 "$@"; do envs+=(-e "$kv"); done
  id=$(docker exec -u mpi "${envs[@]}" "$HEAD" sbatch --parsable --distribution=cyclic jobs/strong.sbatch) ||
    fail "$name: sbatch as mpi failed: $id"
  id=${id%%;*}
  say "$name: job $id submitted"
  for _ in $(seq 150); do
    info=$(docker exec "$HEAD" scontrol show job -o "$id" 2>&1)
    state=$(sed -n 's/.* JobState=\([A-Z_]*\) .*/\1/p' <<<"$info")
    case $state in PENDING | RUNNING | CONFIGURING | COMPLETING | "") sleep 1 ;; *) break ;; esac
  done
  out="$PARDEMO_RESULTS/pardemo-strong-$id.out"
  records="$PARDEMO_RESULTS/pardemo-strong-$id/records.jsonl"
  if [[ $state != COMPLETED || $info != *" ExitCode=0:0 "* ]]; then
    [[ -r $out ]] && sed 's/^/    | /' "$out"
    fail "$name: job $id is ${state:-unknown} ($(grep -o 'ExitCode=[^ ]*' <<<"$info")), expected COMPLETED 0:0"
  fi
  [[ $info == *" UserId=mpi("* ]] || fail "$name: job $id did not run as mpi: $(grep -o 'UserId=[^ ]*' <<<"$info")"
  [[ $(grep -o ' NodeList=[^ ]*' <<<"$info") != *" NodeList=(null)" ]] || fail "$name: no NodeList: $info"
  [[ -r $out ]] || fail "$name: no job output $out in the shared results directory"
  sed 's/^/    | /' "$out"
  launcher_line=$(grep -E '^== [0-9:]+ (srun|mpirun) ' "$out" | head -n 1)
  case $name in
    srun) [[ $launcher_line == *"srun --mpi=pmix --ntasks=4 "* ]] || fail "$name: not launched with srun --mpi=pmix: $launcher_line" ;;
    mpirun) [[ $launcher_line == *"mpirun -np 4 "* ]] || fail "$name: not launched with mpirun: $launcher_line" ;;
  esac
  $CHECK "$WORK/nodes" "$records:spread" || fail "$name: the records do not show verified runs spread over the workers"
  [[ $(stat -c %U "$records" 2>/dev/null || true) != root ]] || fail "$name: root wrote $records"
}

t=$SECONDS
submit_and_check srun
T_SRUN=$((SECONDS - t))
t=$SECONDS
submit_and_check mpirun LAUNCHER=mpirun "MPIRUN_ARGS=--map-by node --bind-to none"
T_MPIRUN=$((SECONDS - t))

# ------------------------------------------------------------------ 3. teardown
teardown

say "PASS: build ${T_BUILD} s, up ${T_UP} s, strong.sbatch with srun ${T_SRUN} s and with mpirun ${T_MPIRUN} s, teardown ${T_DOWN} s, total $((SECONDS - START)) s"
exit 0
