#include "backends/race.hpp"

#include <boost/mpi/collectives/reduce.hpp>
#include <atomic>
#include <cstddef>
#include <functional>
#include <latch>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backends/mpi_util.hpp"
#include "report/timer.hpp"

namespace pardemo::backends::race {
namespace {

std::uint64_t expected_count(int workers, std::uint64_t k) {
  if (workers < 1) throw std::invalid_argument("race: at least one thread is needed");
  const auto n = static_cast<std::uint64_t>(workers);
  if (k > std::numeric_limits<std::uint64_t>::max() / n) throw std::invalid_argument("race: workers * k overflows");
  return n * k;
}

// Keeps a private count honest. Left alone, GCC turns `for k times: ++x` into
// `x += k`, and the ways that share nothing would time zero iterations against
// the others' k. This empty asm statement claims to read and change x, so each
// iteration stays one register increment: no memory access, no fence.
inline void keep(std::uint64_t& x) { asm volatile("" : "+r"(x)); }

// Runs body(t) for t = 0 .. threads - 1, body(0) on the calling thread. A latch
// releases them all at once, so they run at the same time and really contend.
// Returns the seconds from the release to the last join.
template <class Body>
double contend(int threads, Body body) {
  const auto n = static_cast<std::size_t>(threads);
  std::latch start(static_cast<std::ptrdiff_t>(n));
  report::Stopwatch sw;
  {
    std::vector<std::jthread> pool;
    pool.reserve(n - 1);
    std::size_t running = 1;
    try {
      for (std::size_t t = 1; t < n; ++t) {
        pool.emplace_back([&start, &body, t] {
          start.arrive_and_wait();
          body(t);
        });
        ++running;
      }
    } catch (...) {
      // No thread left waiting for threads that never started: release the
      // started ones (they run their loop and are joined), then report.
      start.count_down(static_cast<std::ptrdiff_t>(n - running + 1));
      throw;
    }
    start.arrive_and_wait();
    sw.restart();
    body(0);
  }  // joins
  return sw.seconds();
}

}  // namespace

Outcome unsynchronized(int threads, std::uint64_t k) {
  Outcome out{"unsynchronized", expected_count(threads, k), 0, 0};
  // Atomic, so that no access is a data race and the program stays defined;
  // relaxed, and a load and a store rather than one read-modify-write, so that
  // another thread's increment can fall between them and be overwritten. GCC
  // does not merge atomic accesses: every iteration loads and stores memory.
  std::atomic<std::uint64_t> count{0};
  out.seconds = contend(threads, [&count, k](std::size_t) {
    for (std::uint64_t i = 0; i < k; ++i)
      count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  });
  out.observed = count.load();
  return out;
}

Outcome with_mutex(int threads, std::uint64_t k) {
  Outcome out{"mutex", expected_count(threads, k), 0, 0};
  std::mutex m;
  std::uint64_t count = 0;
  out.seconds = contend(threads, [&m, &count, k](std::size_t) {
    for (std::uint64_t i = 0; i < k; ++i) {
      const std::lock_guard lock(m);
      ++count;
    }
  });
  out.observed = count;  // after join: every increment happened before this read
  return out;
}

Outcome with_atomic(int threads, std::uint64_t k) {
  Outcome out{"atomic", expected_count(threads, k), 0, 0};
  // Relaxed is enough: a read-modify-write is indivisible whatever the order, and
  // the count orders nothing else. The join makes the final value visible.
  std::atomic<std::uint64_t> count{0};
  out.seconds = contend(threads, [&count, k](std::size_t) {
    for (std::uint64_t i = 0; i < k; ++i) count.fetch_add(1, std::memory_order_relaxed);
  });
  out.observed = count.load();
  return out;
}

Outcome with_partials(int threads, std::uint64_t k) {
  Outcome out{"partials", expected_count(threads, k), 0, 0};
  std::vector<std::uint64_t> slots(static_cast<std::size_t>(threads));
  out.seconds = contend(threads, [&slots, k](std::size_t t) {
    std::uint64_t local = 0;
    for (std::uint64_t i = 0; i < k; ++i) {
      ++local;
      keep(local);
    }
    slots[t] = local;  // once, and only this thread's slot
  });
  out.observed = std::accumulate(slots.begin(), slots.end(), std::uint64_t{0});
  return out;
}

Outcome with_messages(const boost::mpi::communicator& comm, std::uint64_t k) {
  Outcome out{"messages", expected_count(comm.size(), k), 0, 0};
  synchronize(comm);
  report::Stopwatch sw;
  std::uint64_t local = 0;
  for (std::uint64_t i = 0; i < k; ++i) {
    ++local;
    keep(local);
  }
  boost::mpi::reduce(comm, local, out.observed, std::plus<>(), 0);
  out.seconds = sw.seconds();  // on rank 0: until every count has arrived
  return out;
}

}  // namespace pardemo::backends::race
