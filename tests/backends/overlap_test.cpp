// The overlap driver: the three ways compute the same values as the kernel
// alone, and the event loop overlaps waits on one thread.
#include "backends/overlap.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <vector>

#include "core/overlap.hpp"

namespace ov = pardemo::backends::overlap;
namespace co = pardemo::core::overlap;

namespace {

std::vector<std::uint64_t> expected_values(const ov::Tasks& t) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < t.count; ++i) v.push_back(co::task_value(i, t.steps));
  return v;
}

}  // namespace

TEST(OverlapDriverTest, EveryWayComputesTheKernelsValues) {
  // Steps not divisible by the slices: the last slice is shorter.
  for (const std::uint64_t steps : {1ULL, 7ULL, 100'003ULL}) {
    const ov::Tasks t{13, std::chrono::microseconds(0), steps, 8};
    const auto want = expected_values(t);
    const ov::Run s = ov::sequential(t);
    const ov::Run l = ov::event_loop(t);
    const ov::Run th = ov::threads(t, 3);
    EXPECT_EQ(s.values, want);
    EXPECT_EQ(l.values, want);
    EXPECT_EQ(th.values, want);
    EXPECT_EQ(s.checksum, co::checksum(want));
    EXPECT_EQ(l.checksum, s.checksum);
    EXPECT_EQ(th.checksum, s.checksum);
  }
}

TEST(OverlapDriverTest, MoreThreadsThanTasksStillComputesEachOnce) {
  const ov::Tasks t{2, std::chrono::microseconds(0), 1000, 4};
  EXPECT_EQ(ov::threads(t, 8).values, expected_values(t));
}

TEST(OverlapDriverTest, TheEventLoopOverlapsWaitsOnOneThread) {
  // 6 tasks of 60 ms waiting: one after another at least 360 ms; overlapped
  // about 60 ms. Sleeping needs no CPU, so a loaded machine barely changes this.
  const ov::Tasks t{6, std::chrono::milliseconds(60), 1000, 4};
  const ov::Run s = ov::sequential(t);
  const ov::Run l = ov::event_loop(t);
  EXPECT_GE(s.seconds, 0.36);
  EXPECT_GE(l.seconds, 0.06);  // no task finishes before its wait
  EXPECT_LT(l.seconds, 0.6 * s.seconds);
  EXPECT_EQ(l.checksum, s.checksum);
}

TEST(OverlapDriverTest, ZeroThreadsIsRefused) {
  const ov::Tasks t{1, std::chrono::microseconds(0), 1, 1};
  EXPECT_THROW((void)ov::threads(t, 0), std::invalid_argument);
}

TEST(OverlapDriverTest, TheKernelRateIsPositive) { EXPECT_GT(ov::steps_per_second(0.01), 1e6); }

TEST(OverlapDriverTest, AllowedCpusAreListedOnce) {
  const auto cpus = ov::allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  for (std::size_t i = 1; i < cpus.size(); ++i) EXPECT_LT(cpus[i - 1], cpus[i]);
}
