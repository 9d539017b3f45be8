#include "report/stats.hpp"

#include <gtest/gtest.h>

namespace pardemo::report {
namespace {

TEST(StatsTest, SpreadOfOddAndEvenCounts) {
  const Spread odd = spread({3.0, 1.0, 2.0});
  EXPECT_DOUBLE_EQ(odd.median, 2.0);
  EXPECT_DOUBLE_EQ(odd.min, 1.0);
  EXPECT_DOUBLE_EQ(odd.max, 3.0);
  EXPECT_DOUBLE_EQ(odd.avg, 2.0);
  const Spread even = spread({4.0, 1.0, 3.0, 2.0});
  EXPECT_DOUBLE_EQ(even.median, 2.5);
  const Spread none = spread({});
  EXPECT_DOUBLE_EQ(none.median, 0.0);
}

TEST(StatsTest, MedianIndexPointsAtTheMedianElement) {
  EXPECT_EQ(median_index({5.0, 1.0, 3.0}), 2U);
  EXPECT_EQ(median_index({4.0, 1.0, 3.0, 2.0}), 3U);  // lower middle: value 2
  EXPECT_EQ(median_index({}), 0U);
}

TEST(StatsTest, ImbalanceIsMaxOverMean) {
  std::vector<WorkerTimes> w(4);
  w[0].compute = 1;
  w[1].compute = 1;
  w[2].compute = 1;
  w[3].compute = 5;
  w[3].wait = 0.5;
  const WorkerSummary s = summarize(w);
  EXPECT_DOUBLE_EQ(s.compute.avg, 2.0);
  EXPECT_DOUBLE_EQ(s.imbalance, 2.5);
  EXPECT_DOUBLE_EQ(s.wait.max, 0.5);
  EXPECT_DOUBLE_EQ(summarize({}).imbalance, 1.0);
}

}  // namespace
}  // namespace pardemo::report
