#pragma once
// Wall-clock timing and the per-worker time record every backend fills in.
#include <chrono>
#include <cstdint>

namespace pardemo::report {

class Stopwatch {
 public:
  using Clock = std::chrono::steady_clock;
  Stopwatch() : start_(Clock::now()) {}
  void restart() { start_ = Clock::now(); }
  [[nodiscard]] double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  [[nodiscard]] Clock::time_point started() const { return start_; }

 private:
  Clock::time_point start_;
};

inline double seconds_between(Stopwatch::Clock::time_point a, Stopwatch::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Where one worker (a rank, or a thread of a rank) spent a run.
// compute: its own share of the workload. wait: idle, waiting for slower workers.
// comm: moving partial results between address spaces (zero for threads, which
// share memory).
struct WorkerTimes {
  std::int32_t rank = 0;
  std::int32_t thread = 0;
  std::uint64_t items = 0;
  double compute = 0;
  double wait = 0;
  double comm = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & rank & thread & items & compute & wait & comm;
  }
};

}  // namespace pardemo::report
