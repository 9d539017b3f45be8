#include "core/overlap.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace co = pardemo::core::overlap;

TEST(OverlapKernelTest, SlicingDoesNotChangeTheValue) {
  for (std::uint64_t task : {0ULL, 1ULL, 7ULL, 12345ULL}) {
    const std::uint64_t whole = co::task_value(task, 10'000);
    std::uint64_t s = co::seed(task);
    for (std::uint64_t slice : {1ULL, 999ULL, 4000ULL, 5000ULL}) s = co::advance(s, slice);  // 10000 in all
    EXPECT_EQ(s, whole) << "task " << task;
  }
}

TEST(OverlapKernelTest, EveryStepChangesTheState) {
  std::uint64_t s = co::seed(3);
  std::set<std::uint64_t> seen{s};
  for (int i = 0; i < 1000; ++i) {
    s = co::advance(s, 1);
    EXPECT_NE(s, 0U);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 1001U);  // no short cycle
  EXPECT_EQ(co::advance(co::seed(3), 0), co::seed(3));
}

TEST(OverlapKernelTest, TasksStartFromDistinctSeeds) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t t = 0; t < 10'000; ++t) seeds.insert(co::seed(t));
  EXPECT_EQ(seeds.size(), 10'000U);
}

TEST(OverlapKernelTest, ChecksumSeesOrderAndEveryValue) {
  const std::vector<std::uint64_t> a{1, 2, 3};
  const std::vector<std::uint64_t> swapped{2, 1, 3};
  const std::vector<std::uint64_t> changed{1, 2, 3 ^ (1ULL << 63)};
  EXPECT_NE(co::checksum(a), co::checksum(swapped));
  EXPECT_NE(co::checksum(a), co::checksum(changed));
  EXPECT_EQ(co::checksum(a), co::checksum(std::vector<std::uint64_t>{1, 2, 3}));
}
