// Deliberately wrong, for the tsan.detects_race test only: two threads increment
// a plain int with no synchronisation. That is a data race, undefined behaviour,
// and ThreadSanitizer must report it. If it does not, TSan is not working on this
// machine, and a clean TSan run of pardemo would prove nothing.
#include <cstdio>
#include <thread>

int main() {
  int count = 0;  // shared and unprotected: the bug, on purpose
  auto add = [&count] {
    for (int i = 0; i < 1000; ++i) ++count;
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  std::printf("count = %d (2000 if no increment was lost)\n", count);
  return 0;
}
