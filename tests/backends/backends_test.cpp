// Every backend on every rank count: the answer is bit-identical to a direct
// core computation, verifies, and the per-worker records account for every item.
#include <gtest/gtest.h>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/communicator.hpp>
#include <numeric>

#include "backends/drivers.hpp"
#include "core/ep.hpp"
#include "core/mandelbrot.hpp"
#include "core/primes.hpp"

namespace pardemo::backends {
namespace {

namespace mpi = boost::mpi;

template <core::Workload W>
typename W::Result direct(const W& w) {
  return w.finish(w.compute({0, w.items()}));
}

template <core::Workload W>
void check(Kind kind, const W& w, const std::vector<core::Field>& reference, const Plan& plan) {
  const mpi::communicator world;
  const auto out = run(kind, w, plan, world);
  const bool distributed = kind == Kind::mpi || kind == Kind::hybrid;
  const int ranks = distributed ? world.size() : 1;
  const int threads = (kind == Kind::threads || kind == Kind::hybrid) ? plan.threads : 1;
  EXPECT_EQ(out.ranks, ranks);
  EXPECT_EQ(out.threads_per_rank, threads);
  if (world.rank() != 0) {
    EXPECT_FALSE(out.result.has_value());
    return;
  }
  ASSERT_TRUE(out.result.has_value());
  EXPECT_TRUE(core::identical(W::fields(*out.result), reference)) << to_string(kind);
  EXPECT_TRUE(w.verify(*out.result).passed) << w.verify(*out.result).detail;
  ASSERT_EQ(out.workers.size(), static_cast<std::size_t>(ranks * threads));
  std::uint64_t items = 0;
  double slowest = 0;
  for (const auto& t : out.workers) {
    items += t.items;
    EXPECT_GE(t.compute, 0);
    EXPECT_GE(t.wait, 0);
    EXPECT_GE(t.comm, 0);
    if (!distributed) {
      EXPECT_EQ(t.comm, 0) << "threads share memory: nothing to communicate";
    }
    slowest = std::max(slowest, t.compute);
  }
  EXPECT_EQ(items, w.items());
  EXPECT_GE(out.wall, slowest);
}

const Plan kBlock2{2, core::Split::block, 1};
const Plan kCyclic3{3, core::Split::cyclic, 2};
const Plan kDynamic2{2, core::Split::dynamic, 1};
const Plan kDynamic3{3, core::Split::dynamic, 3};

TEST(BackendsTest, EpOnEveryBackend) {
  const core::ep::Workload w(*core::ep::find_class('S'));
  const auto ref = decltype(w)::fields(direct(w));
  check(Kind::serial, w, ref, kBlock2);
  check(Kind::threads, w, ref, kCyclic3);
  check(Kind::mpi, w, ref, kBlock2);
  check(Kind::mpi, w, ref, kCyclic3);
  check(Kind::hybrid, w, ref, kBlock2);
  check(Kind::hybrid, w, ref, kCyclic3);
}

TEST(BackendsTest, DynamicSplitOnEveryBackend) {
  const core::ep::Workload w(*core::ep::find_class('S'));
  const auto ref = decltype(w)::fields(direct(w));
  check(Kind::serial, w, ref, kDynamic2);
  check(Kind::threads, w, ref, kDynamic3);
  check(Kind::mpi, w, ref, kDynamic2);
  check(Kind::mpi, w, ref, kDynamic3);
  check(Kind::hybrid, w, ref, kDynamic2);
  const core::primes::Workload few(3 * core::primes::kSegment + 12345);  // 4 items, up to 12 workers
  const auto few_ref = decltype(few)::fields(direct(few));
  check(Kind::threads, few, few_ref, Plan{7, core::Split::dynamic, 1});
  check(Kind::mpi, few, few_ref, kDynamic3);
  check(Kind::hybrid, few, few_ref, kDynamic3);
}

// Mandelbrot's rows travel as flat arrays (gather_pieces for FlatPartial):
// every split, and more workers than rows, so that some ranks send nothing.
TEST(BackendsTest, MandelbrotImageOnEveryBackend) {
  const core::mandelbrot::Workload w({37, 23, 300, -2.0, 0.5, -1.25, 1.25});
  const auto ref = decltype(w)::fields(direct(w));
  for (const Plan& plan : {kBlock2, kCyclic3, kDynamic2, kDynamic3}) {
    check(Kind::threads, w, ref, plan);
    check(Kind::mpi, w, ref, plan);
    check(Kind::hybrid, w, ref, plan);
  }
  const core::mandelbrot::Workload rows5({16, 5, 100, -2.0, 0.5, -1.25, 1.25});
  const auto rows5_ref = decltype(rows5)::fields(direct(rows5));
  check(Kind::mpi, rows5, rows5_ref, kBlock2);
  check(Kind::hybrid, rows5, rows5_ref, kCyclic3);
  check(Kind::hybrid, rows5, rows5_ref, kDynamic3);
}

TEST(BackendsTest, OwnersNameTheWorkerOfEveryItem) {
  const mpi::communicator world;
  const core::primes::Workload w(20 * core::primes::kSegment);
  for (const Plan& plan : {kBlock2, kCyclic3, kDynamic2}) {
    const auto out = run(Kind::hybrid, w, plan, world);
    if (world.rank() != 0) continue;
    ASSERT_EQ(out.owner.size(), w.items());
    std::vector<std::uint64_t> per_worker(static_cast<std::size_t>(out.workers_total()), 0);
    for (const auto o : out.owner) {
      ASSERT_LT(o, per_worker.size());
      ++per_worker[o];
    }
    // The owner map agrees with each worker's own count of items.
    for (const auto& t : out.workers)
      EXPECT_EQ(per_worker[static_cast<std::size_t>(t.rank * plan.threads + t.thread)], t.items);
    if (plan.split == core::Split::block) {
      EXPECT_TRUE(std::is_sorted(out.owner.begin(), out.owner.end()));
    }
  }
}

TEST(BackendsTest, PrimesWithMoreWorkersThanItems) {
  // 4 segments; with 3 ranks x 3 threads some workers get nothing.
  const core::primes::Workload w(3 * core::primes::kSegment + 12345);
  ASSERT_EQ(w.items(), 4U);
  const auto ref = decltype(w)::fields(direct(w));
  check(Kind::serial, w, ref, kBlock2);
  check(Kind::threads, w, ref, Plan{7, core::Split::block, 1});
  check(Kind::mpi, w, ref, kBlock2);
  check(Kind::mpi, w, ref, kCyclic3);
  check(Kind::hybrid, w, ref, kCyclic3);
}

TEST(BackendsTest, PrimesPublishedValue) {
  const core::primes::Workload w(10'000'000);
  const auto ref = decltype(w)::fields(direct(w));
  check(Kind::mpi, w, ref, kCyclic3);
  check(Kind::hybrid, w, ref, kBlock2);
}

TEST(BackendsTest, SleepyBarrierReleasesEveryRank) {
  const mpi::communicator world;
  for (int i = 0; i < 20; ++i) sleepy_barrier(world);
  int token = world.rank() == 0 ? 42 : 0;
  mpi::broadcast(world, token, 0);
  EXPECT_EQ(token, 42);
}

}  // namespace
}  // namespace pardemo::backends
