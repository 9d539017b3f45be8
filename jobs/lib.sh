# shellcheck shell=bash disable=SC2034
# Common parts of the pardemo SLURM job scripts (jobs/*.sbatch). Sourced, not run.
# (SC2034: the arrays and variables set here are used by the scripts that source it.)
#
# Environment read here (every script documents the ones it uses):
#   PARDEMO    the program. Default: `pardemo` on PATH, else
#              $SLURM_SUBMIT_DIR/build/default/src/pardemo.
#   WORKLOAD   ep | primes | mandelbrot | sort | stencil | wordfreq (default ep).
#   CLASS      --class S|W|A|B|C; SIZE: --size N. Default: neither (the workload's own default).
#   REPEAT     timed repeats per backend (default: each script's own).
#   RESULTS    results directory. Default: $SLURM_SUBMIT_DIR/results/<job name>-<job id>
#              (for an array: the array's job id, shared by all its tasks).
#   TIMEOUT    seconds for pardemo's --timeout. Default: the job's time left at launch
#              minus a margin (a tenth, 5 to 60 s), so a stuck run ends with a message of
#              its own before SLURM kills the job. 0: no --timeout.
#   LAUNCHER   auto | srun | mpirun. auto: `srun --mpi=pmix` when `srun --mpi=list`
#              offers pmix, else mpirun (which starts its daemons through SLURM).
#   MPIRUN_ARGS extra mpirun options (word-split), e.g. "--map-by slot:PE=2".
#   PARDEMO_ARGS extra pardemo options (word-split), e.g. "--split cyclic".

pd_die() {
  echo "${PD_SCRIPT:-pardemo job}: error: $*" >&2
  exit 2
}

# pd_init NAME: checks that this is a SLURM job and that the program runs, sets the
# defaults, creates the results directory and prints what the job will do.
pd_init() {
  PD_SCRIPT=$1
  if [[ -z ${SLURM_JOB_ID:-} ]]; then
    pd_die "not inside a SLURM job (SLURM_JOB_ID is not set): submit it, e.g. 'sbatch jobs/$PD_SCRIPT'"
  fi
  # Open MPI refuses to start as root unless told twice; only then.
  if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi

  if [[ -z ${PARDEMO:-} ]]; then
    if PARDEMO=$(command -v pardemo); then
      :
    else
      PARDEMO=${SLURM_SUBMIT_DIR:-.}/build/default/src/pardemo
    fi
  fi
  if [[ ! -x $PARDEMO ]]; then
    pd_die "the program '$PARDEMO' is not an executable file: build it (cmake --preset default && cmake --build --preset default) or set PARDEMO"
  fi
  if [[ $PARDEMO != /* ]]; then PARDEMO=$PWD/$PARDEMO; fi
  if ! "$PARDEMO" --help >/dev/null 2>&1; then
    pd_die "'$PARDEMO --help' failed: is it pardemo, built for this machine?"
  fi

  WORKLOAD=${WORKLOAD:-ep}
  PD_SIZE_ARGS=()
  if [[ -n ${CLASS:-} ]]; then PD_SIZE_ARGS+=(--class "$CLASS"); fi
  if [[ -n ${SIZE:-} ]]; then PD_SIZE_ARGS+=(--size "$SIZE"); fi
  PD_EXTRA_ARGS=()
  if [[ -n ${PARDEMO_ARGS:-} ]]; then read -r -a PD_EXTRA_ARGS <<<"$PARDEMO_ARGS"; fi

  local job_id=${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}
  RESULTS=${RESULTS:-${SLURM_SUBMIT_DIR:-$PWD}/results/${SLURM_JOB_NAME:-pardemo}-$job_id}
  mkdir -p "$RESULTS" || pd_die "cannot create the results directory '$RESULTS'"
  RESULTS=$(cd "$RESULTS" && pwd)

  pd_choose_launcher

  echo "== $PD_SCRIPT: job ${SLURM_JOB_ID}${SLURM_ARRAY_TASK_ID:+ (array ${SLURM_ARRAY_JOB_ID} task ${SLURM_ARRAY_TASK_ID})}" \
       "'${SLURM_JOB_NAME:-}' on ${SLURM_JOB_NODELIST:-?}: ${SLURM_NTASKS:-?} tasks x ${SLURM_CPUS_PER_TASK:-1} CPUs"
  echo "== program $PARDEMO, launcher $PD_LAUNCHER, results $RESULTS"
  echo "== workload $WORKLOAD ${PD_SIZE_ARGS[*]} ${PD_EXTRA_ARGS[*]}"
}

pd_choose_launcher() {
  case ${LAUNCHER:-auto} in
    srun | mpirun) PD_LAUNCHER=$LAUNCHER ;;
    auto)
      if srun --mpi=list 2>&1 | grep -qw pmix; then PD_LAUNCHER=srun; else PD_LAUNCHER=mpirun; fi ;;
    *) pd_die "LAUNCHER '$LAUNCHER': expected auto, srun or mpirun" ;;
  esac
  if [[ $PD_LAUNCHER == mpirun ]] && ! command -v mpirun >/dev/null; then
    pd_die "LAUNCHER is mpirun but there is no mpirun on PATH"
  fi
  # srun warns about --cpu-bind where the cluster cannot bind (TaskPlugin=task/none).
  PD_SRUN_UNBIND=(--cpu-bind=none)
  if scontrol show config 2>/dev/null | grep -Eq '^TaskPlugin +=.*task/none'; then PD_SRUN_UNBIND=(); fi
}

# pd_has_option COMMAND OPTION: whether this pardemo's COMMAND knows OPTION.
pd_has_option() {
  "$PARDEMO" "$1" --help 2>&1 | grep -q -- "$2"
}

# Seconds left before SLURM's time limit, from squeue's %L ([[D-]H:]M:S); empty
# when unknown or unlimited.
pd_time_left() {
  local left d=0 h=0 m=0 s=0
  left=$(squeue -h -j "$SLURM_JOB_ID" -o %L 2>/dev/null | head -n 1) || return 0
  [[ $left =~ ^(([0-9]+)-)?(([0-9]+):)?([0-9]+):([0-9]+)$ ]] || return 0
  d=${BASH_REMATCH[2]:-0} h=${BASH_REMATCH[4]:-0} m=${BASH_REMATCH[5]} s=${BASH_REMATCH[6]}
  echo $(((10#$d * 24 + 10#$h) * 3600 + 10#$m * 60 + 10#$s))
}

# pd_timeout_args COMMAND: sets PD_TIMEOUT_ARGS to "--timeout S" when COMMAND has it.
pd_timeout_args() {
  PD_TIMEOUT_ARGS=()
  pd_has_option "$1" --timeout || return 0
  local t=${TIMEOUT:-}
  if [[ -z $t ]]; then
    local left margin
    left=$(pd_time_left)
    [[ -n $left ]] || return 0
    margin=$((left / 10))
    ((margin < 5)) && margin=5
    ((margin > 60)) && margin=60
    t=$((left - margin))
    ((t < 1)) && t=1
  fi
  [[ $t == 0 ]] && return 0
  PD_TIMEOUT_ARGS=(--timeout "$t")
}

# pd_launch NTASKS CPUS_PER_TASK PROGRAM ARGS...: one job step of NTASKS MPI ranks
# with CPUS_PER_TASK CPUs each. With one CPU per task binding is switched off: pardemo
# runs its threads backend (and compare's serial and threaded runs) on rank 0, which
# must not be pinned to a single CPU.
pd_launch() {
  local n=$1 c=$2
  shift 2
  local cmd
  if [[ $PD_LAUNCHER == srun ]]; then
    cmd=(srun --mpi=pmix --ntasks="$n" --cpus-per-task="$c")
    if ((c == 1)); then cmd+=("${PD_SRUN_UNBIND[@]}"); fi
  else
    local extra=()
    if [[ -n ${MPIRUN_ARGS:-} ]]; then read -r -a extra <<<"$MPIRUN_ARGS"; else extra=(--bind-to none); fi
    cmd=(mpirun -np "$n" "${extra[@]}")
  fi
  echo "== $(date -u +%H:%M:%S) ${cmd[*]} $*"
  "${cmd[@]}" "$@"
}

# pd_count_records FILE: "N records, V verified" of a JSON-lines file (one record a line).
pd_count_records() {
  local n=0 v=0
  if [[ -s $1 ]]; then
    n=$(grep -c . "$1" || true)
    v=$(grep -c '"verified":true' "$1" || true)
  fi
  echo "$n records, $v verified"
}

# pd_report OUTDIR FILE...: the scaling summary as markdown (OUTDIR/summary.md) and the
# plots (OUTDIR/plots), when this pardemo has the report command.
pd_report() {
  local out=$1
  shift
  if ! "$PARDEMO" --help 2>&1 | grep -qw report; then
    echo "== this pardemo has no 'report' command: no summary written"
    return 0
  fi
  echo "== $(date -u +%H:%M:%S) $PARDEMO report $* --format md --plot $out/plots"
  "$PARDEMO" report "$@" --format md --plot "$out/plots" >"$out/summary.md"
  cat "$out/summary.md"
}

# pd_sweep strong|weak: one `pardemo sweep` over the whole allocation: 1, 2, 4, ..
# MAX_WORKERS workers on each of BACKENDS plus the serial baseline, records in
# $RESULTS/records.jsonl, the markdown summary in $RESULTS/summary.md, plots in
# $RESULTS/plots.
pd_sweep() {
  local mode=$1 opts=()
  if ! "$PARDEMO" --help 2>&1 | grep -qw sweep; then
    pd_die "this pardemo has no 'sweep' command: rebuild it from a newer source"
  fi
  opts=(--max-workers "${MAX_WORKERS:-$SLURM_NTASKS}")
  if [[ -n ${BACKENDS:-} ]]; then opts+=(--backends "$BACKENDS"); fi
  pd_timeout_args sweep
  pd_launch "$SLURM_NTASKS" 1 "$PARDEMO" sweep "$WORKLOAD" --mode "$mode" "${opts[@]}" "${PD_SIZE_ARGS[@]}" \
    --repeat "${REPEAT:-3}" --json "$RESULTS/records.jsonl" --format md --output "$RESULTS/summary.md" \
    --plot "$RESULTS/plots" "${PD_TIMEOUT_ARGS[@]}" "${PD_EXTRA_ARGS[@]}"
  echo "== $RESULTS/records.jsonl: $(pd_count_records "$RESULTS/records.jsonl")"
}
