# Shared by scripts/demo, scripts/test and scripts/bench: build the default preset
# and set up the environment Open MPI needs here.
# shellcheck shell=bash

PARDEMO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

pardemo_build() {
  cmake --preset default -S "$PARDEMO_ROOT" >/dev/null
  cmake --build --preset default -j "$(nproc)"
}

pardemo_mpi_env() {
  # Open MPI refuses to run as root unless told; real users are not root.
  if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
  # Without InfiniBand, Open MPI's default transport probing costs ~0.2 s per
  # job; ob1 (TCP and shared memory) is what it would pick anyway. A value set
  # by the user wins.
  export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
}

# mpirun flags for N ranks here: --oversubscribe when N exceeds the cores, and
# no binding, so a rank's threads can use every core.
pardemo_mpirun_flags() {
  local n=$1
  local flags="--bind-to none"
  if [ "$n" -gt "$(nproc)" ]; then flags="$flags --oversubscribe"; fi
  echo "$flags"
}
