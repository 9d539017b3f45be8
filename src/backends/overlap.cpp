#include "backends/overlap.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <stdexcept>
#include <thread>

#include "core/overlap.hpp"
#include "report/timer.hpp"

namespace pardemo::backends::overlap {

namespace co = core::overlap;

namespace {

Run finish(std::vector<std::uint64_t> values, const report::Stopwatch& sw) {
  Run r;
  r.seconds = sw.seconds();
  r.checksum = co::checksum(values);
  r.values = std::move(values);
  return r;
}

// One task whose computation is cut into slices, each a separate handler on
// the loop: between two slices of this task, slices of the others run.
struct Sliced {
  boost::asio::io_context& io;
  std::uint64_t task;
  std::uint64_t state;
  std::uint64_t steps_left;
  std::uint64_t slice;
  std::uint64_t& out;

  void step(const std::shared_ptr<Sliced>& self) {
    const std::uint64_t n = std::min(slice, steps_left);
    state = co::advance(state, n);
    steps_left -= n;
    if (steps_left == 0) {
      out = state;
      return;
    }
    boost::asio::post(io, [self] { self->step(self); });
  }
};

}  // namespace

double steps_per_second(double seconds) {
  constexpr std::uint64_t kBatch = 1ULL << 18;
  std::uint64_t state = co::seed(0);
  std::uint64_t done = 0;
  const report::Stopwatch sw;
  double elapsed = 0;
  while ((elapsed = sw.seconds()) < seconds) {
    state = co::advance(state, kBatch);
    done += kBatch;
  }
  // Keep the result observable so the loop cannot be dropped.
  volatile std::uint64_t sink = state;
  (void)sink;
  return static_cast<double>(done) / elapsed;
}

Run sequential(const Tasks& t) {
  std::vector<std::uint64_t> values(t.count);
  const report::Stopwatch sw;
  for (std::uint64_t i = 0; i < t.count; ++i) {
    if (t.wait.count() > 0) std::this_thread::sleep_for(t.wait);
    values[i] = co::task_value(i, t.steps);
  }
  return finish(std::move(values), sw);
}

Run event_loop(const Tasks& t) {
  std::vector<std::uint64_t> values(t.count);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
  const std::uint64_t slice =
      std::max<std::uint64_t>(1, (t.steps + t.slices - 1) / std::max<std::uint64_t>(1, t.slices));
  const report::Stopwatch sw;
  for (std::uint64_t i = 0; i < t.count; ++i) {
    auto task = std::make_shared<Sliced>(Sliced{io, i, co::seed(i), t.steps, slice, values[i]});
    auto start = [task] {
      if (task->steps_left == 0) {
        task->out = task->state;
        return;
      }
      task->step(task);
    };
    if (t.wait.count() > 0) {
      timers.push_back(std::make_unique<boost::asio::steady_timer>(io, t.wait));
      timers.back()->async_wait([start](const boost::system::error_code& ec) {
        if (!ec) start();
      });
    } else {
      boost::asio::post(io, start);
    }
  }
  io.run();  // returns when no handler is left: every task has finished
  return finish(std::move(values), sw);
}

Run threads(const Tasks& t, int n) {
  if (n < 1) throw std::invalid_argument("overlap: threads must be at least 1");
  std::vector<std::uint64_t> values(t.count);
  std::atomic<std::uint64_t> next{0};
  const report::Stopwatch sw;
  {
    std::vector<std::jthread> team;
    team.reserve(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
      team.emplace_back([&] {
        // Each slot is written by the one thread that took its task.
        for (std::uint64_t i = next.fetch_add(1); i < t.count; i = next.fetch_add(1)) {
          if (t.wait.count() > 0) std::this_thread::sleep_for(t.wait);
          values[i] = co::task_value(i, t.steps);
        }
      });
    }
  }  // joined
  return finish(std::move(values), sw);
}

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(static_cast<std::size_t>(c), &set)) cpus.push_back(c);
  return cpus;
}

}  // namespace pardemo::backends::overlap
