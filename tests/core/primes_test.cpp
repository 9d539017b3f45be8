#include "core/primes.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace pardemo::core::primes {
namespace {

// Trial division: slow, obviously right, for small n.
std::uint64_t pi_by_trial_division(std::uint64_t n) {
  std::uint64_t count = 0;
  for (std::uint64_t v = 2; v <= n; ++v) {
    bool prime = true;
    for (std::uint64_t d = 2; d * d <= v; ++d)
      if (v % d == 0) {
        prime = false;
        break;
      }
    count += prime ? 1 : 0;
  }
  return count;
}

std::uint64_t sieve_count(std::uint64_t n) {
  const Workload w(n);
  return w.finish(w.compute({0, w.items()})).count;
}

TEST(PrimesTest, PublishedTable) {
  EXPECT_EQ(published_pi(1), 0U);
  EXPECT_EQ(published_pi(10), 4U);
  EXPECT_EQ(published_pi(100000000), 5761455U);
  EXPECT_EQ(published_pi(10000000000ULL), 455052511U);
  EXPECT_FALSE(published_pi(12345).has_value());
}

TEST(PrimesTest, SieveMatchesPublishedPowersOfTen) {
  std::uint64_t n = 10;
  for (int k = 1; k <= 8; ++k, n *= 10) EXPECT_EQ(sieve_count(n), *published_pi(n)) << "10^" << k;
}

TEST(PrimesTest, RecursionMatchesPublishedPowersOfTen) {
  std::uint64_t n = 1;
  for (int k = 0; k <= 11; ++k, n *= 10) EXPECT_EQ(pi_by_recursion(n), *published_pi(n)) << "10^" << k;
}

TEST(PrimesTest, SmallAndBoundaryValuesAgreeWithTrialDivision) {
  std::vector<std::uint64_t> ns{0, 1, 2, 3, 4, 5, 9, 25, 49, 121, 1000};
  for (std::uint64_t n : ns) {
    EXPECT_EQ(sieve_count(n), pi_by_trial_division(n)) << n;
    EXPECT_EQ(pi_by_recursion(n), pi_by_trial_division(n)) << n;
  }
}

TEST(PrimesTest, SegmentBoundariesAgreeWithRecursion) {
  for (std::uint64_t n : {kSegment - 1, kSegment, kSegment + 1, 2 * kSegment, 3 * kSegment + 7})
    EXPECT_EQ(sieve_count(n), pi_by_recursion(n)) << n;
}

TEST(PrimesTest, RandomSizesAgreeWithRecursion) {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<std::uint64_t> dist(1, 20'000'000);
  for (int i = 0; i < 5; ++i) {
    const std::uint64_t n = dist(rng);
    EXPECT_EQ(sieve_count(n), pi_by_recursion(n)) << n;
  }
}

TEST(PrimesTest, VerifyUsesTheRightReference) {
  const Workload pow10(1000000);
  EXPECT_TRUE(pow10.verify({78498}).passed);
  EXPECT_FALSE(pow10.verify({78497}).passed);
  EXPECT_NE(pow10.verify({78498}).reference.find("published"), std::string::npos);
  const Workload other(1000003);
  EXPECT_TRUE(other.verify({pi_by_trial_division(1000003)}).passed);
  EXPECT_NE(other.verify({0}).reference.find("recursion"), std::string::npos);
}

TEST(PrimesTest, IntegerSquareRootIsExact) {
  EXPECT_EQ(isqrt(0), 0U);
  EXPECT_EQ(isqrt(15), 3U);
  EXPECT_EQ(isqrt(16), 4U);
  EXPECT_EQ(isqrt(18446744073709551615ULL), 4294967295ULL);
}

TEST(PrimesTest, TooLargeIsRejected) { EXPECT_THROW(Workload(kMaxN + 1), std::invalid_argument); }

}  // namespace
}  // namespace pardemo::core::primes
