#pragma once
// `pardemo overlap`: concurrency without parallelism pays off when tasks wait.
// The same tasks run three ways:
//
//   sequential  one thread; each task waits (a blocking sleep standing for I/O
//               latency), then computes; the next task starts when it is done.
//   event_loop  one thread, a Boost.Asio io_context: every task's timer is
//               started at once; when a timer fires, its task computes in
//               slices, each slice posted back to the loop, so all tasks
//               progress in overlapping time, and none in parallel.
//   threads     N std::threads take tasks from a shared counter; each waits and
//               computes its task on its own thread (in parallel when the
//               process may use several CPUs).
//
// Every way stores each task's value (core::overlap) in the task's own slot, so
// the checksums of the three ways must be identical.
#include <chrono>
#include <cstdint>
#include <vector>

namespace pardemo::backends::overlap {

struct Tasks {
  std::uint64_t count = 8;
  std::chrono::microseconds wait{0};  // per task, before it computes (0: no wait)
  std::uint64_t steps = 0;            // kernel steps per task (core::overlap::advance)
  std::uint64_t slices = 8;           // event_loop: a task computes in this many slices
};

struct Run {
  double seconds = 0;                 // wall time, first task started to last finished
  std::vector<std::uint64_t> values;  // each task's value, in task order
  std::uint64_t checksum = 0;         // core::overlap::checksum(values)
};

// Kernel steps per second on the calling thread, timed over about `seconds`.
double steps_per_second(double seconds);

Run sequential(const Tasks& tasks);
Run event_loop(const Tasks& tasks);
// Throws std::invalid_argument when threads < 1.
Run threads(const Tasks& tasks, int threads);

// The CPUs the calling thread may run on (its affinity mask), ascending.
std::vector<int> allowed_cpus();

}  // namespace pardemo::backends::overlap
