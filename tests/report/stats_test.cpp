#include "report/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

// Synthetic speedups from Amdahl's law with a known serial fraction: the fit must
// give it back, and Karp-Flatt must equal it at every worker count.
TEST(StatsTest, AmdahlFitRecoversTheSerialFraction) {
  const double f = 0.07;
  std::vector<int> p{1, 2, 4, 8, 16, 64};
  std::vector<double> s;
  for (int w : p) s.push_back(1.0 / (f + (1 - f) / w));
  EXPECT_NEAR(amdahl_fit(p, s), f, 1e-12);
  for (std::size_t i = 1; i < p.size(); ++i) EXPECT_NEAR(karp_flatt(s[i], p[i]), f, 1e-12) << p[i];
  EXPECT_NEAR(amdahl_speedup(f, 16), s[4], 1e-12);
}

TEST(StatsTest, AmdahlFitOnNoisyDataStaysClose) {
  const double f = 0.05;
  std::vector<int> p{2, 3, 4, 6, 8, 12, 16};
  std::vector<double> s;
  // +-2% multiplicative noise, alternating in sign.
  for (std::size_t i = 0; i < p.size(); ++i) s.push_back(1.0 / (f + (1 - f) / p[i]) * (i % 2 == 0 ? 1.02 : 0.98));
  EXPECT_NEAR(amdahl_fit(p, s), f, 0.01);
}

TEST(StatsTest, KarpFlattOfPerfectAndSerialRuns) {
  EXPECT_DOUBLE_EQ(karp_flatt(4.0, 4), 0.0);  // linear speedup: no serial part
  EXPECT_DOUBLE_EQ(karp_flatt(1.0, 4), 1.0);  // no speedup: all serial
  EXPECT_TRUE(std::isnan(karp_flatt(1.0, 1)));
  EXPECT_TRUE(std::isnan(amdahl_fit({1}, {1.0})));
  EXPECT_DOUBLE_EQ(amdahl_fit({2, 4}, {2.5, 5.0}), 0.0);  // superlinear clamps to 0
}

TEST(StatsTest, GustafsonScaledSpeedup) {
  EXPECT_DOUBLE_EQ(gustafson_speedup(0.0, 8), 8.0);
  EXPECT_DOUBLE_EQ(gustafson_speedup(1.0, 8), 1.0);
  EXPECT_DOUBLE_EQ(gustafson_speedup(0.25, 5), 4.0);  // 5 - 0.25 * 4
  const double f = 0.1;
  std::vector<int> p{1, 2, 4, 8};
  std::vector<double> s;
  for (int w : p) s.push_back(gustafson_speedup(f, w));
  EXPECT_NEAR(gustafson_fit(p, s), f, 1e-12);
}

}  // namespace
}  // namespace pardemo::report
