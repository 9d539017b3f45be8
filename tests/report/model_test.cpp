// The performance models against values worked out by hand, synthetic data with
// known parameters, and the properties every model must have (one rank: speedup
// 1; latency > 0: efficiency falls as ranks are added).
#include "report/model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace pardemo::report::model {
namespace {

constexpr Link kLink{1e-6, 1e9};  // 1 us, 1 GB/s: bytes / beta is bytes nanoseconds

std::vector<double> osu_sizes() {
  std::vector<double> s{0};
  for (double m = 1; m <= 4 * 1024 * 1024; m *= 2) s.push_back(m);
  return s;
}

// A multiplicative error in [-amplitude, amplitude], from a fixed seed.
class Noise {
 public:
  explicit Noise(double amplitude) : amplitude_(amplitude) {}
  double operator()(double v) {
    const double u = static_cast<double>(gen_()) / 4294967296.0;  // [0, 1)
    return v * (1 + amplitude_ * (2 * u - 1));
  }

 private:
  std::mt19937 gen_{20240517};
  double amplitude_;
};

TEST(ModelFitTest, RecoversAlphaAndBetaFromExactData) {
  const double alpha = 2.5e-6, beta = 6e9;
  const auto sizes = osu_sizes();
  std::vector<double> t;
  for (double m : sizes) t.push_back(alpha + m / beta);
  for (Weighting w : {Weighting::equal, Weighting::relative}) {
    const LinkFit f = fit_latency_bandwidth(sizes, t, w);
    EXPECT_NEAR(f.alpha_s, alpha, alpha * 1e-9);
    EXPECT_NEAR(f.beta_bytes_per_s, beta, beta * 1e-9);
    EXPECT_NEAR(f.r2, 1.0, 1e-12);
  }
}

TEST(ModelFitTest, RelativeWeightingKeepsTheLatencyUnderNoise) {
  const double alpha = 1e-6, beta = 5e9;
  const auto sizes = osu_sizes();
  Noise noise(0.02);
  std::vector<double> t;
  for (double m : sizes) t.push_back(noise(alpha + m / beta));
  const LinkFit rel = fit_latency_bandwidth(sizes, t, Weighting::relative);
  EXPECT_NEAR(rel.alpha_s, alpha, 0.05 * alpha);
  EXPECT_NEAR(rel.beta_bytes_per_s, beta, 0.05 * beta);
  EXPECT_GT(rel.r2, 0.9);
  // Ordinary least squares still finds the bandwidth; its intercept carries the
  // noise of the 4 MiB point (2 % of 840 us), so it says little about alpha.
  const LinkFit eq = fit_latency_bandwidth(sizes, t, Weighting::equal);
  EXPECT_NEAR(eq.beta_bytes_per_s, beta, 0.05 * beta);
  EXPECT_GT(eq.r2, 0.99);
}

TEST(ModelFitTest, HandWorkedTwoPoints) {
  // 10 us at 0 B and 30 us at 1000 B: alpha = 10 us, beta = 1000 B / 20 us = 5e7 B/s.
  const std::vector<double> m{0, 1000};
  const std::vector<double> t{10e-6, 30e-6};
  const LinkFit f = fit_latency_bandwidth(m, t);
  EXPECT_NEAR(f.alpha_s, 10e-6, 1e-15);
  EXPECT_NEAR(f.beta_bytes_per_s, 5e7, 1e-3);
}

TEST(ModelFitTest, FlatOrFallingTimesMeanInfiniteBandwidth) {
  const std::vector<double> m{0, 100, 200};
  const std::vector<double> t{3e-6, 2e-6, 1e-6};
  EXPECT_TRUE(std::isinf(fit_latency_bandwidth(m, t).beta_bytes_per_s));
  const std::vector<double> flat{2e-6, 2e-6, 2e-6};
  const LinkFit f = fit_latency_bandwidth(m, flat);
  EXPECT_TRUE(std::isinf(f.beta_bytes_per_s));
  EXPECT_DOUBLE_EQ(f.alpha_s, 2e-6);
}

TEST(ModelFitTest, RejectsUnusableInput) {
  const std::vector<double> two{0, 8};
  const std::vector<double> one{1e-6};
  EXPECT_THROW(fit_latency_bandwidth(two, one), std::invalid_argument);
  EXPECT_THROW(fit_latency_bandwidth(one, one), std::invalid_argument);
  const std::vector<double> same{8, 8};
  const std::vector<double> t{1e-6, 2e-6};
  EXPECT_THROW(fit_latency_bandwidth(same, t), std::invalid_argument);
  const std::vector<double> zero{0, 1e-6};
  EXPECT_THROW(fit_latency_bandwidth(two, zero, Weighting::relative), std::invalid_argument);
  const std::vector<double> nan{std::nan(""), 1e-6};
  EXPECT_THROW(fit_latency_bandwidth(two, nan), std::invalid_argument);
}

TEST(ModelCollectiveTest, HandWorkedCosts) {
  EXPECT_EQ(ceil_log2(1), 0);
  EXPECT_EQ(ceil_log2(2), 1);
  EXPECT_EQ(ceil_log2(3), 2);
  EXPECT_EQ(ceil_log2(4), 2);
  EXPECT_EQ(ceil_log2(5), 3);
  EXPECT_EQ(ceil_log2(1024), 10);
  EXPECT_NEAR(message_s(kLink, 1000), 2e-6, 1e-18);
  EXPECT_NEAR(barrier_s(kLink, 8), 3e-6, 1e-18);
  EXPECT_NEAR(tree_s(kLink, 5, 100), 3 * 1.1e-6, 1e-18);
  EXPECT_NEAR(binomial_gather_s(kLink, 4, 100), 2e-6 + 300e-9, 1e-18);
  EXPECT_NEAR(linear_gather_s(kLink, 4, 100), 3 * 1.1e-6, 1e-18);
  EXPECT_NEAR(allgather_s(kLink, 3, 10), 2e-6 + 20e-9, 1e-18);
  EXPECT_NEAR(alltoall_s(kLink, 3, 1000), 2 * 2e-6, 1e-18);
  for (double c : {barrier_s(kLink, 1), tree_s(kLink, 1, 1e6), binomial_gather_s(kLink, 1, 1e6),
                   linear_gather_s(kLink, 1, 1e6), allgather_s(kLink, 1, 1e6), alltoall_s(kLink, 1, 1e6)})
    EXPECT_EQ(c, 0.0);
}

TEST(ModelGridTest, GreedyFactorsLikeOpenMpi) {
  const auto grid = [](int p) {
    const Grid g = process_grid(p);
    return std::vector<int>{g.rows, g.cols};
  };
  EXPECT_EQ(grid(1), (std::vector<int>{1, 1}));
  EXPECT_EQ(grid(2), (std::vector<int>{2, 1}));
  EXPECT_EQ(grid(3), (std::vector<int>{3, 1}));
  EXPECT_EQ(grid(4), (std::vector<int>{2, 2}));
  EXPECT_EQ(grid(6), (std::vector<int>{3, 2}));
  EXPECT_EQ(grid(7), (std::vector<int>{7, 1}));
  EXPECT_EQ(grid(12), (std::vector<int>{4, 3}));
  EXPECT_EQ(grid(16), (std::vector<int>{4, 4}));
  // 3,3,2,2,2 largest first into the smaller dimension: 3x1, 3x3, 6x3, 6x6, 12x6.
  EXPECT_EQ(grid(72), (std::vector<int>{12, 6}));
  EXPECT_THROW(process_grid(0), std::invalid_argument);
}

TEST(ModelPatternTest, ItemsGatherByHand) {
  // p = 4, 4000 bytes in all, 1000 per rank:
  // barrier 2 alpha = 2 us; sizes 2 alpha + 3 * 4 B = 2.012 us;
  // pieces 3 * (alpha + 1000 B) = 6 us. Sum 10.012 us.
  EXPECT_NEAR(communication_s(ItemsGather{4000}, kLink, 4), 10.012e-6, 1e-15);
  // p = 3, 3000 bytes: 2 us + (2 us + 8 ns) + 2 * (1 us + 1 us) = 8.008 us.
  EXPECT_NEAR(communication_s(ItemsGather{3000}, kLink, 3), 8.008e-6, 1e-15);
  EXPECT_DOUBLE_EQ(ep_pattern(256, 2).result_bytes, 256 * 16 + 2 * (80 + kPieceOverheadBytes));
  EXPECT_DOUBLE_EQ(mandelbrot_pattern(800, 400, 1).result_bytes, 800 * 400 * 4);
  EXPECT_TRUE(mandelbrot_pattern(800, 400, 2).flat);
  EXPECT_FALSE(ep_pattern(256, 2).flat);
  // Flat, p = 4, 4000 bytes: barrier 2 us; sizes 2 alpha + 3 * 4 B = 2.012 us;
  // headers 3 * (1 us + 32 B) = 3.096 us; pieces 3 * (1 us + 1000 B) = 6 us.
  // Sum 13.108 us.
  EXPECT_NEAR(communication_s(ItemsGather{4000, true}, kLink, 4), 13.108e-6, 1e-15);
  EXPECT_DOUBLE_EQ(primes_pattern(3).result_bytes, 3 * (8 + kPieceOverheadBytes));
}

TEST(ModelPatternTest, HaloByHand) {
  const Halo h{1000, 2, 10};
  // p = 2: 2 x 1 grid, blocks 500 x 1000. One vertical neighbour: 2 rows of
  // 1000 doubles = 16000 B: 1 + 16 = 17 us per iteration, 170 us for 10. No
  // column chain; the one other rank of the last column sends 500 row sums
  // (4000 B): 1 + 4 = 5 us. 175 us.
  EXPECT_NEAR(communication_s(h, kLink, 2), 175e-6, 1e-12);
  // p = 4: 2 x 2, blocks 500 x 500. One vertical and one horizontal neighbour,
  // 8000 B each: 2 * 9 = 18 us per iteration, 180 us. Chain: 1 hop of 500 sums,
  // 5 us. Last column: 2 ranks send 500 sums, 10 us. 195 us.
  EXPECT_NEAR(communication_s(h, kLink, 4), 195e-6, 1e-12);
  // p = 6: 3 x 2, blocks of at most 334 x 500. Two vertical neighbours, 8000 B:
  // 18 us; one horizontal, 2 * 334 * 8 = 5344 B: 6.344 us. 24.344 us per
  // iteration, 243.44 us. Chain: 1 + 2.672 = 3.672 us. Last column: 3 ranks of
  // 334 sums: 11.016 us. 258.128 us.
  EXPECT_NEAR(communication_s(h, kLink, 6), 258.128e-6, 1e-12);
  // p = 16: 4 x 4, blocks 250 x 250; an inner rank has all four neighbours,
  // 4000 B each: 4 * 5 = 20 us per iteration, 200 us. Chain: 3 hops of 250
  // sums (2000 B), 3 * 3 = 9 us. Last column: 4 ranks, 12 us. 221 us.
  EXPECT_NEAR(communication_s(h, kLink, 16), 221e-6, 1e-12);
}

TEST(ModelPatternTest, SampleSortByHand) {
  // N = 2^20, p = 2. Alphas: 2 barriers (2), 2 allgathers (2), alltoall of
  // counts (1), allreduce (1), alltoallv (1), gather (1): 8 us. Bytes: 4 + 32
  // (samples: 8 p + 16) + 8 + 4 + 2^20 * 8 / 4 = 2097152 + 56: 2097256 ns.
  EXPECT_NEAR(communication_s(SampleSort{1 << 20}, kLink, 2), 8e-6 + 2097256e-9, 1e-12);
}

TEST(ModelPatternTest, TreeMergeByHand) {
  // p = 4: 2 steps of (1 us + 1 ms); p = 5: 3 steps; flat: 4 messages a step.
  EXPECT_NEAR(communication_s(TreeMerge{1e6, 1}, kLink, 4), 2 * 1001e-6, 1e-12);
  EXPECT_NEAR(communication_s(TreeMerge{1e6, 1}, kLink, 5), 3 * 1001e-6, 1e-12);
  EXPECT_NEAR(communication_s(TreeMerge{1e6, 4}, kLink, 4), 2 * 1004e-6, 1e-12);
}

TEST(ModelPredictTest, HandWorkedPrediction) {
  const Prediction pr = predict(ItemsGather{4000}, Params{1.0, kLink}, 4);
  EXPECT_NEAR(pr.compute_s, 0.25, 1e-15);
  EXPECT_NEAR(pr.comm_s, 10.012e-6, 1e-15);
  EXPECT_NEAR(pr.time_s, 0.250010012, 1e-12);
  EXPECT_NEAR(pr.speedup, 1 / 0.250010012, 1e-9);
  EXPECT_NEAR(pr.efficiency, 1 / (4 * 0.250010012), 1e-9);
  EXPECT_NEAR(relative_error(pr.time_s, 0.25), 10.012e-6 / 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(relative_error(0.9, 1.0), 0.9 - 1.0);
  EXPECT_THROW(relative_error(1, 0), std::invalid_argument);
  EXPECT_THROW(predict(ItemsGather{1}, Params{1.0, kLink}, 0), std::invalid_argument);
  EXPECT_THROW(predict(ItemsGather{1}, Params{0.0, kLink}, 2), std::invalid_argument);
}

std::vector<Pattern> all_patterns() {
  return {ep_pattern(256, 1), primes_pattern(1),   mandelbrot_pattern(800, 400, 1),
          Halo{4000, 2, 20},  SampleSort{1 << 24}, TreeMerge{2e6, 1},
          TreeMerge{2e6, 4}};
}

TEST(ModelPredictTest, OneRankIsTheSerialRun) {
  for (const Pattern& pat : all_patterns()) {
    const Prediction pr = predict(pat, Params{0.5, kLink}, 1);
    EXPECT_EQ(pr.speedup, 1.0) << name(pat);
    EXPECT_EQ(pr.efficiency, 1.0) << name(pat);
    EXPECT_EQ(pr.comm_s, 0.0) << name(pat);
    EXPECT_EQ(pr.time_s, 0.5) << name(pat);
  }
}

TEST(ModelPredictTest, EfficiencyFallsAsRanksDoubleWhenLatencyIsPositive) {
  for (const Pattern& pat : all_patterns()) {
    double previous = 1.0;
    for (int p = 2; p <= 256; p *= 2) {
      const Prediction pr = predict(pat, Params{0.5, kLink}, p);
      EXPECT_LT(pr.efficiency, previous) << name(pat) << " p=" << p;
      EXPECT_GT(pr.speedup, 0.0) << name(pat) << " p=" << p;
      previous = pr.efficiency;
    }
  }
  // Without latency and with infinite bandwidth, every model is T1 / p.
  for (const Pattern& pat : all_patterns())
    EXPECT_DOUBLE_EQ(predict(pat, Params{0.5, Link{0, std::numeric_limits<double>::infinity()}}, 8).speedup, 8.0)
        << name(pat);
}

}  // namespace
}  // namespace pardemo::report::model
