#pragma once
// The thread plumbing shared by the workloads that bring their own drivers
// (sort, stencil): one time record per thread, and a team that runs a body on
// every thread and accounts for the idle time at the join.
#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "report/timer.hpp"

namespace pardemo::backends {

// One zeroed time record per thread of rank `rank`.
inline std::vector<report::WorkerTimes> fresh_times(int rank, int threads) {
  std::vector<report::WorkerTimes> times(static_cast<std::size_t>(threads));
  for (std::size_t t = 0; t < times.size(); ++t) {
    times[t].rank = rank;
    times[t].thread = static_cast<std::int32_t>(t);
  }
  return times;
}

// Runs body(t) for t = 0 .. times.size() - 1, t = 0 on the calling thread (the
// one that may call MPI), and joins; then adds to each thread's wait the time
// from its end to the last thread's end. body must not throw. Each thread writes
// only its own slots.
template <class Body>
void on_threads(std::vector<report::WorkerTimes>& times, Body&& body) {
  using Clock = report::Stopwatch::Clock;
  const std::size_t n = times.size();
  std::vector<Clock::time_point> finished(n);
  auto work = [&](std::size_t t) {
    body(t);
    finished[t] = Clock::now();
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(n);
    for (std::size_t t = 1; t < n; ++t) pool.emplace_back(work, t);
    work(0);
  }  // joins
  const auto last = *std::max_element(finished.begin(), finished.end());
  for (std::size_t t = 0; t < n; ++t) {
    times[t].wait += report::seconds_between(finished[t], last);
    if (finished[t] < last) times[t].mark(report::Span::wait, finished[t], last);
  }
}

}  // namespace pardemo::backends
