#include "core/ep.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace pardemo::core::ep {
namespace {

TEST(EpTest, IntegerGeneratorMatchesNpbDoubleGenerator) {
  double x = static_cast<double>(kSeed);
  std::uint64_t xi = kSeed;
  for (int i = 0; i < 100000; ++i) {
    (void)randlc(x, static_cast<double>(kMultiplier));
    xi = lcg_next(kMultiplier, xi);
    ASSERT_EQ(static_cast<double>(xi), x) << "step " << i;
  }
}

TEST(EpTest, PowerMatchesRepeatedMultiplication) {
  std::uint64_t x = 1;
  for (std::uint64_t n = 0; n < 2000; ++n) {
    EXPECT_EQ(lcg_pow(kMultiplier, n), x) << n;
    x = lcg_next(kMultiplier, x);
  }
}

TEST(EpTest, BatchSeedJumpsEqualSequentialStepping) {
  std::uint64_t x = kSeed;
  for (std::uint64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(batch_seed(k), x) << "batch " << k;
    for (std::uint64_t i = 0; i < 2 * kPairsPerBatch; ++i) x = lcg_next(kMultiplier, x);
  }
}

TEST(EpTest, ClassesAreNpbs) {
  ASSERT_EQ(classes().size(), 5U);
  EXPECT_EQ(find_class('S')->m, 24);
  EXPECT_EQ(find_class('W')->m, 25);
  EXPECT_EQ(find_class('A')->m, 28);
  EXPECT_EQ(find_class('B')->m, 30);
  EXPECT_EQ(find_class('C')->m, 32);
  EXPECT_FALSE(find_class('Z').has_value());
}

class EpClassS : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    w_ = new Workload(*find_class('S'));
    result_ = new Result(w_->finish(w_->compute({0, w_->items()})));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete w_;
  }
  static Workload* w_;
  static Result* result_;
};
Workload* EpClassS::w_ = nullptr;
Result* EpClassS::result_ = nullptr;

TEST_F(EpClassS, SumsMatchNpbPublishedValues) {
  EXPECT_NEAR(result_->sx, -3.247834652034740e3, 1e-8 * 3.247834652034740e3);
  EXPECT_NEAR(result_->sy, -6.958407078382297e3, 1e-8 * 6.958407078382297e3);
  EXPECT_TRUE(w_->verify(*result_).passed);
}

TEST_F(EpClassS, CountsFollowTheDistribution) {
  const std::uint64_t pairs = 1ULL << 24;
  EXPECT_EQ(std::accumulate(result_->q.begin(), result_->q.end(), std::uint64_t{0}), result_->gaussian_pairs);
  // Polar method: a pair is accepted with probability pi/4.
  EXPECT_NEAR(static_cast<double>(result_->gaussian_pairs) / static_cast<double>(pairs), M_PI / 4, 5e-4);
  // Two independent standard normals: P(max(|X|,|Y|) < 1) = erf(1/sqrt 2)^2.
  const double p0 = std::pow(std::erf(1.0 / std::sqrt(2.0)), 2);
  EXPECT_NEAR(static_cast<double>(result_->q[0]) / static_cast<double>(result_->gaussian_pairs), p0, 1e-3);
}

TEST_F(EpClassS, WrongSumsFailVerification) {
  Result wrong = *result_;
  wrong.sx *= 1 + 1e-7;
  EXPECT_FALSE(w_->verify(wrong).passed);
  EXPECT_NE(w_->verify(wrong).detail.find("rel. err"), std::string::npos);
}

TEST_F(EpClassS, AnyDecompositionGivesTheSameBits) {
  const auto reference = Workload::fields(*result_);
  for (std::uint64_t parts : {2ULL, 3ULL, 7ULL}) {
    for (Split split : {Split::block, Split::cyclic}) {
      std::vector<Piece<Partial>> pieces;
      for (std::uint64_t p = 0; p < parts; ++p)
        for (const Range r : assigned_ranges(w_->items(), split, 5, parts, p)) pieces.push_back({r, w_->compute(r)});
      EXPECT_TRUE(identical(Workload::fields(combine(*w_, std::move(pieces))), reference))
          << parts << " parts, split " << (split == Split::block ? "block" : "cyclic");
    }
  }
}

// Weak scaling multiplies the batches: sizes NPB publishes nothing for are checked
// against the serial double-precision reference.
TEST_F(EpClassS, ReferenceReproducesThePublishedSums) {
  const Result ref = reference(w_->items());
  EXPECT_LE(std::fabs((ref.sx - find_class('S')->sx) / find_class('S')->sx), kEpsilon);
  EXPECT_LE(std::fabs((ref.sy - find_class('S')->sy) / find_class('S')->sy), kEpsilon);
  EXPECT_EQ(ref.q, result_->q);
}

TEST(EpTest, BatchMultiplesVerifyAgainstTheReference) {
  const ClassInfo s = *find_class('S');
  const Workload w(s, 40);  // not a class size: no published values
  ASSERT_FALSE(w.is_class_size());
  Result r = w.finish(w.compute({0, w.items()}));
  const Verification good = w.verify(r);
  EXPECT_TRUE(good.passed) << good.detail;
  EXPECT_NE(good.reference.find("randlc"), std::string::npos);
  r.q[3] += 1;
  EXPECT_FALSE(w.verify(r).passed);
  r.q[3] -= 1;
  r.sx *= 1.0 + 1e-7;
  EXPECT_FALSE(w.verify(r).passed);
}

}  // namespace
}  // namespace pardemo::core::ep
