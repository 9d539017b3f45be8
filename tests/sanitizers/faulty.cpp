// Deliberately wrong, for the sanitizers.* and memcheck tests only. They must be
// reported, and the program must end with a non-zero exit code; if not, the tool
// is not working as configured, and a clean run of pardemo under it proves nothing.
//   heap    reads one element past a heap array (heap-buffer overflow)
//   signed  adds 1 to INT_MAX (signed overflow: undefined behaviour)
//   leak    drops the only pointer to a heap block (a definite leak), with the
//           project's suppression files in force
#include <climits>
#include <cstdio>
#include <cstring>

namespace {
// volatile, so that the compiler cannot see the bugs and fold them away.
volatile int n = 4;
int* volatile sink = nullptr;

__attribute__((noinline)) void leak() {
  sink = new int[static_cast<unsigned>(n)]();
  sink = nullptr;  // the bug, on purpose: the block can no longer be freed
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s heap|signed|leak\n", argv[0]);
    return 2;
  }
  if (std::strcmp(argv[1], "heap") == 0) {
    int* a = new int[static_cast<unsigned>(n)]();
    const int past_end = a[n];  // the bug, on purpose: a[0..n-1] only
    std::printf("a[%d] = %d (past the end)\n", static_cast<int>(n), past_end);
    delete[] a;
    return 0;
  }
  if (std::strcmp(argv[1], "signed") == 0) {
    volatile int big = INT_MAX;
    const int sum = big + 1;  // the bug, on purpose: overflows
    std::printf("INT_MAX + 1 = %d\n", sum);
    return 0;
  }
  if (std::strcmp(argv[1], "leak") == 0) {
    leak();
    std::printf("leaked %d ints\n", static_cast<int>(n));
    return 0;
  }
  std::fprintf(stderr, "%s: unknown fault '%s' (heap, signed or leak)\n", argv[0], argv[1]);
  return 2;
}
