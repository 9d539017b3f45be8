// The stencil workload on every backend, both exchanges, at every rank count:
// verified against the closed form, the norm bit-identical to the serial run
// whatever the decomposition, and per-worker records that account for every
// interior point. Sizes include n not divisible by the process grid or the
// threads, and blocks only R wide.
#include "backends/stencil.hpp"

#include <gtest/gtest.h>

#include <mpi.h>

#include <algorithm>
#include <array>
#include <boost/mpi/communicator.hpp>
#include <cmath>

#include "backends/drivers.hpp"

namespace pardemo::backends::stencil {
namespace {

namespace mpi = boost::mpi;
namespace cst = core::stencil;

// The serial answer, for bit-for-bit comparison (root only; NaN elsewhere).
double serial_norm(const cst::Params& p) {
  const mpi::communicator world;
  const auto out = run(Kind::serial, Workload(p), Plan{1, core::Split::block, 1}, world);
  return world.rank() == 0 ? out.result->norm : std::nan("");
}

void check(Kind kind, const cst::Params& p, Exchange ex, const Plan& plan, double serial) {
  const mpi::communicator world;
  const Workload w(p, ex);
  const auto out = run(kind, w, plan, world);
  const bool distributed = kind == Kind::mpi || kind == Kind::hybrid;
  const int ranks = distributed ? world.size() : 1;
  const int threads = (kind == Kind::threads || kind == Kind::hybrid) ? plan.threads : 1;
  const std::string what = std::string(to_string(kind)) + " " + std::string(to_string(ex)) +
                           " n=" + std::to_string(p.n) + " R=" + std::to_string(p.radius) +
                           " it=" + std::to_string(p.iterations) + " threads=" + std::to_string(plan.threads);
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
  EXPECT_EQ(r.norm, serial) << what << ": the norm is bit-identical for every decomposition";
  EXPECT_EQ(r.points, cst::interior_points(p)) << what;
  EXPECT_EQ(r.rows_of_ranks * r.cols_of_ranks, ranks) << what;
  // What the overlap hid: measured on ranks with the overlapping exchange only,
  // one figure per rank, each time non-negative, hidden within the blocking time.
  if (distributed && ex == Exchange::overlap) {
    ASSERT_EQ(r.halo.size(), static_cast<std::size_t>(ranks)) << what;
    for (std::size_t i = 0; i < r.halo.size(); ++i) {
      const auto& h = r.halo[i];
      EXPECT_EQ(h.rank, static_cast<int>(i)) << what;
      EXPECT_GE(h.blocking, 0) << what;
      EXPECT_GE(h.exposed, 0) << what;
      EXPECT_GE(h.hidden(), 0) << what;
      EXPECT_LE(h.hidden(), h.blocking) << what;
      EXPECT_DOUBLE_EQ(h.hidden(), std::max(0.0, h.blocking - h.exposed)) << what;
      // The exposed halo time is part of the main thread's communication.
      ASSERT_LT(i * static_cast<std::size_t>(threads), out.workers.size()) << what;
      EXPECT_LE(h.exposed, out.workers[i * static_cast<std::size_t>(threads)].comm) << what;
    }
  } else {
    EXPECT_TRUE(r.halo.empty()) << what << ": no blocking reference without the overlapping exchange on ranks";
  }

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
  EXPECT_EQ(items, cst::interior_points(p)) << what << ": every interior point computed by exactly one worker";
  EXPECT_GE(out.wall, slowest) << what;
}

void check_every_kind(const cst::Params& p) {
  const double serial = serial_norm(p);
  check(Kind::serial, p, Exchange::blocking, Plan{1, core::Split::block, 1}, serial);
  for (int threads : {1, 2, 3}) {
    const Plan plan{threads, core::Split::block, 1};
    check(Kind::threads, p, Exchange::blocking, plan, serial);
    for (Exchange ex : {Exchange::blocking, Exchange::overlap}) {
      check(Kind::mpi, p, ex, plan, serial);
      check(Kind::hybrid, p, ex, plan, serial);
    }
  }
}

TEST(StencilBackendsTest, EveryKindSmallGrid) { check_every_kind({37, 2, 3}); }

TEST(StencilBackendsTest, NotDivisibleByTheProcessGrid) {
  check_every_kind({101, 2, 4});  // prime: no rank or thread count divides it
  check_every_kind({53, 3, 2});
}

TEST(StencilBackendsTest, EveryRadius) {
  for (int r : {1, 4, 5, 8}) check_every_kind({4 * static_cast<std::uint64_t>(r) + 7, r, 2});
}

TEST(StencilBackendsTest, BlocksAsThinAsTheRadius) {
  // 3 ranks: 3 x 1 blocks of 4 rows with R = 4 (the middle one's strips are the
  // whole block, the outer ones lie in the margin); 2 x 2 blocks of 4 x 4 with R = 2.
  check_every_kind({12, 4, 3});
  check_every_kind({8, 2, 2});
}

TEST(StencilBackendsTest, ClassSOnEveryKind) {
  const cst::Params p = *cst::find_class('S');
  const double serial = serial_norm(p);
  check(Kind::threads, p, Exchange::blocking, Plan{2, core::Split::block, 1}, serial);
  check(Kind::mpi, p, Exchange::blocking, Plan{1, core::Split::block, 1}, serial);
  check(Kind::mpi, p, Exchange::overlap, Plan{1, core::Split::block, 1}, serial);
  check(Kind::hybrid, p, Exchange::overlap, Plan{2, core::Split::block, 1}, serial);
}

TEST(StencilBackendsTest, GridTooFineForTheRadiusThrowsOnEveryRank) {
  const mpi::communicator world;
  if (world.size() < 2) GTEST_SKIP() << "one rank: no block is thinner than the grid";
  const Workload w({9, 4, 1});
  std::array<int, 2> dims{0, 0};
  MPI_Dims_create(world.size(), 2, dims.data());
  if (9 / dims[0] < 4 || 9 / dims[1] < 4) {  // 3 ranks: blocks of 3 rows, thinner than R = 4
    EXPECT_THROW((void)run(Kind::mpi, w, Plan{1, core::Split::block, 1}, world), std::invalid_argument);
  } else {
    EXPECT_NO_THROW((void)run(Kind::mpi, w, Plan{1, core::Split::block, 1}, world));
  }
}

TEST(StencilBackendsTest, VerifyRejectsWrongAnswers) {
  const mpi::communicator world;
  const cst::Params p{30, 2, 3};
  const Workload w(p);
  const auto out = run(Kind::serial, w, Plan{1, core::Split::block, 1}, world);
  if (world.rank() != 0) return;
  Result good = *out.result;
  ASSERT_TRUE(w.verify(good).passed) << w.verify(good).detail;
  Result r = good;
  r.norm *= 1 + 1e-7;
  EXPECT_FALSE(w.verify(r).passed);
  r = good;
  r.points -= 1;
  EXPECT_FALSE(w.verify(r).passed);
}

TEST(StencilBackendsTest, ParamsAndExchangeAreDescribed) {
  EXPECT_THROW(Workload(cst::Params{4, 2, 1}), std::invalid_argument);
  EXPECT_THROW(Workload(cst::Params{100, 0, 1}), std::invalid_argument);
  const Workload w(cst::Params{100, 2, 3}, Exchange::overlap);
  EXPECT_EQ(w.name(), "stencil");
  EXPECT_EQ(w.operations(), 19.0 * 96 * 96 * 3);
  EXPECT_EQ(w.exchange(), Exchange::overlap);
  const auto ps = w.parameters();
  ASSERT_EQ(ps.size(), 4U);
  EXPECT_EQ(std::get<std::string>(ps[3].value), "overlap");
  EXPECT_EQ(Workload::fields(Result{}).size(), 2U);
  EXPECT_EQ(parse_exchange("blocking"), Exchange::blocking);
  EXPECT_EQ(parse_exchange("overlap"), Exchange::overlap);
  EXPECT_FALSE(parse_exchange("sendrecv").has_value());
  EXPECT_EQ(to_string(Exchange::overlap), "overlap");
}

}  // namespace
}  // namespace pardemo::backends::stencil
