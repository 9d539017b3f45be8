# The one argument of a test script, the pardemo binary. Sourced:
#
#   pardemo_argument "$@"  sets PARDEMO to it as an absolute path; exits 2 with
#                          one line on stderr when there is not exactly one
#                          argument or it is not an executable file
# shellcheck shell=bash

pardemo_argument() {
  if [[ $# -ne 1 ]]; then
    echo "usage: $0 PATH_TO_PARDEMO" >&2
    exit 2
  fi
  PARDEMO=$1
  if [[ $PARDEMO != /* ]]; then PARDEMO=$PWD/$PARDEMO; fi
  if [[ ! -x $PARDEMO ]]; then
    echo "$0: $PARDEMO is not an executable file" >&2
    exit 2
  fi
}
