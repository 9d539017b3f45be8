#!/usr/bin/env bash
# Every tracked C and C++ source (src/, tests/, bench/, fuzz/) must be formatted
# as the repository's .clang-format says: `clang-format --dry-run --Werror`
# names each file and line that differs. Fix with:
#   git ls-files 'src/*.[ch]pp' 'tests/*.[ch]pp' 'bench/*.c*' 'fuzz/*.[ch]pp' | xargs clang-format -i
# Exits 0 when all are formatted, 1 otherwise, 77 (skipped) without clang-format
# or git; under PARDEMO_CI=1 a skip is a failure.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
skip() {
  if [[ ${PARDEMO_CI:-0} == 1 ]]; then
    echo "format: cannot run: $* (PARDEMO_CI=1: a skip is a failure)"
    exit 1
  fi
  echo "format: skipped: $*"
  exit 77
}
FORMAT=$(command -v clang-format-14 || command -v clang-format) || skip "clang-format is not installed (Debian package clang-format)"
command -v git >/dev/null || skip "git is not installed"
cd "$REPO" || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "$REPO is not a git checkout"
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.c' 'fuzz/*.cpp' 'fuzz/*.hpp')
[[ ${#files[@]} -gt 0 ]] || { echo "format: no sources found"; exit 1; }
if "$FORMAT" --dry-run --Werror "${files[@]}" 2>"${TMPDIR:-/tmp}/pardemo-format.$$"; then
  rm -f "${TMPDIR:-/tmp}/pardemo-format.$$"
  echo "format: ${#files[@]} files formatted as .clang-format says ($("$FORMAT" --version | head -1))"
  exit 0
fi
grep -E '^[^ ].*: (error|warning):' "${TMPDIR:-/tmp}/pardemo-format.$$" | head -40
echo "format: $(grep -cE ': (error|warning):' "${TMPDIR:-/tmp}/pardemo-format.$$") places differ from .clang-format"
rm -f "${TMPDIR:-/tmp}/pardemo-format.$$"
exit 1
