# shellcheck shell=bash
# Common parts of the docker tests (docker_cluster_test.sh, docker_slurm_test.sh).
# Sourced, not run. Expects ROOT (the repository) and START (SECONDS at start);
# sets COMPOSE, and after docker_project PREFIX: COMPOSE_PROJECT_NAME,
# PARDEMO_IMAGE, WORK and PARDEMO_RESULTS (exported).

say() { printf '[%4d s] %s\n' "$((SECONDS - START))" "$*"; }
skip() {
  say "SKIP: $*"
  if [[ ${PARDEMO_CI:-} == 1 ]]; then
    say "PARDEMO_CI=1: this test must run in CI, a skip is a failure"
    exit 1
  fi
  exit 77
}
fail() {
  say "FAIL: $*"
  exit 1
}

# docker_checks PYTHON: skips unless docker, its engine, a compose and PYTHON are here.
docker_checks() {
  command -v docker >/dev/null 2>&1 || skip "no docker command (Debian package docker.io)"
  docker info >/dev/null 2>&1 || skip "no Docker engine: 'docker info' fails (not running, or no permission for $(id -un))"
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    skip "neither 'docker compose' nor docker-compose is installed"
  fi
  [[ -x $1 ]] || skip "no $1 (Debian package python3)"
}

# docker_project PREFIX: a project, an image tag and a results directory of this
# run only. The name carries this shell's process id, so that a later run can
# tell a project whose test was killed outright (SIGKILL: no trap) and remove it.
docker_project() {
  PREFIX=$1
  export COMPOSE_PROJECT_NAME="$PREFIX-$$-$RANDOM"
  export PARDEMO_IMAGE="pardemo-test:$COMPOSE_PROJECT_NAME"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/pardemo-docker.XXXXXX") || exit 1
  export PARDEMO_RESULTS=$WORK/results
  mkdir -p "$PARDEMO_RESULTS"
}

compose_p() { "${COMPOSE[@]}" -f "$ROOT/docker-compose.yml" -p "$1" "${@:2}"; }

# Remove one project's containers, network, volumes and test image.
remove_project() {
  local project=$1
  PARDEMO_IMAGE="pardemo-test:$project" PARDEMO_RESULTS="$WORK/results" \
    compose_p "$project" --profile slurm down -v --remove-orphans -t 1 >/dev/null 2>&1
  # --no-prune: the layers stay as the next build's cache (docker image prune
  # removes them).
  docker rmi -f --no-prune "pardemo-test:$project" >/dev/null 2>&1
  # Whatever compose could not see (it was killed while creating them).
  local label="label=com.docker.compose.project=$project" ids
  mapfile -t ids < <(docker ps -aq --filter "$label")
  [[ ${#ids[@]} -eq 0 ]] || docker rm -f "${ids[@]}" >/dev/null 2>&1
  mapfile -t ids < <(docker network ls -q --filter "$label")
  [[ ${#ids[@]} -eq 0 ]] || docker network rm "${ids[@]}" >/dev/null 2>&1
  mapfile -t ids < <(docker volume ls -q --filter "$label")
  [[ ${#ids[@]} -eq 0 ]] || docker volume rm "${ids[@]}" >/dev/null 2>&1
  return 0
}

# Projects of earlier runs of this test (PREFIX) whose shell no longer exists.
reap_stale() {
  local project pid
  for project in $({
    docker ps -a --format '{{.Label "com.docker.compose.project"}}'
    docker network ls --format '{{.Label "com.docker.compose.project"}}'
    docker volume ls --format '{{.Label "com.docker.compose.project"}}'
    docker images --format '{{.Repository}}:{{.Tag}}' | sed -n 's/^pardemo-test://p'
  } 2>/dev/null | grep "^$PREFIX-[0-9]*-[0-9]*$" | sort -u); do
    pid=${project#"$PREFIX"-}
    pid=${pid%%-*}
    if ! kill -0 "$pid" 2>/dev/null; then
      say "removing $project, left by a test that did not finish"
      remove_project "$project"
    fi
  done
}

# After teardown: nothing of the project may be left, and the base image stays.
check_torn_down() {
  local label="label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
  [[ -z $(docker ps -aq --filter "$label") ]] || fail "containers left after teardown"
  [[ -z $(docker network ls -q --filter "$label") ]] || fail "network left after teardown"
  [[ -z $(docker volume ls -q --filter "$label") ]] || fail "volume left after teardown"
  ! docker image inspect "$PARDEMO_IMAGE" >/dev/null 2>&1 || fail "image $PARDEMO_IMAGE left after teardown"
  docker image inspect "${BASE_IMAGE:-debian:bookworm-slim}" >/dev/null 2>&1 || fail "the base image was removed"
}

# The end of a test's EXIT trap: leave everything for a look when
# PARDEMO_DOCKER_KEEP=1, else tear the project down (unless the test already
# did) and remove WORK; then exit with RC.
finish() {
  local rc=$1
  if [[ ${PARDEMO_DOCKER_KEEP:-} == 1 ]]; then
    say "PARDEMO_DOCKER_KEEP=1: leaving project $COMPOSE_PROJECT_NAME, image $PARDEMO_IMAGE and $WORK"
    exit "$rc"
  fi
  if [[ $TORN_DOWN -eq 0 ]]; then
    say "tearing down $COMPOSE_PROJECT_NAME (exit $rc)"
    remove_project "$COMPOSE_PROJECT_NAME"
  fi
  rm -rf "$WORK" 2>/dev/null
  exit "$rc"
}

# The test's own teardown, checked (skipped when PARDEMO_DOCKER_KEEP=1): sets
# TORN_DOWN=1 so that finish() does not repeat it, and T_DOWN to its seconds.
teardown() {
  if [[ ${PARDEMO_DOCKER_KEEP:-} == 1 ]]; then
    T_DOWN=-
    return
  fi
  local t=$SECONDS
  remove_project "$COMPOSE_PROJECT_NAME"
  TORN_DOWN=1
  check_torn_down
  T_DOWN=$((SECONDS - t))
}
