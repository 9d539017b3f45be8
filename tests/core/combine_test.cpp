#include <gtest/gtest.h>

#include "core/primes.hpp"
#include "core/workload.hpp"

namespace pardemo::core {
namespace {

using primes::Partial;

TEST(CombineTest, MissingItemsAreAnError) {
  const primes::Workload w(10 * primes::kSegment);  // 11 segments
  std::vector<Piece<Partial>> pieces{{{0, 5}, w.compute({0, 5})}, {{6, 11}, w.compute({6, 11})}};
  EXPECT_THROW((void)combine(w, pieces), std::logic_error);
  pieces.pop_back();
  EXPECT_THROW((void)combine(w, pieces), std::logic_error);
}

TEST(CombineTest, DoubledItemsAreAnError) {
  const primes::Workload w(10 * primes::kSegment);
  std::vector<Piece<Partial>> pieces{{{0, 6}, w.compute({0, 6})}, {{5, 11}, w.compute({5, 11})}};
  EXPECT_THROW((void)combine(w, pieces), std::logic_error);
}

TEST(CombineTest, OrderOfArrivalDoesNotMatter) {
  const primes::Workload w(10 * primes::kSegment);
  std::vector<Piece<Partial>> pieces{{{6, 11}, w.compute({6, 11})}, {{0, 6}, w.compute({0, 6})}};
  EXPECT_EQ(combine(w, pieces).count, primes::pi_by_recursion(10 * primes::kSegment));
}

TEST(CombineTest, IdenticalComparesBits) {
  const std::vector<Field> a{{"x", 0.0}, {"n", std::uint64_t{3}}};
  const std::vector<Field> b{{"x", -0.0}, {"n", std::uint64_t{3}}};
  EXPECT_TRUE(identical(a, a));
  EXPECT_FALSE(identical(a, b));  // equal as numbers, different bits
  EXPECT_FALSE(identical(a, {{"x", 0.0}}));
}

}  // namespace
}  // namespace pardemo::core
