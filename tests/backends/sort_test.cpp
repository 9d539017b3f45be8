// The sort workload on every backend at every rank count: the output is the
// input sorted (equal to std::sort key by key), the checks agree, and the
// per-worker records account for every key. Sizes include fewer keys than
// workers, counts that do not divide, and inputs with many equal keys.
#include "backends/sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/mpi/communicator.hpp>

#include "backends/drivers.hpp"

namespace pardemo::backends::sort {
namespace {

namespace mpi = boost::mpi;
namespace cs = core::sort;

std::vector<Key> expected_keys(const cs::Params& p) {
  auto keys = cs::generate_keys(p, {0, p.n});
  cs::reference_sort(keys);
  return keys;
}

void check(Kind kind, const cs::Params& p, const Plan& plan) {
  const mpi::communicator world;
  const Workload w(p);
  const auto out = run(kind, w, plan, world);
  const bool distributed = kind == Kind::mpi || kind == Kind::hybrid;
  const int ranks = distributed ? world.size() : 1;
  const int threads = (kind == Kind::threads || kind == Kind::hybrid) ? plan.threads : 1;
  const std::string what = std::string(to_string(kind)) + " n=" + std::to_string(p.n) +
                           " distinct=" + std::to_string(p.distinct) + " threads=" + std::to_string(plan.threads);
  EXPECT_EQ(out.ranks, ranks) << what;
  EXPECT_EQ(out.threads_per_rank, threads) << what;
  if (world.rank() != 0) {
    EXPECT_FALSE(out.result.has_value()) << what;
    EXPECT_TRUE(out.workers.empty()) << what;
    return;
  }
  ASSERT_TRUE(out.result.has_value()) << what;
  const Result& r = *out.result;
  const auto v = w.verify(r);
  EXPECT_TRUE(v.passed) << what << ": " << v.detail;
  const auto expected = expected_keys(p);
  EXPECT_EQ(r.keys, expected) << what;
  EXPECT_EQ(r.count, p.n) << what;
  EXPECT_TRUE(r.sorted) << what;
  EXPECT_EQ(r.first, expected.front()) << what;
  EXPECT_EQ(r.last, expected.back()) << what;
  const cs::Checksum c = cs::checksum(expected);
  EXPECT_EQ(r.checksum, c.sum) << what;
  EXPECT_EQ(r.checksum_xor, c.xor_of) << what;

  ASSERT_EQ(out.workers.size(), static_cast<std::size_t>(ranks * threads)) << what;
  std::uint64_t items = 0;
  double slowest = 0;
  for (std::size_t i = 0; i < out.workers.size(); ++i) {
    const auto& t = out.workers[i];
    EXPECT_EQ(t.rank, static_cast<int>(i) / threads) << what;
    EXPECT_EQ(t.thread, static_cast<int>(i) % threads) << what;
    items += t.items;
    EXPECT_GE(t.compute, 0) << what;
    EXPECT_GE(t.wait, 0) << what;
    EXPECT_GE(t.comm, 0) << what;
    if (!distributed) {
      EXPECT_EQ(t.comm, 0) << what << ": threads share memory, nothing to communicate";
    }
    slowest = std::max(slowest, t.compute);
  }
  EXPECT_EQ(items, p.n) << what << ": every key ends with exactly one worker";
  EXPECT_GE(out.wall, slowest) << what;
}

void check_every_kind(const cs::Params& p) {
  check(Kind::serial, p, Plan{1, core::Split::block, 1});
  for (int threads : {1, 2, 3}) {
    const Plan plan{threads, core::Split::block, 1};
    check(Kind::threads, p, plan);
    check(Kind::mpi, p, plan);
    check(Kind::hybrid, p, plan);
  }
}

TEST(SortBackendsTest, EveryKindOnAFewThousandKeys) { check_every_kind({4099, 3, 0}); }

TEST(SortBackendsTest, FewerKeysThanWorkers) {
  for (std::uint64_t n : {1U, 2U, 5U, 7U}) check_every_kind({n, 9, 0});
  check(Kind::threads, {3, 9, 0}, Plan{7, core::Split::block, 1});
  check(Kind::hybrid, {5, 9, 0}, Plan{4, core::Split::block, 1});
}

TEST(SortBackendsTest, CountNotDivisibleByWorkers) {
  check_every_kind({100'003, 5, 0});  // prime: divisible by no worker count
}

TEST(SortBackendsTest, ManyEqualKeys) {
  check_every_kind({20'011, 1, 3});  // three values, thousands of each
  check_every_kind({20'011, 2, 1});  // one value: every key on one worker
  check_every_kind({30'000, 4, 1000});
}

TEST(SortBackendsTest, ClassSOnEveryKind) { check_every_kind(*cs::find_class('S')); }

TEST(SortBackendsTest, VerifyRejectsWrongAnswers) {
  const mpi::communicator world;
  const cs::Params p{1000, 6, 0};
  const Workload w(p);
  const auto out = run(Kind::serial, w, Plan{1, core::Split::block, 1}, world);
  if (world.rank() != 0) return;
  Result good = *out.result;
  ASSERT_TRUE(w.verify(good).passed);
  Result r = good;
  r.count -= 1;
  EXPECT_FALSE(w.verify(r).passed);
  r = good;
  r.checksum ^= 1;
  EXPECT_FALSE(w.verify(r).passed);
  r = good;
  r.sorted = false;
  EXPECT_FALSE(w.verify(r).passed);
  r = good;
  std::swap(r.keys[3], r.keys[4]);
  EXPECT_FALSE(w.verify(r).passed);
  EXPECT_NE(w.verify(r).detail.find("position 3"), std::string::npos) << w.verify(r).detail;
  r = good;
  r.keys.pop_back();
  EXPECT_FALSE(w.verify(r).passed);
}

TEST(SortBackendsTest, LargeRunKeepsNoOutputButVerifies) {
  // Above kKeepLimit nothing large reaches the root; verify relies on the
  // checksum and the order checks alone.
  const mpi::communicator world;
  const cs::Params p{kKeepLimit + 3, 8, 0};
  const Workload w(p);
  const auto out = run(Kind::mpi, w, Plan{1, core::Split::block, 1}, world);
  if (world.rank() != 0) return;
  ASSERT_TRUE(out.result.has_value());
  EXPECT_TRUE(out.result->keys.empty());
  const auto v = w.verify(*out.result);
  EXPECT_TRUE(v.passed) << v.detail;
}

TEST(SortBackendsTest, ParamsAreValidated) {
  EXPECT_THROW(Workload(cs::Params{0, 1, 0}), std::invalid_argument);
  EXPECT_THROW(Workload(cs::Params{cs::kMaxKeys + 1, 1, 0}), std::invalid_argument);
  const Workload w(cs::Params{10, 1, 0});
  EXPECT_EQ(w.name(), "sort");
  EXPECT_EQ(w.operations(), 10.0);
  EXPECT_EQ(Workload::fields(Result{}).size(), 6U);
}

}  // namespace
}  // namespace pardemo::backends::sort
